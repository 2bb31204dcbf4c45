"""A small notation for request shapes (see schemas.py) and the walk that checks a body
against one: required fields, unknown fields, then types, enums and ranges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from .errors import PlaidError, invalid_field, missing_fields


@dataclass(frozen=True)
class Int:
    lo: int | None = None
    hi: int | None = None


@dataclass(frozen=True)
class Enum:
    values: tuple


@dataclass(frozen=True)
class Arr:
    item: object
    min_items: int = 0


@dataclass(frozen=True)
class Obj:
    props: dict
    required: tuple = ()
    min_length: dict = field(default_factory=dict)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class _Walk:
    def __init__(self):
        self.missing: list[str] = []
        self.unknown: list[str] = []
        self.invalid: list[tuple[str, str]] = []

    def obj(self, spec: Obj, value, path: str) -> None:
        if not isinstance(value, dict):
            self.invalid.append((path, "must be an object"))
            return
        for name in spec.required:
            if value.get(name) in (None, ""):
                self.missing.append(_join(path, name))
        for name, v in value.items():
            sub = _join(path, name)
            if name not in spec.props:
                self.unknown.append(sub)
                continue
            # Plaid's clients send null for an unset optional field; it means "absent".
            if v is None or (v == "" and name in spec.required):
                continue
            self.field(spec.props[name], v, sub)
            if name in spec.min_length and isinstance(v, str) and len(v) < spec.min_length[name]:
                self.invalid.append((sub, "must not be empty"))

    def field(self, spec, v, path: str) -> None:
        if isinstance(spec, Obj):
            return self.obj(spec, v, path)
        if isinstance(spec, Arr):
            if not isinstance(v, list):
                return self.invalid.append((path, "must be an array"))
            if len(v) < spec.min_items:
                return self.invalid.append((path, f"must have at least {spec.min_items} item(s)"))
            for i, x in enumerate(v):
                self.field(spec.item, x, f"{path}[{i}]")
            return None
        if isinstance(spec, Enum):
            if not isinstance(v, str) or v not in spec.values:
                shown = ", ".join(spec.values[:8]) + (", ..." if len(spec.values) > 8 else "")
                self.invalid.append((path, f"must be one of: {shown}"))
            return None
        if isinstance(spec, Int):
            ok = isinstance(v, int) and not isinstance(v, bool)
            ok = ok and (spec.lo is None or v >= spec.lo) and (spec.hi is None or v <= spec.hi)
            if not ok:
                rng = f"between {spec.lo} and {spec.hi}" if spec.hi is not None else f">= {spec.lo}"
                self.invalid.append((path, f"must be an integer {rng}"))
            return None
        check = _SCALARS[spec]
        if not check(v):
            self.invalid.append((path, _WHY[spec]))
        return None


def _is_date(v) -> bool:
    try:
        date.fromisoformat(v)
        return len(v) == 10
    except (TypeError, ValueError):
        return False


def parse_datetime(v) -> datetime | None:
    if not isinstance(v, str) or len(v) < 19:
        return None
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _is_url(v) -> bool:
    if not isinstance(v, str):
        return False
    try:
        parts = urlsplit(v)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


_SCALARS = {
    "string": lambda v: isinstance(v, str),
    "url": lambda v: v == "" or _is_url(v),
    "bool": lambda v: isinstance(v, bool),
    "date": _is_date,
    "datetime": lambda v: parse_datetime(v) is not None,
    "object": lambda v: isinstance(v, dict),
}
_WHY = {
    "string": "must be a string",
    "url": "must be a valid URL",
    "bool": "must be a boolean",
    "date": "must be a date in YYYY-MM-DD format",
    "datetime": "must be an RFC 3339 date-time",
    "object": "must be an object",
}


def validate(spec: Obj, body: dict) -> None:
    """Raise Plaid's INVALID_REQUEST error for the first class of problem found."""
    w = _Walk()
    w.obj(spec, body, "")
    if w.missing:
        raise missing_fields(*w.missing)
    if w.unknown:
        raise PlaidError(
            "UNKNOWN_FIELDS",
            "the following fields are not recognized by this endpoint: " + ", ".join(w.unknown),
        )
    if w.invalid:
        name, why = w.invalid[0]
        raise invalid_field(name, why)
