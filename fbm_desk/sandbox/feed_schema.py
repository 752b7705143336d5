"""JSON_LISTINGS_FEED documents checked against Amazon's own schema (``listings-feed-schema-v2.json`` in
``resources/spapi-models``, Apache-2.0, see SOURCES.txt there), as Amazon validates a feed before it applies
any message: a ``messageId`` of 0, an unknown ``operationType`` or a missing header field is refused there.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from fbm_desk.foundation.resources import spapi_model_path

FEED_SCHEMA = "listings-feed-schema-v2.json"


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(spapi_model_path(FEED_SCHEMA).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def schema_problems(document: Any) -> list[tuple[tuple[Any, ...], str]]:
    """(JSON path, message) of every place ``document`` breaks the listings feed schema; [] when valid."""
    return [
        (tuple(e.absolute_path), e.message[:300])
        for e in sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]
