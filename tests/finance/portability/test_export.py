import csv
import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from finance import task_names
from finance.models import DataExport
from finance.portability.archive import EXPORTED
from finance.portability.export import data_export_build, data_exports_purge
from finance.tasks import data_exports_purge as purge_task
from tests.factories import AccountFactory, PlaidItemFactory, TransactionFactory
from tests.reauth import recently_authenticated

from .conftest import export_zip, ready_export, unzip

pytestmark = pytest.mark.django_db


def build(user) -> dict[str, bytes]:
    return unzip(export_zip(user))


def csv_of(files, kind):
    return list(csv.DictReader(io.StringIO(files[f"{kind}.csv"].decode())))


def jsonl_of(files, kind):
    return [json.loads(line) for line in files[f"{kind}.jsonl"].decode().splitlines()]


def start(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/settings/export/start/")


def test_it_holds_a_csv_and_a_jsonl_of_every_kind_and_a_readme(alice, organised):
    files = build(alice)
    names = {k.name for k in EXPORTED}
    assert set(files) == {"README.txt"} | {f"{n}.{ext}" for n in names for ext in ("csv", "jsonl")}
    readme = files["README.txt"].decode()
    for kind in EXPORTED:
        assert csv_of(files, kind.name) == [] or list(csv_of(files, kind.name)[0]) == kind.header
        for column in kind.header:
            assert f"  {column} " in readme


def test_csv_and_jsonl_say_the_same_with_exact_amounts(alice, organised):
    files = build(alice)
    rows, lines = csv_of(files, "transactions"), jsonl_of(files, "transactions")
    assert [r["amount"] for r in rows] == [line["amount"] for line in lines]
    by_name = {line["name"]: line for line in lines}
    assert by_name["UNITED AIRLINES"]["amount"] == "389.99"
    assert by_name["UNITED AIRLINES"]["split"] is True
    assert by_name["WHOLEFDS MKT"]["tags"] == ["=1+2", "family"]
    assert by_name["ACME PAYROLL"]["amount"] == "-2500.00"
    parts = jsonl_of(files, "split_parts")
    assert [(p["amount"], p["notes"]) for p in parts] == [
        ("300.00", "ticket"),
        ("89.99", "-meals on board"),
    ]
    assert parts[0]["transaction"] == str(organised["flight"].public_id)


def test_csv_text_is_guarded_against_formulas(alice, organised):
    files = build(alice)
    rows = {r["name"]: r for r in csv_of(files, "transactions")}
    assert rows["WHOLEFDS MKT"]["tags"] == '["=1+2", "family"]'
    notes = [p["notes"] for p in csv_of(files, "split_parts")]
    assert notes == ["ticket", "'-meals on board"]
    # Amounts are numbers: never quoted, never prefixed.
    assert b",-2500.00," in files["transactions.csv"]


def test_it_holds_rules_budgets_and_categories(alice, organised):
    files = build(alice)
    assert [r["text_value"] for r in jsonl_of(files, "rules")] == ["starbucks"]
    budget = jsonl_of(files, "budgets")[0]
    assert (budget["category"], budget["currency"]) == ("FOOD_AND_DRINK", "USD")
    assert jsonl_of(files, "budget_months")[0]["amount"] == "250.00"
    assert "FOOD_AND_DRINK" in {c["code"] for c in jsonl_of(files, "categories")}


def test_it_never_exports_a_bank_token_or_cursor(alice, organised):
    item = organised["good"]
    item.transactions_cursor = "cursor-secret-123"
    item.save()
    files = build(alice)
    blob = b"".join(files.values())
    assert item.access_token.encode() not in blob
    assert b"cursor-secret-123" not in blob
    assert b"access_token" not in blob
    banks = jsonl_of(files, "bank_connections")
    assert {b["id"] for b in banks} == {
        str(organised["good"].public_id),
        str(organised["bad"].public_id),
    }


def test_it_holds_only_the_owners_data(alice, bob, organised):
    other = AccountFactory(item=PlaidItemFactory(user=bob), name="Bob's secret account")
    TransactionFactory(account=other, name="BOB ONLY PURCHASE")
    blob = b"".join(build(alice).values())
    assert b"BOB ONLY PURCHASE" not in blob
    assert b"Bob's secret account" not in blob
    bob_files = build(bob)
    assert [t["name"] for t in jsonl_of(bob_files, "transactions")] == ["BOB ONLY PURCHASE"]


def test_starting_an_export_asks_for_the_password_again(alice_client, organised):
    r = alice_client.post("/settings/export/start/")
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/reauthenticate/")
    assert not DataExport.objects.exists()


def test_it_rejects_a_get_to_start(alice_client):
    recently_authenticated(alice_client, "alice-pass-123")
    assert alice_client.get("/settings/export/start/").status_code == 405
    assert not DataExport.objects.exists()


def test_it_builds_the_export_emails_the_link_and_shows_it(
    alice_client, alice, organised, django_capture_on_commit_callbacks
):
    recently_authenticated(alice_client, "alice-pass-123")
    r = start(alice_client, django_capture_on_commit_callbacks)
    assert r.status_code == 302 and r["Location"] == "/settings/export/"
    row = DataExport.objects.get(user=alice)
    assert row.state == "ready"
    assert row.expires_at - row.finished_at == timedelta(hours=24)
    link = f"/settings/export/{row.public_id}/download/?t="
    [email] = mail.outbox
    assert email.to == ["alice@example.com"] and link in email.body
    [(html, kind)] = email.alternatives
    assert kind == "text/html" and "Download my data" in html
    response = alice_client.get(link_of(alice_client, row))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ledgerline-export-')
    files = unzip(b"".join(response.streaming_content))
    assert "STARBUCKS 123" in files["transactions.csv"].decode()


def test_asking_twice_while_one_is_queued_starts_nothing_new(alice_client, alice, organised):
    recently_authenticated(alice_client, "alice-pass-123")
    # Without running on-commit callbacks the first export stays queued.
    alice_client.post("/settings/export/start/")
    alice_client.post("/settings/export/start/")
    assert DataExport.objects.filter(user=alice).count() == 1


def link_of(client, row):
    page = client.get("/settings/export/").content.decode()
    start_at = page.index(f"/settings/export/{row.public_id}/download/")
    return page[start_at:].split('"', 1)[0].replace("&amp;", "&")


def test_another_user_gets_404_for_a_download_link(alice_client, alice, bob, organised, client):
    row = ready_export(alice)
    link = link_of(alice_client, row)
    client.force_login(bob)
    assert client.get(link).status_code == 404
    # And bob's page does not list alice's export.
    assert str(row.public_id) not in client.get("/settings/export/").content.decode()


def test_a_download_without_a_valid_signature_is_404(alice_client, alice, organised):
    row = ready_export(alice)
    base = f"/settings/export/{row.public_id}/download/"
    assert alice_client.get(base).status_code == 404
    assert alice_client.get(base + "?t=" + str(row.public_id) + ":forged").status_code == 404
    other = ready_export(alice)
    # A signature made for another export of the same user does not open this one.
    token = link_of(alice_client, other).split("?t=", 1)[1]
    assert alice_client.get(f"{base}?t={token}").status_code == 404


def test_an_expired_export_is_404_and_the_retention_task_deletes_it(alice_client, alice, organised):
    row = ready_export(alice)
    link = link_of(alice_client, row)
    assert alice_client.get(link).status_code == 200
    DataExport.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert alice_client.get(link).status_code == 404
    fresh = ready_export(alice)
    assert purge_task.apply().get() == 1
    assert not default_storage.exists(row.file.name)
    assert list(DataExport.objects.all()) == [fresh]
    assert default_storage.exists(fresh.file.name)
    assert data_exports_purge() == 0


def test_the_retention_task_has_a_beat_row_under_its_pinned_name():
    assert PeriodicTask.objects.filter(task=task_names.DATA_EXPORTS_PURGE, enabled=True).exists()
    assert task_names.task(task_names.DATA_EXPORTS_PURGE).name == "finance.tasks.data_exports_purge"


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    assert client.get("/settings/export/")["Location"].startswith("/accounts/login/")


def test_the_account_page_links_to_the_export(alice_client):
    assert 'href="/settings/export/"' in alice_client.get("/accounts/profile/").content.decode()


def test_the_page_lists_only_the_users_own_exports(alice_client, alice, bob, organised):
    mine, theirs = ready_export(alice), ready_export(bob)
    page = alice_client.get("/settings/export/").content.decode()
    assert str(mine.public_id) in page
    assert str(theirs.public_id) not in page


def test_a_storage_failure_is_stored_on_the_row_and_shown(alice_client, alice, settings, tmp_path):
    # A file where the media directory should be: the storage cannot write anything.
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked
    row = DataExport.objects.create(user=alice, expires_at=timezone.now() + timedelta(hours=1))
    assert data_export_build(export_id=row.pk) == "failed"
    row.refresh_from_db()
    assert (row.state, bool(row.error), row.file.name) == ("failed", True, "")
    assert "it failed. Please try again." in alice_client.get("/settings/export/").content.decode()
    # A second delivery of the same task does nothing.
    assert data_export_build(export_id=row.pk) == "skipped"
