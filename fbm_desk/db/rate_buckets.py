"""Persist the SP-API client's token buckets in ``rate_bucket`` (structurally a ``ratelimit.BucketStore``).

Keys are ``seller|region|operation``; ``updated_at`` is the wall-clock time the token count refers to, so a
later run refills the bucket for the time that passed.
"""

from __future__ import annotations

from collections.abc import Mapping

from fbm_desk.db.models import RateBucket, database_proxy


class DbBucketStore:
    """load/save of ``RateLimiter.snapshot()`` data in the open database."""

    def load(self) -> dict[str, tuple[float, float]]:
        return {str(row.key): (float(row.tokens), float(row.updated_at)) for row in RateBucket.select()}

    def save(self, buckets: Mapping[str, tuple[float, float]]) -> None:
        if not buckets:
            return
        rows = [{"key": key, "tokens": tokens, "updated_at": at} for key, (tokens, at) in buckets.items()]
        with database_proxy.atomic():
            RateBucket.replace_many(rows).execute()
