"""A ship-to address as the lines a label or slip prints, in the order of the destination country's post.

US, Canada, Australia: "City, ST 12345" (city, region and postal code on one line); the UK and Ireland: city
and postcode on their own lines; Japan: postal code first; elsewhere (most of Europe, Latin America, India…):
"12345 City" or "City 12345" per the country, with the region on its own line where it is used. The country
name closes the address, in capitals.
"""

from __future__ import annotations

from fbm_desk.db.domain_rows import ShipTo

COUNTRY_NAMES: dict[str, str] = {
    "US": "UNITED STATES", "CA": "CANADA", "MX": "MEXICO", "BR": "BRAZIL", "GB": "UNITED KINGDOM",
    "IE": "IRELAND", "DE": "GERMANY", "FR": "FRANCE", "IT": "ITALY", "ES": "SPAIN", "NL": "NETHERLANDS",
    "BE": "BELGIUM", "SE": "SWEDEN", "PL": "POLAND", "AT": "AUSTRIA", "CH": "SWITZERLAND", "TR": "TURKEY",
    "AE": "UNITED ARAB EMIRATES", "SA": "SAUDI ARABIA", "EG": "EGYPT", "IN": "INDIA", "JP": "JAPAN",
    "AU": "AUSTRALIA", "SG": "SINGAPORE", "ZA": "SOUTH AFRICA",
}  # fmt: skip
_CITY_REGION_POSTAL = frozenset({"US", "CA", "AU"})
_POSTAL_CITY = frozenset({"DE", "FR", "IT", "ES", "NL", "BE", "SE", "PL", "AT", "CH", "TR", "MX", "BR", "ZA"})
_OWN_LINES = frozenset({"GB", "IE"})


def address_lines(ship: ShipTo) -> list[str]:
    """The printed lines of ``ship`` (name, company, street lines, locality, country), empty lines left out."""
    country = ship.country_code.upper()
    city, region, postal = ship.city.strip(), ship.state_or_region.strip(), ship.postal_code.strip()
    lines = [ship.name, ship.company, ship.address_line1, ship.address_line2, ship.address_line3]
    if country == "JP":
        lines = [f"〒{postal}" if postal else "", f"{region} {city}".strip(), *lines]
    elif country in _CITY_REGION_POSTAL:
        lines.append(f"{city}{', ' if city and (region or postal) else ''}{region}  {postal}".strip())
    elif country in _OWN_LINES:
        lines += [city, region, postal]
    elif country in _POSTAL_CITY:
        lines += [f"{postal} {city}".strip(), region if country in ("IT", "ES", "MX", "BR") else ""]
    else:
        lines += [f"{city} {postal}".strip(), region]
    lines.append(COUNTRY_NAMES.get(country, country))
    return [line.strip() for line in lines if line and line.strip()]
