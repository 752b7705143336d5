"""Amazon's CarrierCode list as confirmShipment checks it: the enumeration of ``CarrierCode`` in Amazon's
published ``amzn-base.xsd`` (the "acceptable CarrierCode values" of Amazon's changelog "CarrierCode value
required in shipment confirmations ..."). Anything else must be sent as ``Other`` with ``carrierName``.
The sandbox keeps its own copy: it imports nothing of the app."""

from __future__ import annotations

CARRIER_CODES = frozenset(
    {
        "USPS", "UPS", "UPSMI", "FedEx", "DHL", "Fastway", "GLS", "GO!", "Hermes Logistik Gruppe",
        "Royal Mail", "Parcelforce", "City Link", "TNT", "Target", "SagawaExpress", "NipponExpress",
        "YamatoTransport", "DHL Global Mail", "UPS Mail Innovations", "FedEx SmartPost", "OSM", "OnTrac",
        "Streamlite", "Newgistics", "Canada Post", "Blue Package", "Chronopost", "Deutsche Post", "DPD",
        "La Poste", "Parcelnet", "Poste Italiane", "SDA", "Smartmail", "FEDEX_JP", "JP_EXPRESS", "NITTSU",
        "SAGAWA", "YAMATO", "BlueDart", "AFL/Fedex", "Aramex", "India Post", "Professional", "DTDC",
        "Overnite Express", "First Flight", "Delhivery", "Lasership", "Yodel", "Other", "Amazon Shipping",
        "Seur", "Correos", "MRW", "Endopack", "Chrono Express", "Nacex", "Otro", "Correios",
        "Toll Global Express", "China Post", "AUSSIE_POST", "EUB", "Australia Post", "Yun Express", "4PX",
        "YANWEN", "SF Express",
    }
)  # fmt: skip
