"""Job kind -> job object (the GUI runner, the scheduler and the CLI all go through ``job_for``)."""

from __future__ import annotations

from fbm_desk.sync.base import Job, JobKind
from fbm_desk.sync.inventory_job import InventoryJob
from fbm_desk.sync.orders_job import OrdersJob, OrdersSweepJob
from fbm_desk.sync.products_job import ProductsFullJob, ProductsJob
from fbm_desk.sync.shipments_job import ShipmentsJob

_JOBS: dict[JobKind, type[Job]] = {
    JobKind.ORDERS: OrdersJob,
    JobKind.ORDERS_SWEEP: OrdersSweepJob,
    JobKind.PRODUCTS: ProductsJob,
    JobKind.PRODUCTS_FULL: ProductsFullJob,
    JobKind.INVENTORY: InventoryJob,
    JobKind.SHIPMENTS: ShipmentsJob,
}


def job_for(kind: JobKind | str) -> Job:
    """A fresh job object for ``kind`` (a JobKind or its CLI name, e.g. ``"orders-sweep"``)."""
    return _JOBS[JobKind(kind)]()
