"""Contract checks built on Amazon's own model files (Swagger 2.0) — no hand-copied schemas.

    validate_request(method, url, params=None, json_body=None) -> Operation
    validate_response(method, url, status, json_body) -> Operation
    validate_feed_document(doc) / validate_processing_report(doc)   # JSON_LISTINGS_FEED schemas
    find_operation(method, url) -> Operation                        # which model operation a request hits

Both raise ``ContractViolation`` (an AssertionError) listing every problem. ``params`` are query parameters
as a mapping of name -> str (raw, e.g. "A,B" for csv arrays) or list of str (repeated values); parameters
already in ``url``'s query string are included too. Used by the client's and the sandbox's tests alike:
keep the API stable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema

from fbm_desk.foundation.resources import spapi_model_path

MODEL_FILES: tuple[str, ...] = (
    "orders-2026-01-01.json",
    "orders-v0.json",
    "reports-2021-06-30.json",
    "feeds-2021-06-30.json",
    "listings-items-2021-08-01.json",
    "sellers-v1.json",
    "tokens-2021-03-01.json",
    "catalog-items-2022-04-01.json",
    "product-type-definitions-2020-09-01.json",
    "shipping-v2.json",
)


class ContractViolation(AssertionError):
    def __init__(self, where: str, problems: Sequence[str]) -> None:
        super().__init__(f"{where}: " + "; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Operation:
    model: str  # file name
    operation_id: str
    method: str  # upper case
    template: str  # path template from the model
    path_params: dict[str, str]  # decoded values from the URL

    @property
    def spec(self) -> dict[str, Any]:
        return _models()[self.model]["paths"][self.template][self.method.lower()]  # type: ignore[no-any-return]

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Operation parameters plus path-level ones (operation wins on name clashes), $refs resolved."""
        model = _models()[self.model]
        level = model["paths"][self.template].get("parameters", [])
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in [*level, *self.spec.get("parameters", [])]:
            param = _deref(model, raw)
            merged[(param["name"], param["in"])] = param
        return list(merged.values())


@cache
def _models() -> dict[str, dict[str, Any]]:
    return {name: json.loads(spapi_model_path(name).read_text(encoding="utf-8")) for name in MODEL_FILES}


def _deref(model: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"external $ref not supported: {ref}")
        target: Any = model
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


@cache
def _routes() -> list[tuple[re.Pattern[str], str, str, str, tuple[str, ...]]]:
    """(regex, model, method, template, param names), most literal templates first."""
    routes = []
    for name, model in _models().items():
        for template, ops in model["paths"].items():
            names = tuple(re.findall(r"{([^}]+)}", template))
            pattern = re.escape(template)
            for n in names:
                pattern = pattern.replace(re.escape("{" + n + "}"), "([^/]+)")
            regex = re.compile("^" + pattern + "$")
            for method in ops:
                if method == "parameters":
                    continue
                routes.append((regex, name, method.upper(), template, names))
    routes.sort(key=lambda r: (len(r[4]), -len(r[3])))
    return routes


def find_operation(method: str, url: str) -> Operation:
    path = urlsplit(url).path or "/"
    method = method.upper()
    path_matches = False
    for regex, model, op_method, template, names in _routes():
        match = regex.match(path)
        if not match:
            continue
        path_matches = True
        if op_method != method:
            continue
        spec = _models()[model]["paths"][template][method.lower()]
        values = {n: unquote(v) for n, v in zip(names, match.groups(), strict=True)}
        return Operation(model, spec["operationId"], method, template, values)
    raise ContractViolation(
        f"{method} {path}",
        ["method not allowed for this path" if path_matches else "no such operation in the models"],
    )


# parameters -------------------------------------------------------------------------------------------------
def _query_values(url: str, params: Mapping[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        out.setdefault(key, []).append(value)
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, str | int | float):
            out.setdefault(key, []).append(str(value))
        else:
            out.setdefault(key, []).extend(str(v) for v in value)
    return out


def _check_scalar(name: str, raw: str, schema: Mapping[str, Any], problems: list[str]) -> None:
    kind = schema.get("type", "string")
    value: Any = raw
    if kind == "integer":
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{name}={raw!r} is not an integer")
            return
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            problems.append(f"{name}={raw!r} is not a number")
            return
    elif kind == "boolean":
        if raw not in ("true", "false"):
            problems.append(f"{name}={raw!r} is not a boolean")
        return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{name}={raw!r} is not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{name}={raw!r} is below the minimum {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        problems.append(f"{name}={raw!r} is above the maximum {schema['maximum']}")
    if kind == "string":
        if "maxLength" in schema and len(raw) > schema["maxLength"]:
            problems.append(f"{name} is longer than {schema['maxLength']}")
        if "minLength" in schema and len(raw) < schema["minLength"]:
            problems.append(f"{name} is shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], raw):
            problems.append(f"{name}={raw!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and not _is_datetime(raw):
            problems.append(f"{name}={raw!r} is not an ISO 8601 date-time")


def _is_datetime(raw: str) -> bool:
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$", raw):
        return False
    try:
        datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_param(param: Mapping[str, Any], values: list[str], problems: list[str]) -> None:
    name = param["name"]
    if param.get("type") == "array":
        fmt = param.get("collectionFormat", "csv")
        if fmt == "multi":
            items = values
        else:
            if len(values) > 1:
                problems.append(f"{name} sent {len(values)} times; the model says collectionFormat={fmt}")
            sep = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}[fmt]
            items = [v for raw in values for v in raw.split(sep)]
        if "maxItems" in param and len(items) > param["maxItems"]:
            problems.append(f"{name} has {len(items)} items, more than {param['maxItems']}")
        if "minItems" in param and len(items) < param["minItems"]:
            problems.append(f"{name} has fewer than {param['minItems']} items")
        for item in items:
            _check_scalar(name, item, param.get("items", {}), problems)
        return
    if len(values) > 1:
        problems.append(f"{name} sent {len(values)} times")
    for value in values:
        _check_scalar(name, value, param, problems)


# schemas ----------------------------------------------------------------------------------------------------
_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or _is_datetime(value)


@cache
def _validator(model: str, ref_json: str) -> jsonschema.protocols.Validator:
    schema = json.loads(ref_json)
    root = {**schema, "definitions": _models()[model].get("definitions", {})}
    return jsonschema.Draft4Validator(root, format_checker=_FORMATS)


def _schema_problems(model: str, schema: Mapping[str, Any], instance: Any) -> list[str]:
    validator = _validator(model, json.dumps(schema, sort_keys=True))
    out = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message[:300]}")
    return out


def validate_request(
    method: str, url: str, params: Mapping[str, Any] | None = None, json_body: Any = None
) -> Operation:
    """Check path, query parameters and body of a request against its operation in the models."""
    op = find_operation(method, url)
    problems: list[str] = []
    query = _query_values(url, params)
    known = set()
    body_param = None
    for param in op.parameters:
        where = param["in"]
        name = param["name"]
        if where == "query":
            known.add(name)
            if name in query:
                _check_param(param, query[name], problems)
            elif param.get("required"):
                problems.append(f"required query parameter {name} is missing")
        elif where == "path":
            value = op.path_params.get(name, "")
            if not value:
                problems.append(f"path parameter {name} is empty")
            else:
                _check_param(param, [value], problems)
        elif where == "body":
            body_param = param
    for name in query:
        if name not in known:
            problems.append(f"query parameter {name} is not in the model")
    if body_param is not None:
        if json_body is None:
            if body_param.get("required"):
                problems.append("the request body is missing")
        else:
            problems += _schema_problems(op.model, body_param["schema"], json_body)
    elif json_body is not None:
        problems.append("this operation takes no body")
    if problems:
        raise ContractViolation(f"{op.operation_id} request", problems)
    return op


def validate_response(method: str, url: str, status: int, json_body: Any) -> Operation:
    """Check a response body against the operation's schema for ``status``."""
    op = find_operation(method, url)
    responses = op.spec.get("responses", {})
    spec = responses.get(str(status)) or responses.get("default")
    if spec is None:
        raise ContractViolation(
            f"{op.operation_id} response", [f"status {status} is not declared by the model"]
        )
    spec = _deref(_models()[op.model], spec)
    schema = spec.get("schema")
    if schema is None:
        if json_body not in (None, "", b""):
            raise ContractViolation(f"{op.operation_id} response", [f"status {status} must have no body"])
        return op
    problems = _schema_problems(op.model, schema, json_body)
    if problems:
        raise ContractViolation(f"{op.operation_id} {status} response", problems)
    return op


@cache
def _file_validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(spapi_model_path(name).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=_FORMATS)


def _file_problems(name: str, doc: Any) -> list[str]:
    errors: Iterable[jsonschema.ValidationError] = _file_validator(name).iter_errors(doc)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:300]}" for e in errors]


def validate_feed_document(doc: Any) -> None:
    """A JSON_LISTINGS_FEED document against listings-feed-schema-v2.json."""
    problems = _file_problems("listings-feed-schema-v2.json", doc)
    if problems:
        raise ContractViolation("JSON_LISTINGS_FEED document", problems)


def validate_processing_report(doc: Any) -> None:
    """A JSON_LISTINGS_FEED processing report against listings-feed-processing-report-schema-v2.json."""
    problems = _file_problems("listings-feed-processing-report-schema-v2.json", doc)
    if problems:
        raise ContractViolation("JSON_LISTINGS_FEED processing report", problems)
