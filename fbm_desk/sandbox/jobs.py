"""What the Reports and Feeds APIs share: asynchronous processing of a job (IN_QUEUE → IN_PROGRESS → DONE over a
few scaled seconds), the create-request checks, the job and document answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fbm_desk.sandbox.clock import Clock, iso
from fbm_desk.sandbox.http_util import Response, invalid_input, not_found
from fbm_desk.sandbox.model import Job
from fbm_desk.sandbox.world import World

QUEUE_SECONDS = 2.0  # Amazon seconds in IN_QUEUE
PROCESS_SECONDS = 4.0  # Amazon seconds in IN_PROGRESS


def advance_job(
    clock: Clock, job: Job, finish: Callable[[Job], str], process_seconds: float = PROCESS_SECONDS
) -> None:
    """Move ``job`` along according to the time elapsed; ``finish`` runs once and returns the final status."""
    if job.status in ("DONE", "CANCELLED", "FATAL"):
        return
    elapsed = clock.mono() - job.created_mono
    queue = clock.scaled(QUEUE_SECONDS)
    if elapsed >= queue and job.status == "IN_QUEUE":
        job.status = "IN_PROGRESS"
        job.processing_start = job.created + timedelta(seconds=QUEUE_SECONDS)
    if elapsed >= queue + clock.scaled(process_seconds):
        job.processing_end = clock.now()
        job.status = finish(job)


def require_kind_and_marketplaces(
    world: World, body: dict[str, Any], kind_field: str
) -> tuple[str, list[str]]:
    """The ``reportType``/``feedType`` and ``marketplaceIds`` of a create request, checked like Amazon does."""
    kind = body.get(kind_field)
    marketplaces = body.get("marketplaceIds")
    if not isinstance(kind, str) or not kind:
        raise invalid_input(f"Missing required field {kind_field}.")
    if not isinstance(marketplaces, list) or not marketplaces:
        raise invalid_input("Missing required field marketplaceIds.")
    for m in marketplaces:
        if m not in world.marketplace_ids:
            raise invalid_input(f"Invalid marketplaceId: {m}.")
    return kind, list(marketplaces)


def advanced_job(
    jobs: dict[str, Job],
    job_id: str,
    label: str,
    clock: Clock,
    finish: Callable[[Job], str],
    process_seconds: float = PROCESS_SECONDS,
) -> Job:
    """The job ``job_id`` moved along by the time elapsed (404 ``"<label> <id> not found."`` when unknown).

    Call with the world's lock held.
    """
    job = jobs.get(job_id)
    if job is None:
        raise not_found(f"{label} {job_id} not found.")
    advance_job(clock, job, finish, process_seconds)
    return job


def render_job(job: Job, noun: str, document_key: str) -> dict[str, Any]:
    """A report or feed as getReport/getFeed return it (``noun``: ``report`` or ``feed``)."""
    out: dict[str, Any] = {
        f"{noun}Id": job.job_id,
        f"{noun}Type": job.kind,
        "marketplaceIds": job.marketplace_ids,
        "createdTime": iso(job.created),
        "processingStatus": job.status,
    }
    if job.processing_start:
        out["processingStartTime"] = iso(job.processing_start)
    if job.processing_end:
        out["processingEndTime"] = iso(job.processing_end)
    if job.result_document_id:
        out[document_key] = job.result_document_id
    return out


def document_response(world: World, doc_id: str, id_prefix: str, label: str, id_key: str) -> Response:
    """getReportDocument/getFeedDocument: a fresh presigned URL for a document whose id starts with
    ``id_prefix`` (404 ``"<label> document <id> not found."`` otherwise)."""
    with world.lock:
        doc = world.documents.get(doc_id)
        if doc is None or not doc_id.startswith(id_prefix):
            raise not_found(f"{label} document {doc_id} not found.")
        out = {id_key: doc_id, "url": world.presigner.url(world.base_url, doc)}
        if doc.compression:
            out["compressionAlgorithm"] = doc.compression
    return Response.json(200, out)
