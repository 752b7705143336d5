"""Amazon as it really is, against the built-in sandbox: listings reports in other header dialects (and
languages), reports that end CANCELLED/FATAL, quantities changed on Amazon (drift), feeds still processing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fbm_desk.amazon import reports
from fbm_desk.core import CoreServices
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.listings import list_listings
from fbm_desk.db.models import Listing
from fbm_desk.db.stock import PushReason, inventory_for, push_plan
from fbm_desk.db.stores import get_store
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync import inventory_feed, inventory_job
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_store, merchant_skus

pytestmark = pytest.mark.e2e


@pytest.fixture
def core(quiet_core: CoreServices) -> CoreServices:
    return quiet_core


def sync(core: CoreServices, store_id: int, kind: JobKind) -> SyncResult:
    result = run_job(core, get_store(store_id), kind)
    assert result.status == "ok", result.error
    return result


def fba_skus(sb: RunningSandbox) -> set[str]:
    return {lst.sku for lst in sb.world.listings.values() if lst.is_fba}


def skus_sent(sb: RunningSandbox) -> set[str]:
    pushed = sb.world.pushed()
    return {p["sku"] for p in pushed["listing_patches"]} | {
        m["message"]["sku"] for m in pushed["feed_messages"]
    }


@pytest.mark.parametrize("dialect", ["english", "fulfilment", "chinese", "german"])
def test_every_header_dialect_imports_exactly_the_merchant_skus_and_fba_is_never_pushed(
    core: CoreServices, quiet: RunningSandbox, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_job, "PATCH_LIMIT", 10_000)
    quiet.world.seed_reports(headers=dialect)
    merchant = {lst.sku: lst for lst in quiet.world.listings.values() if not lst.is_fba}
    fba = fba_skus(quiet)
    assert fba, "the seeded world has FBA listings"
    store = make_store(core, quiet, starting_inventory="match")
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    (report,) = quiet.world.reports.values()
    assert report.options == {"preferredReportDocumentLocale": "en_US"}
    listings = {r.seller_sku: r for r in list_listings(store.id)}
    assert set(listings) == set(merchant)  # no FBA row became a merchant listing
    for sku, lst in merchant.items():
        assert listings[sku].title == lst.title  # (titles the report could not spell read in full)
        assert listings[sku].amazon_quantity == lst.quantity
        assert listings[sku].fulfillment_channel == "DEFAULT"
    # every warehouse quantity changes: the push sends each merchant SKU, never an FBA one
    for n, sku in enumerate(sorted(merchant)):
        set_on_hand(sku, 500 + n)
    result = sync(core, store.id, JobKind.INVENTORY)
    assert result.updated == len(merchant)
    assert skus_sent(quiet) == set(merchant)
    assert fba_skus(quiet) == fba  # no FBA offer was converted by a merchant quantity


def test_an_unreadable_header_fails_products_full_naming_it(
    core: CoreServices, quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "REPORT_OPTIONS", {})  # as if Amazon ignored the English locale
    quiet.world.seed_reports(headers="german")
    store = make_store(core, quiet)
    result = run_job(core, get_store(store.id), JobKind.PRODUCTS_FULL)
    assert result.status == "failed"
    assert "seller-sku" in result.error
    assert "Händler-SKU" in result.error
    assert list_listings(store.id) == []  # nothing guessed, nothing imported


def test_cancelled_report_marks_nothing_gone_and_fatal_fails(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(core, quiet)
    first = sync(core, store.id, JobKind.PRODUCTS_FULL)
    quiet.world.seed_reports(outcome="CANCELLED")
    cancelled = sync(core, store.id, JobKind.PRODUCTS_FULL)
    assert "nothing marked gone" in cancelled.summary
    assert all(r.gone_at is None for r in list_listings(store.id))
    assert len(list_listings(store.id)) == first.created
    quiet.world.seed_reports(outcome="FATAL")
    fatal = run_job(core, get_store(store.id), JobKind.PRODUCTS_FULL)
    assert fatal.status == "failed"
    assert "FATAL" in fatal.error


def _push_long_ago(store_id: int, minutes: int = 30) -> None:
    """Our last pushes happened ``minutes`` ago (Amazon has applied them by now)."""
    then = iso_utc(datetime.now(UTC) - timedelta(minutes=minutes))
    Listing.update(pushed_at=then).where(
        (Listing.store == store_id) & Listing.pushed_at.is_null(False)
    ).execute()


def test_a_quantity_changed_on_amazon_is_corrected_by_the_next_push_and_only_that_sku(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(core, quiet, starting_inventory="zero")
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    a, b, c = merchant_skus(quiet, 3)
    for sku in (a, b, c):
        set_on_hand(sku, 9)  # (no seeded listing has 9: each of them is pushed)
    assert sync(core, store.id, JobKind.INVENTORY).updated >= 3  # everything in step with the warehouse
    assert sync(core, store.id, JobKind.INVENTORY).api_calls == 0
    quiet.world.set_listing_quantity(a, 50)  # changed in Seller Central
    # read right after our push: the change may be our own queued push not yet applied -> not drift yet
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    assert all(p.seller_sku != a for p in push_plan(store.id, sending_only=True))
    _push_long_ago(store.id)
    full = sync(core, store.id, JobKind.PRODUCTS_FULL)
    assert "the next push corrects it" in full.summary
    due = push_plan(store.id, sending_only=True)
    assert [(p.seller_sku, p.reason, p.quantity) for p in due] == [(a, PushReason.DRIFTED, 9)]
    assert "Amazon shows 50" in due[0].explanation
    row = next(r for r in inventory_for() if r.sku == a)
    assert (row.amazon_shows, row.to_send) == (50, 1)
    assert row.amazon_read_at
    before = len(quiet.world.pushed()["listing_patches"])
    push = sync(core, store.id, JobKind.INVENTORY)
    assert (push.api_calls, push.updated) == (1, 1)  # only the drifted SKU
    patches = quiet.world.pushed()["listing_patches"][before:]
    assert [p["sku"] for p in patches] == [a]
    assert quiet.world.listing_quantity(a) == 9
    assert sync(core, store.id, JobKind.INVENTORY).api_calls == 0


def test_a_feed_still_processing_is_waited_for_not_sent_again(
    core: CoreServices, quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_job, "PATCH_LIMIT", 2)
    monkeypatch.setattr(inventory_feed, "FEED_WAIT_S", 0.0)  # the run stops waiting at once
    quiet.world.seed_reports(feed_seconds=3600)  # Amazon takes an hour over this feed
    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    skus = merchant_skus(quiet, 5)
    for n, sku in enumerate(skus):
        set_on_hand(sku, 200 + n)
    first = sync(core, store.id, JobKind.INVENTORY)
    assert "the next run waits for it" in first.summary
    assert len(quiet.world.feeds) == 1
    plan = {p.seller_sku: p.reason for p in push_plan(store.id) if p.seller_sku in skus}
    assert set(plan.values()) == {PushReason.IN_FLIGHT}
    again = sync(core, store.id, JobKind.INVENTORY)  # Amazon still processing: one getFeed, nothing sent
    assert again.api_calls == 1
    assert len(quiet.world.feeds) == 1
    assert quiet.world.counters()["calls"].get("createFeed") == 1
    quiet.world.advance(7200 / 600)  # an hour later (x600 speed-up) Amazon has finished it
    done = sync(core, store.id, JobKind.INVENTORY)
    assert done.updated == len(skus)
    assert len(quiet.world.feeds) == 1
    rows = {r.sku: r.pushed_quantity for r in inventory_for()}
    assert [rows[s] for s in skus] == [200 + n for n in range(len(skus))]
    assert [quiet.world.listing_quantity(s) for s in skus] == [200 + n for n in range(len(skus))]
    assert sync(core, store.id, JobKind.INVENTORY).api_calls == 0
