"""Reports API 2021-06-30: createReport, getReport, getReportDocument for GET_MERCHANT_LISTINGS_ALL_DATA.

The document is a gzip'd tab-separated file in Cp1252 (characters outside Cp1252 become ``?`` like Amazon's),
served at a presigned URL with ``Content-Type: text/plain;charset=Cp1252``.
"""

from __future__ import annotations

import gzip
from datetime import timedelta, timezone

from fbm_desk.sandbox.http_util import Request, Response, invalid_input, require_json_object
from fbm_desk.sandbox.jobs import advanced_job, document_response, render_job, require_kind_and_marketplaces
from fbm_desk.sandbox.model import Job
from fbm_desk.sandbox.report_dialects import header_row
from fbm_desk.sandbox.world import World

LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
COLUMNS = (
    "item-name",
    "item-description",
    "listing-id",
    "seller-sku",
    "price",
    "quantity",
    "open-date",
    "image-url",
    "item-is-marketplace",
    "product-id-type",
    "zshop-shipping-fee",
    "item-note",
    "item-condition",
    "zshop-category1",
    "zshop-browse-path",
    "zshop-storefront-feature",
    "asin1",
    "asin2",
    "asin3",
    "will-ship-internationally",
    "expedited-shipping",
    "zshop-boldface",
    "product-id",
    "bid-for-featured-placement",
    "add-delete",
    "pending-quantity",
    "fulfillment-channel",
    "merchant-shipping-group",
    "status",
)
_PACIFIC = timezone(timedelta(hours=-8), "PST")


def listings_tsv(world: World, marketplace_id: str, options: dict[str, str] | None = None) -> bytes:
    rows = ["\t".join(header_row(COLUMNS, world.report_headers, options or {}))]
    ca = marketplace_id == "A2EUQ1WTGCTBG2"
    for lst in sorted(world.listings.values(), key=lambda x: x.sku):
        price = f"{float(lst.price) * (1.35 if ca else 1):.2f}"
        values = {
            "item-name": lst.title,
            "listing-id": lst.listing_id,
            "seller-sku": lst.sku,
            "price": price,
            "quantity": "" if lst.is_fba else str(lst.quantity),
            "open-date": lst.created.astimezone(_PACIFIC).strftime("%Y-%m-%d %H:%M:%S PST"),
            "item-is-marketplace": "y",
            "product-id-type": "1",
            "item-condition": "11",
            "asin1": lst.asin,
            "will-ship-internationally": "",
            "product-id": lst.asin,
            "pending-quantity": "0",
            "fulfillment-channel": lst.fulfillment_channel,
            "merchant-shipping-group": "" if lst.is_fba else "Migrated Template",
            "status": lst.status,
        }
        rows.append("\t".join(values.get(c, "") for c in COLUMNS))
    return ("\r\n".join(rows) + "\r\n").encode("cp1252", errors="replace")


def _finish(world: World, job: Job) -> str:
    if job.kind != LISTINGS_REPORT:
        return "CANCELLED"  # the sandbox has no data for other report types
    if world.report_outcome != "DONE":  # seeded: "no data / asked too often" or Amazon's own failure
        return world.report_outcome
    doc = world.new_document("amzn1.spdoc.1.4.na")
    doc.content = gzip.compress(listings_tsv(world, job.marketplace_ids[0], job.options), mtime=0)
    doc.content_type = "text/plain;charset=Cp1252"
    doc.compression = "GZIP"
    doc.uploaded = True
    job.result_document_id = doc.document_id
    return "DONE"


def create_report(world: World, req: Request) -> Response:
    body = require_json_object(req)
    report_type, marketplaces = require_kind_and_marketplaces(world, body, "reportType")
    options = body.get("reportOptions") or {}
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise invalid_input("reportOptions must be an object of string values.")
    with world.lock:
        report_id = str(50000000000 + world.rng.randint(0, 999999999) * 10 + len(world.reports))
        world.reports[report_id] = Job(
            job_id=report_id,
            kind=report_type,
            marketplace_ids=marketplaces,
            created=world.clock.now(),
            created_mono=world.clock.mono(),
            seller=req.seller,
            options=dict(options),
        )
    return Response.json(202, {"reportId": report_id})


def get_report(world: World, req: Request) -> Response:
    with world.lock:
        job = advanced_job(
            world.reports, req.params["reportId"], "Report", world.clock, lambda j: _finish(world, j)
        )
        return Response.json(200, render_job(job, "report", "reportDocumentId"))


def get_report_document(world: World, req: Request) -> Response:
    return document_response(
        world, req.params["reportDocumentId"], "amzn1.spdoc", "Report", "reportDocumentId"
    )
