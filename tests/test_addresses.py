"""Addresses formatted per country (issue 17: US addresses read "87557 Santa Fe NM")."""

from __future__ import annotations

import pytest

from fbm_desk.domain.addresses import city_lines


@pytest.mark.parametrize(
    ("country", "city", "region", "postal", "expected"),
    [
        ("US", "Santa Fe", "NM", "87557", ["Santa Fe, NM 87557"]),
        ("US", "Santa Fe", "", "87557", ["Santa Fe 87557"]),
        ("CA", "Toronto", "ON", "M5V 2T6", ["Toronto ON M5V 2T6"]),
        ("DE", "Berlin", "", "10115", ["10115 Berlin"]),
        ("FR", "Paris", "", "75001", ["75001 Paris"]),
        ("GB", "London", "", "SW1A 1AA", ["London", "SW1A 1AA"]),
        ("IT", "Roma", "RM", "00184", ["00184 Roma RM"]),
        ("JP", "Chiyoda-ku", "Tokyo", "100-0001", ["〒100-0001", "Tokyo Chiyoda-ku"]),
        ("AU", "Sydney", "NSW", "2000", ["Sydney NSW 2000"]),
        ("MX", "Ciudad de México", "CDMX", "06600", ["06600 Ciudad de México, CDMX"]),
        ("XX", "Somewhere", "", "1234", ["1234 Somewhere"]),
        ("US", "", "", "", []),
    ],
)
def test_city_line_per_country(
    country: str, city: str, region: str, postal: str, expected: list[str]
) -> None:
    assert city_lines(country, city, region, postal) == expected
