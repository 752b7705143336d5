"""Amazon carrier codes and plausible tracking-number formats (data, no I/O).

The codes are Amazon's ``CarrierCode`` spellings: the enumeration of ``CarrierCode`` in Amazon's published
``amzn-base.xsd`` (the list the order-fulfillment feeds and confirmShipment accept; Amazon's changelog
"CarrierCode value required in shipment confirmations for BR, MX, CA, SG, AU, IN, JP marketplaces" points to
these "Acceptable CarrierCode values"; the Orders v0 model's ``PackageDetail.carrierCode`` is a free string
that refers to it). Amazon writes most codes without spaces inside a name (``YamatoTransport``,
``SagawaExpress``, ``NipponExpress``). A carrier staff can pick here that is not on Amazon's list
(``listed=False``) is sent as ``Other`` with its name in ``carrierName``, which Amazon accepts for any carrier. Formats are deliberately permissive "plausible" checks that catch typos (a
tracking number pasted into the wrong field, a truncated scan), not proofs that a number exists.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

OTHER = "Other"

# Postal items under the UPU S10 standard: 2 letters, 8 digits + check digit, 2-letter country.
_S10 = r"[A-Z]{2}\d{9}[A-Z]{2}"
_USPS = (r"(?:\d{20,22})", r"(?:\d{26,34})", r"(?:[A-Z]{2}\d{9}US)", _S10)
_FEDEX = (r"\d{12}", r"\d{15}", r"\d{20}", r"\d{22}", r"\d{34}")
_GENERIC = r"[A-Z0-9-]{5,40}"


@dataclass(frozen=True)
class Carrier:
    code: str  # Amazon's CarrierCode, exact spelling
    name: str  # shown to staff
    patterns: tuple[str, ...] = ()  # full-match regexes on the normalized number; () = generic check
    example: str = ""
    listed: bool = True  # on Amazon's CarrierCode list; False = sent as Other + carrierName

    @property
    def amazon_code(self) -> str:
        return self.code if self.listed else OTHER

    def plausible(self, tracking: str) -> bool:
        if not self.patterns:
            return re.fullmatch(_GENERIC, tracking, re.ASCII) is not None
        return any(re.fullmatch(p, tracking, re.ASCII) for p in self.patterns)  # \d: 0-9 only


CARRIERS: tuple[Carrier, ...] = (
    Carrier("USPS", "USPS", _USPS, "9400111899223197428490"),
    Carrier("UPS", "UPS", (r"1Z[A-Z0-9]{16}", r"[TK]\d{10}", r"\d{9}", r"\d{26}"), "1Z999AA10123456784"),
    Carrier("UPSMI", "UPS Mail Innovations", (*_USPS, r"\d{18}"), "92748999985289583016341212"),
    Carrier("FedEx", "FedEx", _FEDEX, "123456789012"),
    Carrier("FedEx SmartPost", "FedEx SmartPost", _FEDEX + _USPS, "9274899998528958301634"),
    Carrier("DHL", "DHL", (r"\d{10,11}", r"JJD\d{10,20}", r"\d{12}", r"\d{20}", _S10), "1234567890"),
    Carrier("DHL Express", "DHL Express", (r"\d{10}", r"JJD\d{10,20}"), "1234567890", listed=False),
    Carrier("DHL eCommerce", "DHL eCommerce", (), "GM2951173225174494", listed=False),
    Carrier("DHL Global Mail", "DHL Global Mail", (), "GM2951173225174494"),
    Carrier(
        "DHL-Paket",
        "DHL Paket",
        (r"\d{12}", r"\d{20}", r"JJD\d{10,20}", _S10),
        "003404341234567890",
        listed=False,
    ),
    Carrier("Amazon Shipping", "Amazon Shipping", (r"TB[ACM]\d{12}",), "TBA123456789012"),
    Carrier("OnTrac", "OnTrac", (r"[CD]\d{14}", r"1LS[A-Z0-9]{7,20}"), "C11433500361402"),
    Carrier("Royal Mail", "Royal Mail", (r"[A-Z]{2}\d{9}GB", r"[A-Z0-9]{16}", _S10), "AB123456789GB"),
    Carrier("Parcelforce", "Parcelforce", (r"[A-Z]{2}\d{7}", r"[A-Z]{2}\d{9}GB", _S10), "PB1234567"),
    Carrier("Yodel", "Yodel", (r"JD\d{16}", r"[A-Z0-9]{16}"), "JD0002211234567890"),
    Carrier(
        "Canada Post", "Canada Post", (r"\d{16}", r"\d{12}", r"[A-Z]{2}\d{9}CA", _S10), "1234567890123456"
    ),
    Carrier("Purolator", "Purolator", (r"\d{12}", r"[A-Z]{3}\d{9}"), "329001234567", listed=False),
    Carrier("Australia Post", "Australia Post", (), "33ABC1234567"),
    Carrier(
        "Deutsche Post", "Deutsche Post", (r"[A-Z]{2}\d{9}DE", _S10, r"[A-Z0-9]{10,40}"), "RR123456789DE"
    ),
    Carrier("DPD", "DPD", (r"\d{14}", r"\d{15}", r"\d{28}"), "01234567890123"),
    Carrier("GLS", "GLS", (r"[A-Z0-9]{8,12}", r"\d{11,14}", r"\d{20}"), "12345678901"),
    Carrier("Hermes Logistik Gruppe", "Hermes", (r"[A-Z0-9]{14,16}", r"\d{20}"), "H1234567890123"),
    Carrier("Chronopost", "Chronopost", (r"[A-Z]{2}\d{9}[A-Z]{2}", r"\d{13,14}"), "XY123456789FR"),
    Carrier(
        "Colissimo", "Colissimo", (r"\d[A-Z]\d{11}", _S10, r"[A-Z0-9]{11,15}"), "6A12345678901", listed=False
    ),
    Carrier("Correos", "Correos", (r"P[A-Z0-9]{15,22}", _S10, r"[A-Z0-9]{13,23}"), "PQ4F6P0703673180181750T"),
    Carrier("Poste Italiane", "Poste Italiane", (), "1234567890123"),
    Carrier("BRT", "BRT", (), "123456789012", listed=False),
    Carrier("Japan Post", "Japan Post", (r"\d{11,12}", _S10), "123456789012", listed=False),
    Carrier("YamatoTransport", "Yamato Transport", (r"\d{12}",), "123456789012"),
    Carrier("SagawaExpress", "Sagawa Express", (r"\d{10,12}",), "123456789012"),
    Carrier("NipponExpress", "Nippon Express", (), "123456789012"),
    Carrier("India Post", "India Post", (_S10,), "EA123456789IN"),
    Carrier("BlueDart", "Blue Dart", (r"\d{8,11}",), "12345678901"),
    Carrier("Delhivery", "Delhivery", (r"\d{10,14}",), "1234567890123"),
    Carrier("Aramex", "Aramex", (r"\d{10,12}",), "1234567890"),
    Carrier("Estafeta", "Estafeta", (), "1234567890", listed=False),
    Carrier("China Post", "China Post", (_S10,), "RR123456789CN"),
    Carrier("La Poste", "La Poste", (_S10, r"[A-Z0-9]{11,15}"), "6A12345678901"),
    Carrier("TNT", "TNT", (), "123456789"),
    Carrier("SDA", "SDA", (), "123456789012"),
    Carrier("Seur", "Seur", (), "12345678901234"),
    Carrier("MRW", "MRW", (), "12345678901"),
    Carrier("Correios", "Correios", (_S10,), "AA123456789BR"),
    Carrier("SF Express", "SF Express", (r"SF\d{12,13}", r"\d{12}"), "SF1234567890123"),
    Carrier("Yun Express", "Yun Express", (), "YT1234567890123456"),
    Carrier("Lasership", "LaserShip", (), "1LS123456789012"),
    Carrier("DTDC", "DTDC", (), "D12345678"),
    Carrier("Asendia", "Asendia", (), "12345678901234", listed=False),
    Carrier("InPost", "InPost", (r"\d{24}", r"[A-Z0-9]{10,30}"), "123456789012345678901234", listed=False),
    Carrier(OTHER, "Other (enter the carrier name)", (), ""),
)

_BY_CODE = {c.code: c for c in CARRIERS}


def _fold(code: str) -> str:
    return "".join(code.split()).casefold()


# also by display name without spaces: "Yamato Transport" (our old, wrong spelling) finds YamatoTransport
_BY_FOLDED = {_fold(c.name): c for c in CARRIERS} | {_fold(c.code): c for c in CARRIERS}
CARRIER_CODES: tuple[str, ...] = tuple(c.code for c in CARRIERS)


def normalize_tracking(tracking: str) -> str:
    """Tracking numbers are compared and sent without spaces, in capitals and in ASCII.

    Digits typed in another script are the same digits (a scanner behind an Arabic keyboard layout types
    ``١٢٣``, an IME in full-width mode ``１２３``); carriers and Amazon know only ASCII, so they are converted
    explicitly here rather than sent as typed. Anything else that is not ASCII stays and fails the
    plausibility check (``Carrier.plausible`` matches ASCII only)."""
    folded = unicodedata.normalize("NFKC", tracking)  # full-width letters and digits -> ASCII
    digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded)
    return "".join(digits.split()).upper()


def carrier_for(code: str) -> Carrier | None:
    """The carrier with this Amazon code (exact, else ignoring case and spaces, or by its name), or None."""
    clean = code.strip()
    return _BY_CODE.get(clean) or _BY_FOLDED.get(_fold(clean))


def suggest_carrier(tracking: str) -> str | None:
    """The carrier code a tracking number most likely belongs to, or None when it is not distinctive."""
    t = normalize_tracking(tracking)
    if re.fullmatch(r"1Z[A-Z0-9]{16}", t):
        return "UPS"
    if re.fullmatch(r"TB[ACM]\d{12}", t):
        return "Amazon Shipping"
    if re.fullmatch(r"[A-Z]{2}\d{9}GB", t):
        return "Royal Mail"
    if re.fullmatch(r"[A-Z]{2}\d{9}CA", t):
        return "Canada Post"
    if re.fullmatch(r"[A-Z]{2}\d{9}US", t) or re.fullmatch(r"9\d{19,21}|9\d{25,33}", t):
        return "USPS"
    if re.fullmatch(r"JJD\d{10,20}", t):
        return "DHL"
    if re.fullmatch(r"[CD]\d{14}", t):
        return "OnTrac"
    if re.fullmatch(r"\d{12}|\d{15}", t):
        return "FedEx"
    if re.fullmatch(r"\d{10}", t):
        return "DHL"
    return None
