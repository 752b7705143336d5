"""The sandbox is as strict as Amazon where the app could go wrong: feeds validated with Amazon's listings
feed schema, channel codes and product types checked on patches, a merchant quantity converting an FBA offer,
listings reports in other header dialects and languages, and reports that end CANCELLED or FATAL."""

from __future__ import annotations

import csv
import gzip
import io
import json
from typing import Any

import pytest
import requests

from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sandbox.api_feeds import process_listings_feed
from fbm_desk.sandbox.model import Job
from tests.support.sandbox_fixtures import SpApi
from tests.support.spapi_contract import validate_processing_report

US = "ATVPDKIKX0DER"
SELLER = "A2SANDBOXDEMO1"
ITEMS = f"/listings/2021-08-01/items/{SELLER}"
REPORTS = "/reports/2021-06-30"


def _message(message_id: Any, sku: str = "MP-KIT-001", product_type: str = "KITCHEN") -> dict[str, Any]:
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": product_type,
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 33}],
            }
        ],
    }


def _process(sandbox: RunningSandbox, document: Any) -> tuple[str, dict[str, Any]]:
    world = sandbox.world
    job = Job("F1", "JSON_LISTINGS_FEED", [US], world.clock.now(), world.clock.mono(), SELLER)
    with world.lock:
        status, report = process_listings_feed(world, job, json.dumps(document).encode())
    validate_processing_report(report)
    return status, report


def test_feed_messages_are_validated_with_amazons_schema(sandbox: RunningSandbox) -> None:
    before = sandbox.world.listing_quantity("MP-KIT-001")
    status, report = _process(
        sandbox,
        {
            "header": {"sellerId": SELLER, "version": "2.0"},
            "messages": [_message(0), _message(2, "MP-KIT-019")],
        },
    )
    assert status == "DONE"
    assert report["summary"]["messagesInvalid"] == 1
    (issue,) = report["issues"]
    assert (issue["sku"], "messageId" in issue) == ("MP-KIT-001", False)  # its id is the invalid part
    assert "messageId" in issue["message"]
    assert sandbox.world.listing_quantity("MP-KIT-001") == before  # not applied
    assert sandbox.world.listing_quantity("MP-KIT-019") == 33


def test_a_feed_that_breaks_the_schema_as_a_whole_fails(sandbox: RunningSandbox) -> None:
    status, report = _process(sandbox, {"header": {"sellerId": SELLER}, "messages": [_message(1)]})
    assert status == "FATAL"
    assert "version" in report["issues"][0]["message"]


def _patch(spapi: SpApi, sku: str, code: str, product_type: str) -> dict[str, Any]:
    body = {
        "productType": product_type,
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": code, "quantity": 4}],
            }
        ],
    }
    resp = spapi.patch(f"{ITEMS}/{sku}", body, params={"marketplaceIds": US})
    assert resp.status_code == 200
    return resp.json()


@pytest.mark.parametrize(
    ("code", "product_type"), [("MERCHANT", "KITCHEN"), ("DEFAULT", "LUGGAGE")], ids=["channel", "type"]
)
def test_patches_with_an_unknown_channel_or_another_product_type_are_invalid(
    spapi: SpApi, sandbox: RunningSandbox, code: str, product_type: str
) -> None:
    before = sandbox.world.listing_quantity("MP-KIT-001")
    body = _patch(spapi, "MP-KIT-001", code, product_type)
    assert body["status"] == "INVALID"
    assert sandbox.world.listing_quantity("MP-KIT-001") == before
    assert _patch(spapi, "MP-KIT-001", "DEFAULT", "PRODUCT")["status"] == "ACCEPTED"  # the generic type


def test_a_merchant_quantity_converts_an_fba_offer(spapi: SpApi, sandbox: RunningSandbox) -> None:
    fba = next(lst for lst in sandbox.world.listings.values() if lst.is_fba)
    assert _patch(spapi, fba.sku, "DEFAULT", fba.product_type)["status"] == "ACCEPTED"
    assert not sandbox.world.listings[fba.sku].is_fba  # what the app must never cause


def _report_rows(spapi: SpApi, sandbox: RunningSandbox, options: dict[str, str] | None) -> tuple[str, list]:
    body: dict[str, Any] = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    if options is not None:
        body["reportOptions"] = options
    report_id = spapi.post(f"{REPORTS}/reports", body).json()["reportId"]
    sandbox.world.advance(1)
    report = spapi.get(f"{REPORTS}/reports/{report_id}").json()
    if report["processingStatus"] != "DONE":
        return report["processingStatus"], []
    url = spapi.get(f"{REPORTS}/documents/{report['reportDocumentId']}").json()["url"]
    text = gzip.decompress(requests.get(url, timeout=10).content).decode("cp1252", errors="replace")
    return "DONE", list(csv.reader(io.StringIO(text), delimiter="\t"))


@pytest.mark.parametrize(
    ("dialect", "english_asked", "sku_column", "channel_column"),
    [
        ("english", False, "seller-sku", "fulfillment-channel"),
        ("fulfilment", True, "seller-sku", "fulfilment-channel"),  # English, Amazon's EU spelling
        ("german", False, "Händler-SKU", "Versandkanal"),
        ("german", True, "seller-sku", "fulfillment-channel"),
    ],
)
def test_listings_report_header_dialects(
    spapi: SpApi,
    sandbox: RunningSandbox,
    dialect: str,
    english_asked: bool,
    sku_column: str,
    channel_column: str,
) -> None:
    sandbox.world.seed_reports(headers=dialect)
    options = {"preferredReportDocumentLocale": "en_US"} if english_asked else None
    status, rows = _report_rows(spapi, sandbox, options)
    assert status == "DONE"
    assert sku_column in rows[0]
    assert channel_column in rows[0]


@pytest.mark.parametrize("outcome", ["CANCELLED", "FATAL"])
def test_seeded_report_outcomes(spapi: SpApi, sandbox: RunningSandbox, outcome: str) -> None:
    sandbox.world.seed_reports(outcome=outcome)
    assert _report_rows(spapi, sandbox, None)[0] == outcome


def test_report_options_must_be_strings(spapi: SpApi) -> None:
    body = {
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "marketplaceIds": [US],
        "reportOptions": {"custom": True},
    }
    resp = spapi.call("POST", f"{REPORTS}/reports", body=body)
    assert resp.status_code == 400


def test_sandbox_command_seeds_report_dialect_and_outcome(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    import fbm_desk.sandbox as sandbox_pkg
    from fbm_desk.cli import build_parser
    from fbm_desk.sandbox import start_sandbox

    started: list[RunningSandbox] = []

    def start(**kwargs: Any) -> RunningSandbox:
        started.append(start_sandbox(**{k: v for k, v in kwargs.items() if k != "port"}))
        return started[0]

    monkeypatch.setattr(sandbox_pkg, "start_sandbox", start)
    args = build_parser().parse_args(
        ["sandbox", "--static", "--report-headers", "chinese", "--report-outcome", "fatal"]
    )
    stop = threading.Event()
    stop.set()
    try:
        assert args.func(args, stop) == 0
        assert (started[0].world.report_headers, started[0].world.report_outcome) == ("chinese", "FATAL")
        assert json.loads(capsys.readouterr().out.splitlines()[0])["selling_partner_id"] == SELLER
    finally:
        started[0].stop()
