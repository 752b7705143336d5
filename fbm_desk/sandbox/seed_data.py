"""Static ingredients of the seeded demo world: the seller, its catalogue, fake buyers and addresses.

Everything here is invented. Titles deliberately include characters that exist in Cp1252 (é, ü, ñ, ö) and some
that don't (ł, ę, Ω, ✓): the listings report encodes those as ``?`` like Amazon does.
"""

from __future__ import annotations

SELLER_ID = "A2SANDBOXDEMO1"
STORE_NAME = "Maple & Pine Goods (sandbox)"
APP_NAME = "FBM Desk"

# (marketplace id, name, country, currency, language, domain)
MARKETPLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "en_US", "www.amazon.com"),
    ("A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "CAD", "en_CA", "www.amazon.ca"),
)
MARKETPLACE_IDS: tuple[str, ...] = tuple(m[0] for m in MARKETPLACES)
CURRENCY = {m[0]: m[3] for m in MARKETPLACES}
COUNTRY = {m[0]: m[2] for m in MARKETPLACES}
MARKETPLACE_NAME = {m[0]: m[1] for m in MARKETPLACES}

# (title, product type, base price)
CATALOGUE: tuple[tuple[str, str, str], ...] = (
    ("Crème Brûlée Torch Kit with Refillable Butane Burner", "KITCHEN", "24.99"),
    ("Café au Lait Bowl Set, Stoneware, 4 pieces", "KITCHEN", "32.50"),
    ("Jalapeño Popper Grill Rack, Stainless Steel", "KITCHEN", "18.95"),
    ("Müsli Storage Jar 1.5 L with Bamboo Lid", "KITCHEN", "14.99"),
    ("Piñata Party Pack – Llama, 24 Favors", "TOY_FIGURE", "21.00"),
    ("Señorita Sunflower Seeds Heirloom Packet", "SEEDS_AND_PLANT_BULBS", "4.75"),
    ("Doppelgänger Card Game, Family Edition", "TOY_FIGURE", "16.99"),
    ("Über-Soft Merino Wool Beanie, Charcoal", "HAT", "27.00"),
    ("Smørrebrød Cutting Board, Oak, Large", "KITCHEN", "39.00"),
    ("Kraków Street Map Poster – Dziękuję Edition", "HOME_BED_AND_BATH", "12.00"),
    ("Łódź Linen Tea Towels, Set of 3", "HOME_BED_AND_BATH", "15.50"),
    ("Ω Resistor Assortment Kit, 600 pcs", "ELECTRONIC_COMPONENT", "9.99"),
    ("Pine Needle Scented Candle, 8 oz", "CANDLE", "13.25"),
    ("Maple Syrup Gift Set, Grade A Amber, 3 × 250 ml", "GROCERY", "29.99"),
    ("Trail Mix Canister, Salted Caramel", "GROCERY", "8.49"),
    ("Canvas Tote Bag with Inner Pocket, Natural", "HANDBAG", "17.99"),
    ("Enamel Camp Mug 12 oz, Forest Green", "DRINKING_CUP", "11.99"),
    ("Beeswax Food Wraps, Assorted Sizes (6)", "KITCHEN", "19.99"),
    ("Cast Iron Skillet 10 in, Pre-Seasoned", "KITCHEN", "34.99"),
    ("Wool Dryer Balls, 6 Pack", "HOME_BED_AND_BATH", "14.49"),
    ("Bamboo Toothbrushes, Soft, 8 Pack", "TOOTHBRUSH", "9.49"),
    ("LED Headlamp Rechargeable, 350 lm", "FLASHLIGHT", "22.95"),
    ("Insulated Water Bottle 750 ml, Slate", "WATER_BOTTLE", "26.00"),
    ("Hand-Poured Soap Bar, Lavender & Oat", "SKIN_CLEANING_AGENT", "6.95"),
    ("Wooden Puzzle Box – ✓ Brain Teaser", "PUZZLES", "18.00"),
    ("Cork Yoga Block, Set of 2", "SPORTING_GOODS", "23.99"),
    ("Reusable Produce Bags, Mesh (9)", "STORAGE_BAG", "12.99"),
    ("Stovetop Espresso Maker, 6 Cup", "COFFEE_MAKER", "31.00"),
    ("Herb Keeper with Water Reservoir", "KITCHEN", "19.49"),
    ("Linen Napkins, Sage, Set of 4", "TABLE_LINEN", "22.00"),
)
VARIANTS: tuple[str, ...] = ("", " – Gift Edition")

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Lucas",
    "Mia",
    "Mateo",
    "Chloé",
    "Zoë",
    "Amélie",
    "José",
    "Renée",
    "Björn",
    "Priya",
    "Hiroshi",
    "Fatima",
    "Kwame",
    "Ingrid",
    "Diego",
    "Aisha",
    "Jonas",
)
LAST_NAMES = (
    "Tremblay",
    "Nguyen",
    "García",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Roy",
    "Côté",
    "Müller",
    "Patel",
    "Kim",
    "Okafor",
    "Larsen",
    "Martínez",
    "Gagnon",
    "Chen",
    "Wilson",
    "O'Brien",
    "Novak",
    "Bouchard",
    "Rossi",
)
STREETS = (
    "Maple Ave",
    "Oak St",
    "Pine Rd",
    "Cedar Ln",
    "Birch Way",
    "Elm St",
    "Lakeview Dr",
    "Hillcrest Rd",
    "Sunset Blvd",
    "River Rd",
    "Main St",
    "Park Ave",
    "Rue Saint-Denis",
    "Chemin du Lac",
    "Harbour St",
)
# (city, state/province, postal code prefix, phone area code) per country
CITIES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "US": (
        ("Portland", "OR", "972", "503"),
        ("Austin", "TX", "787", "512"),
        ("Madison", "WI", "537", "608"),
        ("Burlington", "VT", "054", "802"),
        ("Boulder", "CO", "803", "303"),
        ("Asheville", "NC", "288", "828"),
        ("Santa Fe", "NM", "875", "505"),
        ("Duluth", "MN", "558", "218"),
        ("Savannah", "GA", "314", "912"),
    ),
    "CA": (
        ("Toronto", "ON", "M5V", "416"),
        ("Montréal", "QC", "H2X", "514"),
        ("Vancouver", "BC", "V6B", "604"),
        ("Halifax", "NS", "B3H", "902"),
        ("Calgary", "AB", "T2P", "403"),
        ("Québec", "QC", "G1R", "418"),
    ),
}
SERVICE_LEVELS = ("Std US D2D Dom", "Expedited", "NextDay", "SecondDay")
CARRIERS = (("UPS", "1Z"), ("USPS", "94"), ("FedEx", "77"), ("Canada Post", "CP"))
