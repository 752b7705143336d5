"""GET_MERCHANT_LISTINGS_ALL_DATA: report flow, gzip, charsets, TSV by column name, FBA rows skipped."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fbm_desk.amazon.client import SpApiClient
from fbm_desk.amazon.documents import decode
from fbm_desk.amazon.errors import AmazonError, AmazonUnavailable, MalformedResponse
from fbm_desk.amazon.reports import parse_listings_tsv, parse_open_date
from tests.support.amazon_fakes import S3, SELLER, FakeAmazon, faked_amazon, make_config, ok, seller_client

US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"
BASE = "/reports/2021-06-30"

COLUMNS = (
    "item-name item-description listing-id seller-sku price quantity open-date asin1 fulfillment-channel"
)
COLUMNS += " status"
HEADER = "\t".join(COLUMNS.split())


def report_rows() -> str:
    return "\n".join(
        [
            HEADER,
            "Café crème – 250 g\t\t0101\tCAFE-1\t9.99\t12\t2024-03-01 10:12:33 PST\tB00000CAFE\tDEFAULT\t"
            "Active",
            "FBA mug\t\t0102\tFBA-1\t5.00\t\t2024-03-02 10:00:00 PST\tB00000FBA1\tAMAZON_NA\tActive",
            'Bottle € "big"\t\t0103\tBOT-2\t3.50\t0\t2024-03-03 01:00:00 UTC\tB00000BOT2\tDEFAULT\tInactive',
        ]
    )


@pytest.fixture
def fake() -> Iterator[FakeAmazon]:
    with faked_amazon() as amazon:
        yield amazon


def report(status: str, document: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "reportId": "R1",
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "createdTime": "2026-11-24T09:00:00Z",
        "processingStatus": status,
        "marketplaceIds": [US],
    }
    if document:
        body["reportDocumentId"] = document
    return body


def setup_report(fake: FakeAmazon, data: bytes, content_type: str, *, gzip_it: bool) -> None:
    fake.sp("POST", f"{BASE}/reports", ok({"reportId": "R1"}, status=202))
    fake.sp(
        "GET",
        f"{BASE}/reports/R1",
        ok(report("IN_QUEUE")),
        ok(report("IN_PROGRESS")),
        ok(report("DONE", "D1")),
    )
    doc: dict[str, str] = {"reportDocumentId": "D1", "url": f"{S3}/d1"}
    if gzip_it:
        doc["compressionAlgorithm"] = "GZIP"
    fake.sp("GET", f"{BASE}/documents/D1", ok(doc))
    fake.document("GET", "/d1", body=gzip.compress(data) if gzip_it else data, content_type=content_type)


def test_report_flow_gzip_cp1252_and_fba_rows_skipped(fake: FakeAmazon) -> None:
    setup_report(fake, report_rows().encode("cp1252"), "text/plain;charset=Cp1252", gzip_it=True)
    rows = seller_client().fetch_listings_report(US)
    assert [r.seller_sku for r in rows] == ["CAFE-1", "BOT-2"]
    cafe, bottle = rows
    assert cafe.title == "Café crème – 250 g"
    assert cafe.asin == "B00000CAFE"
    assert cafe.quantity == 12
    assert cafe.opened_at == datetime(2024, 3, 1, 18, 12, 33, tzinfo=UTC)
    assert bottle.title == 'Bottle € "big"'
    assert bottle.status == "Inactive"
    assert bottle.quantity == 0
    assert [r.method for r in fake.sp_requests].count("GET") == 4  # 3 polls + document


def test_shift_jis_report_is_decoded(fake: FakeAmazon) -> None:
    content = (
        HEADER
        + "\nステンレス製マグカップ 350ml\t\t1\tJP-MUG\t1980\t4\t2024-03-01 10:00:00 JST\tB0JP\t"
        + "DEFAULT\tActive"
    )
    setup_report(fake, content.encode("shift_jis"), "text/plain; charset=Shift_JIS", gzip_it=False)
    (row,) = SpApiClient(
        make_config(), refresh_token="r", selling_partner_id=SELLER, region="FE"
    ).fetch_listings_report(JP)
    assert row.title == "ステンレス製マグカップ 350ml"
    assert row.quantity == 4
    assert row.opened_at == datetime(2024, 3, 1, 1, 0, tzinfo=UTC)


def test_truncated_gzip_is_malformed(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{BASE}/reports", ok({"reportId": "R1"}, status=202))
    fake.sp("GET", f"{BASE}/reports/R1", ok(report("DONE", "D1")))
    fake.sp(
        "GET",
        f"{BASE}/documents/D1",
        ok({"reportDocumentId": "D1", "url": f"{S3}/d1", "compressionAlgorithm": "GZIP"}),
    )
    fake.document("GET", "/d1", body=gzip.compress(report_rows().encode())[:-20], content_type="text/plain")
    with pytest.raises(MalformedResponse):
        seller_client().fetch_listings_report(US)


def test_cancelled_report_means_no_data_and_fatal_is_an_error(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{BASE}/reports", ok({"reportId": "R1"}, status=202))
    fake.sp("GET", f"{BASE}/reports/R1", ok(report("CANCELLED")), ok(report("FATAL")))
    c = seller_client()
    assert c.fetch_listings_report(US) == []
    with pytest.raises(AmazonError):
        c.fetch_listings_report(US)


def test_report_that_never_finishes_stops_after_the_bound(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{BASE}/reports", ok({"reportId": "R1"}, status=202))
    fake.sp("GET", f"{BASE}/reports/R1", ok(report("IN_PROGRESS")))
    with pytest.raises(AmazonUnavailable):
        seller_client().fetch_listings_report(US, max_wait_s=60)
    polls = [r for r in fake.sp_requests if r.url and r.url.endswith("/reports/R1")]
    assert 2 < len(polls) < 10


def test_download_has_no_sp_api_headers(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{BASE}/reports", ok({"reportId": "R1"}, status=202))
    fake.sp("GET", f"{BASE}/reports/R1", ok(report("DONE", "D1")))
    fake.sp("GET", f"{BASE}/documents/D1", ok({"reportDocumentId": "D1", "url": f"{S3}/d1"}))
    seen = fake.document(
        "GET", "/d1", body=report_rows().encode("utf-8"), content_type="text/plain;charset=UTF-8"
    )
    assert len(seller_client().fetch_listings_report(US)) == 2
    assert "x-amz-access-token" not in seen[0].headers


def test_columns_are_read_by_name_in_any_order() -> None:
    content = (
        "status\tfulfillment-channel\tquantity\tseller-sku\textra\n"
        "Active\tDEFAULT\t3\tSKU-9\tx\n"
        "Active\t\t4\tSKU-EMPTY-CHANNEL\tx\n"  # who fulfils it is not said: never taken as merchant
    )
    (row,) = parse_listings_tsv(content)
    assert (row.seller_sku, row.quantity, row.status, row.fulfillment_channel) == (
        "SKU-9",
        3,
        "Active",
        "DEFAULT",
    )
    with pytest.raises(MalformedResponse):
        parse_listings_tsv("item-name\tquantity\nx\t1\n")


def test_unknown_or_missing_charset_falls_back_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert decode("Größe".encode(), "text/plain; charset=x-unknown-42") == "Größe"
    assert "unknown" in caplog.text
    assert decode("Größe €".encode("cp1252"), "text/plain") == "Größe €"  # not UTF-8 -> Cp1252
    assert (
        decode("Größe".encode("cp1252"), "text/plain; charset=UTF-8") == "Gr\ufffd\ufffde"
    )  # wrong charset: replaced


def test_open_date_formats() -> None:
    assert parse_open_date("2024-03-01T10:00:00+00:00") == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert parse_open_date("2024-07-01 10:00:00 PDT") == datetime(2024, 7, 1, 17, tzinfo=UTC)
    assert parse_open_date("") is None
    assert parse_open_date("someday") is None
