import datetime as dt
import http.server
import io
import threading
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.currency.rates import (
    embedded_history,
    rates_load_embedded,
    rates_parse,
    rates_refresh,
)
from finance.models import ExchangeRate
from finance.tasks import rates_refresh as rates_refresh_task

HIST_CSV = (
    "Date,USD,JPY,GBP,CYP,\n"
    "2026-11-03,1.1050,170.5,0.8450,N/A,\n"
    "2026-11-02,1.1000,170.1,0.8500,N/A,\n"
)
DAILY_CSV = "Date, USD, GBP, \n04 November 2026, 1.1100, 0.8400, \n"


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def ecb_server():
    """A local stand-in for the ECB's site: serves whatever bytes a test puts in `files`."""
    files: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", files
    server.shutdown()


def test_it_reads_both_of_the_ecbs_file_shapes():
    hist = list(rates_parse(zipped("eurofxref-hist.csv", HIST_CSV)))
    daily = list(rates_parse(DAILY_CSV.encode()))
    assert {(r.date, r.currency, r.rate) for r in hist} == {
        (dt.date(2026, 11, 3), "USD", Decimal("1.1050")),
        (dt.date(2026, 11, 3), "JPY", Decimal("170.5")),
        (dt.date(2026, 11, 3), "GBP", Decimal("0.8450")),
        (dt.date(2026, 11, 2), "USD", Decimal("1.1000")),
        (dt.date(2026, 11, 2), "JPY", Decimal("170.1")),
        (dt.date(2026, 11, 2), "GBP", Decimal("0.8500")),
    }
    assert {(r.date, r.currency, r.rate) for r in daily} == {
        (dt.date(2026, 11, 4), "USD", Decimal("1.1100")),
        (dt.date(2026, 11, 4), "GBP", Decimal("0.8400")),
    }


def test_it_loads_the_shipped_history_offline(db):
    written = rates_load_embedded(since=dt.date(2026, 10, 1))
    assert written == ExchangeRate.objects.count() > 0
    friday = ExchangeRate.objects.get(date=dt.date(2026, 10, 30), currency="GBP")
    assert friday.rate == Decimal("0.8338")
    assert not ExchangeRate.objects.filter(currency="EUR").exists()


def test_it_loads_again_without_duplicates(db):
    call_command("rates_load", "--since=2026-10-20", stdout=io.StringIO())
    count = ExchangeRate.objects.count()
    call_command("rates_load", "--since=2026-10-20", stdout=io.StringIO())
    assert ExchangeRate.objects.count() == count


def test_the_shipped_history_goes_back_to_1999():
    rows = list(rates_parse(embedded_history()))
    assert len(rows) > 100_000
    assert min(r.date for r in rows) == dt.date(1999, 1, 4)


def test_it_loads_in_batches_not_row_by_row(db):
    with CaptureQueriesContext(connection) as queries:
        written = rates_load_embedded(since=dt.date(2025, 1, 1))
    assert written > 10_000
    # One INSERT per batch of 2,000 rows (SQLite may split a batch further), not one per row.
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) < written / 100


def test_it_refreshes_from_the_configured_url(db, settings, ecb_server):
    base, files = ecb_server
    files["/hist.zip"] = zipped("eurofxref-hist.csv", HIST_CSV)
    ExchangeRate.objects.create(date=dt.date(2026, 11, 2), currency="USD", rate=Decimal("9"))
    settings.ECB_RATES_URL = f"{base}/hist.zip"
    assert rates_refresh_task.delay().get() == 6
    # A corrected rate replaces the stored one.
    assert ExchangeRate.objects.get(date=dt.date(2026, 11, 2), currency="USD").rate == Decimal(
        "1.1000"
    )


def test_it_only_logs_when_the_ecb_is_unreachable(db, caplog):
    ExchangeRate.objects.create(date=dt.date(2026, 11, 2), currency="USD", rate=Decimal("1.1"))
    assert rates_refresh() is None
    assert ExchangeRate.objects.count() == 1
    assert "exchange rates refresh failed" in caplog.text


def test_it_only_logs_when_the_file_is_not_a_rates_file(db, settings, ecb_server, caplog):
    base, files = ecb_server
    files["/junk.zip"] = b"PK not a zip"
    settings.ECB_RATES_URL = f"{base}/junk.zip"
    assert rates_refresh() is None
    assert "exchange rates refresh failed" in caplog.text


def test_the_refresh_has_a_beat_row(db):
    from django_celery_beat.models import PeriodicTask

    row = PeriodicTask.objects.get(task="finance.tasks.rates_refresh")
    assert row.enabled and row.crontab is not None


def test_it_skips_loading_when_asked_and_rates_exist(db):
    ExchangeRate.objects.create(date=dt.date(2026, 11, 2), currency="USD", rate=Decimal("1.1"))
    call_command("rates_load", "--if-empty", stdout=io.StringIO())
    assert ExchangeRate.objects.count() == 1
