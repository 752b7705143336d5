"""Asynchronous processing of reports and feeds: IN_QUEUE → IN_PROGRESS → DONE over a few (scaled) seconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fbm_desk.sandbox.clock import Clock
from fbm_desk.sandbox.model import Job

QUEUE_SECONDS = 2.0  # Amazon seconds in IN_QUEUE
PROCESS_SECONDS = 4.0  # Amazon seconds in IN_PROGRESS


def advance_job(clock: Clock, job: Job, finish: Callable[[Job], str]) -> None:
    """Move ``job`` along according to the time elapsed; ``finish`` runs once and returns the final status."""
    if job.status in ("DONE", "CANCELLED", "FATAL"):
        return
    elapsed = clock.mono() - job.created_mono
    queue = clock.scaled(QUEUE_SECONDS)
    if elapsed >= queue and job.status == "IN_QUEUE":
        job.status = "IN_PROGRESS"
        job.processing_start = job.created + timedelta(seconds=QUEUE_SECONDS)
    if elapsed >= queue + clock.scaled(PROCESS_SECONDS):
        job.processing_end = clock.now()
        job.status = finish(job)
