"""Tracking push (every 30 minutes): one ``confirmShipment`` per recorded package not yet confirmed.

The package is marked ``sent`` (committed) before the call, so a crash between the call and the answer leaves
a trace; a later run sends it again. When Amazon refuses a package, the order's packages are checked (one
getOrder, only then) in case an earlier attempt went through. 204 -> confirmed (units shipped, stock out,
order state follows); 400 -> rejected with Amazon's message (editable, re-queueable); Amazon unreachable ->
back to queued, the run stops (nothing is lost: the outbox waits for the network); so does a refusal
whose check cannot reach Amazon. An answer that leaves the outcome unknown (no answer, 500, a 2xx whose body
cannot be read: ``OutcomeUnknown``) puts that package back to queued and the run goes on with the others,
then fails naming it; the next run sends it again (a repeated packageReferenceId is an edit at Amazon). Packages of canceled orders, and packages whose units are no longer
unshipped (shipped elsewhere, quantity lowered), are never sent: they are rejected with a message.
"""

from __future__ import annotations

import logging

from fbm_desk.amazon.errors import AmazonError, AmazonRejected, Cancelled, OutcomeUnknown
from fbm_desk.amazon.types import ShipmentConfirmation, ShipmentItem
from fbm_desk.db.orders import get_order
from fbm_desk.db.package_confirmation import confirm_package
from fbm_desk.db.packages import (
    back_to_queue,
    get_package,
    mark_sent,
    normalize_tracking,
    pending_outbox,
    reject_package,
    unfit_packages,
)
from fbm_desk.db.states import OrderState
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.timestamps import iso_utc, parse_utc
from fbm_desk.sync.base import Counts, JobCancelled, JobContext, JobKind

log = logging.getLogger(__name__)

UNCONFIRMED_NOTE = "No readable answer to the last send, so not known to be received; sent again next push."


def _already_at_amazon(ctx: JobContext, amazon_order_id: str, tracking: str) -> bool:
    """Does Amazon list a package with this tracking number on the order? Raises when Amazon cannot be asked
    (then nobody knows: the package must not be marked rejected)."""
    try:
        order = ctx.client.get_order(amazon_order_id)
    except AmazonRejected:  # Amazon answered (e.g. no such order): not there
        return False
    return any(normalize_tracking(p.tracking_number) == normalize_tracking(tracking) for p in order.packages)


class ShipmentsJob:
    kind = JobKind.SHIPMENTS

    def run(self, ctx: JobContext, counts: Counts) -> None:
        package_ids = pending_outbox(ctx.store.id)
        unknown: list[str] = []
        for n, package_id in enumerate(package_ids, start=1):
            ctx.check_cancel()
            reference = self._push_one(ctx, package_id, counts)
            if reference:
                unknown.append(reference)
            ctx.progress(f"Tracking: {n} of {len(package_ids)} packages", n, len(package_ids))
        if not package_ids:
            counts.notes.append("No packages waiting")
        if unknown:
            # the others went out; these stay queued and the run says so (a repeated packageReferenceId is an
            # edit at Amazon, so sending them again is safe)
            raise FbmError(
                f"Amazon did not confirm {len(unknown)} package(s) ({', '.join(unknown)}); they stay queued "
                "and are sent again on the next tracking push."
            )

    def _push_one(self, ctx: JobContext, package_id: int, counts: Counts) -> str:
        """Push one package; returns its reference when Amazon's answer left its outcome unknown."""
        pkg = get_package(package_id)
        order = get_order(pkg.order_id)
        now = iso_utc(ctx.now())
        if order.state == OrderState.CANCELED:
            reject_package(package_id, "Not sent: the order was canceled on Amazon.", now=now)
            counts.rejected += 1
            return ""
        if package_id in unfit_packages(order.id):
            message = "Not sent: its units are already shipped (or no longer ordered). Edit or remove it."
            reject_package(package_id, message, now=now)
            counts.rejected += 1
            return ""
        sending = mark_sent(package_id, now)
        if sending is None:  # removed or edited into another state since it was read: nothing to send
            return ""
        pkg = sending  # what is sent is what was marked, not what was read before
        confirmation = ShipmentConfirmation(
            package_reference_id=pkg.package_reference_id,
            carrier_code=pkg.carrier_code,
            carrier_name=pkg.carrier_name,
            shipping_method=pkg.shipping_method,
            tracking_number=pkg.tracking_number,
            ship_date=parse_utc(pkg.ship_date) or ctx.now(),
            items=tuple(ShipmentItem(i.order_item_id, i.quantity) for i in pkg.items),
        )
        try:
            ctx.client.confirm_shipment(
                order.amazon_order_id, order.marketplace_id or ctx.store.marketplace_id, confirmation
            )
        except AmazonRejected as exc:
            # a timed-out first attempt, or a previous run that died after sending, may have gone through
            try:
                at_amazon = _already_at_amazon(ctx, order.amazon_order_id, pkg.tracking_number)
            except BaseException as check_failed:
                back_to_queue(package_id, now, "Amazon refused it and could not be asked whether it has it")
                if isinstance(check_failed, Cancelled):
                    raise JobCancelled() from check_failed
                raise
            if at_amazon:
                confirm_package(package_id, message="Amazon already had this package", now=now)
                counts.updated += 1
                return ""
            reject_package(package_id, exc.amazon_message or exc.user_message, now=now)
            counts.rejected += 1
            return ""
        except OutcomeUnknown as exc:
            back_to_queue(package_id, now, exc.user_message, note=UNCONFIRMED_NOTE)
            counts.notes.append(f"Package {pkg.package_reference_id}: {exc.user_message}")
            return str(pkg.package_reference_id)
        except (AmazonError, Cancelled) as exc:
            # not delivered (network, throttling beyond retries, auth, cancel): keep it queued, nothing lost
            back_to_queue(package_id, now, exc.user_message)
            if isinstance(exc, Cancelled):
                raise JobCancelled() from exc
            raise
        except BaseException:
            back_to_queue(package_id, now, "interrupted")
            raise
        confirm_package(package_id, now=iso_utc(ctx.now()))
        counts.fetched += 1
        counts.updated += 1
        return ""
