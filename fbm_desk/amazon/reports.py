"""Reports 2021-06-30: the full listings snapshot (GET_MERCHANT_LISTINGS_ALL_DATA) as ListingRows."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

from fbm_desk.amazon._parse import parse_datetime, text
from fbm_desk.amazon.documents import decode, download
from fbm_desk.amazon.errors import AmazonError, AmazonUnavailable, MalformedResponse
from fbm_desk.amazon.http import SpApiTransport
from fbm_desk.amazon.types import ListingRow

log = logging.getLogger(__name__)

REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
BASE = "/reports/2021-06-30"
# Column headers follow the marketplace's language unless this option asks for another locale (Amazon's
# answer in amzn/selling-partner-api-models#5303; report-type-values-inventory documents the option).
REPORT_OPTIONS = {"preferredReportDocumentLocale": "en_US"}
# Header spellings seen in real reports, read as the documented English names: the EU spelling
# ``fulfilment-channel`` (amzn/selling-partner-api-models#3999, #4140) and the Chinese header row shown in
# jlevers/selling-partner-api#525 (a marketplace-language report, in case the locale option is not honoured).
HEADER_ALIASES = {
    "fulfilment-channel": "fulfillment-channel",
    "卖家 sku": "seller-sku",
    "卖家sku": "seller-sku",
    "商品名称": "item-name",
    "数量": "quantity",
    "开售日期": "open-date",
    "配送渠道": "fulfillment-channel",
    "状态": "status",
}
REQUIRED_COLUMNS = ("seller-sku", "fulfillment-channel")
MERCHANT_CHANNEL = "DEFAULT"
POLL_INTERVALS_S = (5.0, 10.0, 15.0, 30.0)  # then 30 s between polls (nominal; divided by speedup)

# Time-zone abbreviations seen in the report's open-date column.
_TZ_HOURS = {"UTC": 0, "GMT": 0, "BST": 1, "CET": 1, "CEST": 2, "PST": -8, "PDT": -7, "MST": -7,
             "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4, "JST": 9, "AEST": 10, "AEDT": 11,
             "IST": 5.5}  # fmt: skip


def poll_intervals() -> Iterator[float]:
    yield from POLL_INTERVALS_S
    while True:
        yield POLL_INTERVALS_S[-1]


def fetch_listings_report(
    transport: SpApiTransport, marketplace_id: str, *, max_wait_s: float = 1800.0
) -> list[ListingRow]:
    """createReport -> poll getReport -> getReportDocument -> download -> merchant-fulfilled rows.

    CANCELLED (Amazon's "no data", or requested too often) gives ``[]``; FATAL raises AmazonError.
    """
    created = transport.call(
        "createReport",
        "POST",
        f"{BASE}/reports",
        json_body={
            "reportType": REPORT_TYPE,
            "marketplaceIds": [marketplace_id],
            "reportOptions": dict(REPORT_OPTIONS),
        },
    )
    report_id = text(created.body, "reportId")
    if not report_id:
        raise MalformedResponse("Amazon did not return a report id.", operation="createReport")
    waited = 0.0
    intervals = poll_intervals()
    while True:
        report = transport.call("getReport", "GET", f"{BASE}/reports/{quote(report_id, safe='')}").body
        status = text(report, "processingStatus")
        if status == "DONE":
            document_id = text(report, "reportDocumentId")
            if not document_id:
                raise MalformedResponse("Amazon's finished report has no document.", operation="getReport")
            break
        if status == "CANCELLED":
            log.info("listings report %s CANCELLED by Amazon: no data (or requested too often)", report_id)
            return []
        if status == "FATAL":
            raise AmazonError(
                "Amazon could not produce the listings report (FATAL); the next run will ask again.",
                operation="getReport",
            )
        if waited >= max_wait_s:
            raise AmazonUnavailable(
                f"Amazon is still preparing the listings report after {max_wait_s / 60:.0f} minutes; "
                "the next run will ask again.",
                operation="getReport",
            )
        interval = next(intervals)
        transport.sleep(interval)
        waited += interval
    doc = transport.call("getReportDocument", "GET", f"{BASE}/documents/{quote(document_id, safe='')}").body
    url = text(doc, "url")
    if not url:
        raise MalformedResponse(
            "Amazon's report document has no download link.", operation="getReportDocument"
        )
    document = download(transport, url, text(doc, "compressionAlgorithm"))
    return parse_listings_tsv(decode(document.data, document.content_type))


def parse_open_date(raw: str) -> datetime | None:
    """``2024-03-01 10:12:33 PST`` / ISO 8601 -> UTC datetime."""
    raw = raw.strip()
    if not raw:
        return None
    iso = parse_datetime(raw)
    if iso is not None:
        return iso
    match = re.match(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})\s*([A-Za-z]+)?$", raw)
    if match:
        hours = _TZ_HOURS.get((match.group(3) or "UTC").upper(), 0)
        naive = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
        return naive.replace(tzinfo=timezone(timedelta(hours=hours))).astimezone(UTC)
    for fmt in ("%d/%m/%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%d.%m.%Y %H:%M:%S"):
        try:
            return datetime.strptime(raw[:19], fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _column_name(raw: str) -> str:
    name = raw.strip().lstrip("\ufeff").strip().lower()
    return HEADER_ALIASES.get(name, name)


def _shown(header: list[str]) -> str:
    shown = ", ".join(f"'{h.strip()}'" for h in header[:8])
    return shown + (", ..." if len(header) > 8 else "")


def parse_listings_tsv(content: str) -> list[ListingRow]:
    """Tab-separated report with a header row, read by column name; only merchant (DEFAULT) rows are kept.

    The channel decides what is merchant-fulfilled, so a header without a readable seller-sku or
    fulfillment-channel column fails (naming the header) instead of guessing; a row whose channel is empty
    or unknown is not taken as merchant-fulfilled either.
    """
    reader = csv.reader(io.StringIO(content), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None:
        return []
    names = [_column_name(h) for h in header]
    for required in REQUIRED_COLUMNS:
        if required not in names:
            raise MalformedResponse(
                f"Amazon's listings report has no {required} column that FBM Desk can read; its header "
                f"is {_shown(header)}. Nothing was imported.",
                operation="getReportDocument",
            )
    rows: list[ListingRow] = []
    skipped_fba = unknown = 0
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rec = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(names)}
        sku = rec.get("seller-sku", "")
        if not sku:
            continue
        channel = rec.get("fulfillment-channel", "").upper()
        if channel != MERCHANT_CHANNEL:
            if channel.startswith("AMAZON"):
                skipped_fba += 1
            else:
                unknown += 1
            continue
        qty_raw = rec.get("quantity", "")
        try:
            quantity: int | None = int(float(qty_raw)) if qty_raw else None
        except ValueError:
            quantity = None
        rows.append(
            ListingRow(
                seller_sku=sku,
                asin=rec.get("asin1", "") or rec.get("asin", ""),
                title=rec.get("item-name", ""),
                product_type="",
                fulfillment_channel=MERCHANT_CHANNEL,
                status=rec.get("status", ""),
                quantity=quantity,
                opened_at=parse_open_date(rec.get("open-date", "")),
            )
        )
    if unknown:
        log.warning("listings report: %d rows with an empty or unknown fulfillment channel skipped", unknown)
    log.info("listings report: %d merchant rows, %d FBA rows skipped", len(rows), skipped_fba)
    return rows
