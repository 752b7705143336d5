"""Words on screen (issue 17's wording list): plurals, real intervals, Amazon's codes in plain words."""

from __future__ import annotations

from datetime import timedelta

from fbm_desk.foundation.wording import amazon_status_words, every, plural


def test_plurals() -> None:
    assert plural(1, "tracking number") == "1 tracking number"
    assert plural(2, "tracking number") == "2 tracking numbers"
    assert plural(1, "request") == "1 request"
    assert plural(3, "quantity") == "3 quantities"
    assert plural(1200, "SKU") == "1,200 SKUs"


def test_intervals_read_as_they_run_including_the_demo_speedup() -> None:
    assert every(timedelta(minutes=20)) == "every 20 min"
    assert every(timedelta(minutes=20), 60) == "every 20 s"
    assert every(timedelta(minutes=30), 60) == "every 30 s"
    assert every(timedelta(hours=6)) == "every 6 hours"
    assert every(timedelta(days=1), 60) == "every 24 min"


def test_amazon_status_codes_in_plain_words() -> None:
    assert amazon_status_words("Unshipped") == "Not shipped yet"
    assert amazon_status_words("UNSHIPPED") == "Not shipped yet"
    assert amazon_status_words("SomethingNew") == "SomethingNew"
