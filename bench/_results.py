"""Where every benchmark leaves its numbers: bench/results/<name>, one JSON object, indented and
ending in a newline (the files are committed, so a new run reads as a small diff)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def results_read(name: str) -> dict:
    """What the last run left in bench/results/<name>; {} when there is no such file."""
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else {}


def results_write(name: str, result: dict, *, note: str = "") -> Path:
    """Replace bench/results/<name> with `result` and say so (with `note`, e.g. the database)."""
    path = RESULTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}" + (f" ({note})" if note else ""), flush=True)
    return path


def results_merge(name: str, keys: dict, *, note: str = "") -> Path:
    """Set `keys` in bench/results/<name>, keeping what other benchmarks wrote there."""
    return results_write(name, {**results_read(name), **keys}, note=note)
