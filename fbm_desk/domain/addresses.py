"""The city line of a postal address as each country writes it ("Santa Fe, NM 87557", "10115 Berlin",
"London" / "SW1A 1AA"), for the order detail panel and anything printed. Pure text, no Qt.

Formats follow the national postal conventions (UPU / the carriers' address guides) for the marketplaces FBM
Desk serves; any other country gets postal code, city, region on one line.
"""

from __future__ import annotations

# "{city}", "{region}", "{postal}": each template line; empty parts and their separators are dropped.
_CITY_REGION_POSTAL = ("{city}, {region} {postal}",)  # US style
_POSTAL_CITY = ("{postal} {city}",)
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "US": _CITY_REGION_POSTAL,
    "PR": _CITY_REGION_POSTAL,
    "CA": ("{city} {region} {postal}",),
    "AU": ("{city} {region} {postal}",),
    "BR": ("{city} - {region}", "{postal}"),
    "MX": ("{postal} {city}, {region}",),
    "GB": ("{city}", "{postal}"),
    "IE": ("{city}", "{region}", "{postal}"),
    "IT": ("{postal} {city} {region}",),
    "ES": ("{postal} {city}", "{region}"),
    "JP": ("〒{postal}", "{region} {city}"),
    "IN": ("{city} {postal}", "{region}"),
    "SG": ("Singapore {postal}",),
    "AE": ("{city}", "{region}"),
    "SA": ("{city} {postal}", "{region}"),
    "EG": ("{city}", "{region} {postal}"),
    "ZA": ("{city}", "{postal}"),
    "TR": ("{postal} {city}/{region}",),
}


def _fill(template: str, city: str, region: str, postal: str) -> str:
    text = template.format(city=city, region=region, postal=postal)
    # Drop the separators an empty part leaves behind: ", ", " - ", "/", doubled spaces.
    for empty_sep in (", ,", " - ,", "/ ", " -  "):
        text = text.replace(empty_sep, " ")
    text = " ".join(text.split())
    return text.strip(" ,-/〒") if text.strip(" ,-/〒") else ""


def city_lines(country_code: str, city: str, region: str, postal_code: str) -> list[str]:
    """The city/region/postal-code line(s) of an address in ``country_code``'s order."""
    city, region, postal = (x.strip() for x in (city or "", region or "", postal_code or ""))
    templates = _TEMPLATES.get((country_code or "").upper(), ("{postal} {city} {region}",))
    if (country_code or "").upper() in ("US", "PR") and not region:
        templates = ("{city} {postal}",)
    lines = []
    for template in templates:
        if template.startswith("〒") and not postal:
            continue
        line = _fill(template, city, region, postal)
        if line:
            lines.append(("〒" + line) if template.startswith("〒") else line)
    return lines
