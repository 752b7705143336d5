"""Sync jobs (no Qt), the job runner (QThreadPool) and the scheduler (APScheduler, triggers only)."""
