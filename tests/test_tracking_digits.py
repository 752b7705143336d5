"""Tracking numbers typed in another script are recorded (and sent) in ASCII, or refused (issue 11, item 10).

Chosen: digits are converted explicitly (a scanner behind an Arabic keyboard layout, or an IME in full-width
mode, types the same number the label shows; carriers and Amazon know only ASCII digits). What is still not
ASCII after that (letters of another script) fails the plausibility check.
"""

from __future__ import annotations

import pytest

from fbm_desk.db import OpenedDatabase
from fbm_desk.db.rows import StoreRow
from fbm_desk.domain.carriers import carrier_for, normalize_tracking
from fbm_desk.domain.packing import record_package, validate_tracking
from fbm_desk.foundation.errors import InvalidInput
from tests.test_packing import amazon_order, put
from tests.test_packing import store as store

ARABIC_INDIC = "١٢٣٤٥٦٧٨٩٠١٢"  # FedEx 123456789012
FULLWIDTH = "１Ｚ９９９ＡＡ１０１２３４５６７８４"  # UPS 1Z999AA10123456784
DEVANAGARI = "९४००१११८९९२२३१९७४२८४९०"  # USPS 9400111899223197428490


@pytest.mark.parametrize(
    ("code", "typed", "recorded"),
    [
        ("FedEx", ARABIC_INDIC, "123456789012"),
        ("UPS", FULLWIDTH, "1Z999AA10123456784"),
        ("USPS", DEVANAGARI, "9400111899223197428490"),
    ],
)
def test_other_script_digits_are_recorded_in_ascii(
    db: OpenedDatabase, store: StoreRow, code: str, typed: str, recorded: str
) -> None:
    put(store, amazon_order("111-0000001-0000001"))
    pkg = record_package(None, "111-0000001-0000001", code, typed)
    assert pkg.tracking_number == recorded
    assert pkg.tracking_number.isascii()


@pytest.mark.parametrize(
    ("code", "typed"),
    [("UPS", "1Z999ÄA10123456784"), ("Other", "ПОСЫЛКА-12345"), ("FedEx", "12345678901٢x")],
)
def test_letters_of_another_script_are_refused(code: str, typed: str) -> None:
    carrier = carrier_for(code)
    assert carrier is not None
    with pytest.raises(InvalidInput, match="does not look like"):
        validate_tracking(carrier, typed)


def test_normalized_numbers_are_ascii() -> None:
    assert normalize_tracking(" ٠١ ２３ ") == "0123"
