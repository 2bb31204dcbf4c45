import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from banking.models import Account, PlaidItem, Transaction
from finance import access, task_names
from finance.categories import category_merge
from finance.models import (
    BalanceSnapshot,
    Category,
    DataImport,
    ManualAsset,
    ManualValue,
    Rule,
    SplitPart,
    Tag,
    TransactionMeta,
    TransferLink,
)
from finance.portability.importer import data_import_run
from finance.portability.load import IMPORTED
from finance.rules import rules_apply
from finance.tags import transaction_tags_set
from finance.transaction_edits import transaction_annotate
from finance.transfers import transfer_link
from tests.reauth import recently_authenticated

from .conftest import export_zip, rezip, the_import, unzip, upload

pytestmark = pytest.mark.django_db

IDS = {"id", "account", "bank_connection", "transaction", "outflow", "inflow", "budget", "asset"}
# Every kind the import reads but the banks (they come back as manual items: checked apart).
COMPARED = tuple(kind for kind in IMPORTED if kind != "bank_connections")


def rows_without_ids(data: bytes, kind: str) -> list[dict]:
    text = unzip(data)[f"{kind}.csv"].decode()
    return [{k: v for k, v in r.items() if k not in IDS} for r in csv.DictReader(io.StringIO(text))]


def test_it_imports_everything_into_a_new_user_as_manual_accounts(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    r = upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    assert r.status_code == 302 and r["Location"] == "/settings/export/"
    row = the_import(carol)
    assert (row.state, row.error) == ("done", "")
    assert row.counts["transactions"] == Transaction.objects.filter(user=alice).count()
    items = access.items_visible(carol)
    assert {i.kind for i in items} == {PlaidItem.Kind.MANUAL}
    assert {i.access_token for i in items} == {""}
    assert sorted(i.display_name for i in items) == sorted(
        i.display_name for i in access.items_visible(alice)
    )
    assert not row.file
    page = carol_client.get("/settings/export/").content.decode()
    assert "imported" in page and "transactions" in page


def test_the_import_exports_the_same_files_as_the_original_apart_from_ids(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    money = organised
    transfer_link(user=alice, first=money["to_savings"], second=money["salary"])
    today = timezone.localdate()
    for days, current in ((2, "1100.50"), (1, "1250.00")):
        BalanceSnapshot.objects.create(
            account=money["checking"],
            date=today - timedelta(days=days),
            current=Decimal(current),
            currency="USD",
            estimated=days == 2,
        )
    house = ManualAsset.objects.create(
        user=alice, name="Flat", kind="asset", category="property", currency="GBP", value=9
    )
    ManualValue.objects.create(asset=house, date=today, value=Decimal("250000.00"))
    coffee = access.categories_visible(alice).get(code="FOOD_AND_DRINK_COFFEE")
    category_merge(source=coffee, target=access.categories_visible(alice).get(code="TRAVEL"))
    access.categories_visible(alice).filter(code="RENT_AND_UTILITIES").update(hidden=True)
    original = export_zip(alice)
    upload(carol_client, original, django_capture_on_commit_callbacks)
    assert the_import(carol).state == "done"
    again = export_zip(carol)
    for kind in COMPARED:
        assert rows_without_ids(again, kind) == rows_without_ids(original, kind), kind
    assert TransferLink.objects.filter(user=carol).count() == 1
    assert len(rows_without_ids(again, "balance_history")) == 2
    assert len(rows_without_ids(again, "manual_values")) == 1
    assert access.categories_visible(carol).get(code="FOOD_AND_DRINK_COFFEE").merged_into.code == (
        "TRAVEL"
    )
    assert SplitPart.objects.filter(parent__user=carol).count() == 2


def test_text_round_trips_byte_for_byte(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    money = organised
    texts = ["=1+2", "+plus", "-minus", "@at", "'apostrophe", "'=guarded", "a;=b|@c\t-d", " =x"]
    for text, key in zip(texts, ("coffee", "groceries", "flight", "salary"), strict=False):
        money[key].notes = text
        money[key].save()
    transaction_tags_set(user=alice, transaction=money["coffee"], names=["+plus", "'quote", "@a"])
    Category.objects.filter(user=alice, code="TRAVEL").update(name="=Trips; -far")
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    assert the_import(carol).state == "done"
    for key in ("coffee", "groceries", "flight", "salary"):
        t = money[key]
        [twin] = Transaction.objects.filter(user=carol, name=t.name, date=t.date, amount=t.amount)
        assert twin.notes == t.notes
    assert sorted(access.tags_visible(carol).values_list("name", flat=True)) == sorted(
        access.tags_visible(alice).values_list("name", flat=True)
    )
    assert access.categories_visible(carol).get(code="TRAVEL").name == "=Trips; -far"


def test_tag_names_holding_the_separator_quotes_or_backslashes_come_back_whole(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    money = organised
    names = ["a, b", 'say "hi"', "back\\slash", '["not", "a list"]', "=1, -2"]
    transaction_tags_set(user=alice, transaction=money["coffee"], names=names)
    data = export_zip(alice)
    [coffee] = [
        r
        for r in csv.DictReader(io.StringIO(unzip(data)["transactions.csv"].decode()))
        if r["name"] == "STARBUCKS 123"
    ]
    assert coffee["tags"].startswith("[")
    upload(carol_client, data, django_capture_on_commit_callbacks)
    assert the_import(carol).state == "done"
    [twin] = Transaction.objects.filter(user=carol, name="STARBUCKS 123")
    assert sorted(twin.tag_links.values_list("tag__name", flat=True)) == sorted(names)
    assert access.tags_visible(carol).count() == access.tags_visible(alice).count()


def test_a_tags_cell_that_is_not_a_json_list_is_refused(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    data = rezip(
        export_zip(alice), "transactions.csv", lambda text: text.replace('""family""]', "family")
    )
    upload(carol_client, data, django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert row.state == "failed"
    assert "column tags" in row.error and "is not a JSON list of names" in row.error
    assert not Transaction.objects.filter(user=carol).exists()


def test_rules_leave_an_imported_hand_set_row_alone_and_may_redo_an_imported_rule_set_one(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    money = organised
    coffee, groceries = money["coffee"], money["groceries"]
    transaction_annotate(transaction=coffee, category_override="TRAVEL", notes=coffee.notes)
    TransactionMeta.objects.filter(transaction=coffee).update(
        display_name="My coffee", user_fields=["category", "display_name"]
    )
    groceries.category_override = "FOOD_AND_DRINK"
    groceries.save()
    TransactionMeta.objects.create(transaction=groceries, rule_fields=["category"])
    data = export_zip(alice)
    rows = {
        r["name"]: r for r in csv.DictReader(io.StringIO(unzip(data)["transactions.csv"].decode()))
    }
    assert rows["STARBUCKS 123"]["set_by_you"] == '["category", "display_name"]'
    assert rows["WHOLEFDS MKT"]["set_by_rules"] == '["category"]'
    upload(carol_client, data, django_capture_on_commit_callbacks)
    assert the_import(carol).state == "done"
    for text in ("starbucks", "wholefds"):
        Rule.objects.create(
            user=carol,
            name=text,
            text_value=text,
            set_category="ENTERTAINMENT",
            set_display_name="From a rule",
        )
    mine = Transaction.objects.filter(user=carol)
    rules_apply(user=carol, transaction_ids=mine.values_list("pk", flat=True))
    hand = mine.select_related("meta").get(name="STARBUCKS 123")
    assert (hand.category_override, hand.meta.display_name) == ("TRAVEL", "My coffee")
    redone = mine.select_related("meta").get(name="WHOLEFDS MKT")
    assert (redone.category_override, redone.meta.display_name) == ("ENTERTAINMENT", "From a rule")


def test_a_field_name_that_rules_do_not_set_is_refused(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    TransactionMeta.objects.create(transaction=organised["coffee"], user_fields=["amount"])
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert row.state == "failed"
    assert "column set_by_you: 'amount' is not a field" in row.error
    assert not Transaction.objects.filter(user=carol).exists()


def test_a_bad_cell_is_refused_naming_file_line_and_column_and_nothing_changes(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    def break_second_amount(text):
        lines = text.split("\r\n")
        cells = next(csv.reader([lines[2]]))
        cells[6] = "12.x"
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        lines[2] = out.getvalue()
        return "\r\n".join(lines)

    data = rezip(export_zip(alice), "transactions.csv", break_second_amount)
    categories = list(access.categories_visible(carol).values_list("code", "name"))
    upload(carol_client, data, django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert row.state == "failed"
    assert row.error.startswith("transactions.csv line 3, column amount: '12.x'")
    assert not access.items_visible(carol).exists()
    assert not Transaction.objects.filter(user=carol).exists()
    assert list(access.categories_visible(carol).values_list("code", "name")) == categories
    assert (
        "transactions.csv line 3, column amount"
        in carol_client.get("/settings/export/").content.decode()
    )


def test_a_reference_to_an_id_not_in_the_file_is_refused(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    stranger = str(uuid.uuid4())

    def point_elsewhere(text):
        header, first, *rest = text.split("\r\n")
        return "\r\n".join([header, f'"{stranger}"' + first[first.index(",") :], *rest])

    data = rezip(export_zip(alice), "split_parts.csv", point_elsewhere)
    upload(carol_client, data, django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert row.state == "failed"
    assert row.error == (
        f"split_parts.csv line 2, column transaction: '{stranger}' is not an id in "
        "transactions.csv."
    )
    assert not Transaction.objects.filter(user=carol).exists()


def test_a_user_who_has_data_is_refused_clearly(alice, alice_client, organised):
    recently_authenticated(alice_client, "alice-pass-123")
    before = Transaction.objects.filter(user=alice).count()
    r = alice_client.post(
        "/settings/import/",
        {"archive": SimpleUploadedFile("x.zip", export_zip(alice))},
        follow=True,
    )
    assert "can only be imported into an account that has none yet" in r.content.decode()
    assert not DataImport.objects.exists()
    assert Transaction.objects.filter(user=alice).count() == before


def test_a_post_without_a_file_asks_for_it(carol, carol_client):
    # What allauth replays after the password: the form without its file.
    r = carol_client.post("/settings/import/", follow=True)
    assert "Choose the ZIP file of a Ledgerline export." in r.content.decode()
    assert not DataImport.objects.exists()


def test_a_file_that_is_not_a_zip_is_refused(carol, carol_client):
    r = carol_client.post(
        "/settings/import/", {"archive": SimpleUploadedFile("x.zip", b"a,b\r\n")}, follow=True
    )
    assert "not a ZIP file" in r.content.decode()
    assert not DataImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(alice, organised, carol, carol_client, settings):
    settings.DATA_IMPORT_MAX_BYTES = 100
    r = carol_client.post(
        "/settings/import/",
        {"archive": SimpleUploadedFile("x.zip", export_zip(alice))},
        follow=True,
    )
    assert "larger than" in r.content.decode()
    assert not DataImport.objects.exists()


def test_importing_asks_for_the_password_again(carol):
    client = Client()
    client.force_login(carol)
    r = client.post("/settings/import/", {"archive": SimpleUploadedFile("x.zip", b"PK")})
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/reauthenticate/")
    assert not DataImport.objects.exists()


def test_it_rejects_a_get(carol_client):
    assert carol_client.get("/settings/import/").status_code == 405


def test_a_post_without_the_csrf_token_is_refused(carol):
    client = Client(enforce_csrf_checks=True)
    client.force_login(carol)
    r = client.post("/settings/import/", {"archive": SimpleUploadedFile("x.zip", b"PK")})
    assert r.status_code == 403
    assert not DataImport.objects.exists()


def test_the_task_writes_only_to_the_uploader(
    alice, bob, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    alice_rows = Transaction.objects.filter(user=alice).count()
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    assert Transaction.objects.filter(user=carol).count() == alice_rows
    assert Transaction.objects.filter(user=alice).count() == alice_rows
    assert not Transaction.objects.filter(user=bob).exists()
    assert not access.items_visible(bob).exists()
    # The imported accounts are carol's alone, and bob's pages never reach them.
    account = Account.objects.filter(item__user=carol).first()
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.get(f"/banks/{account.item.public_id}/").status_code == 404
    assert "data-import" not in bob_client.get("/settings/export/").content.decode()


def test_the_task_checks_again_that_the_user_has_no_data(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    # Queued, then the user made a tag before the worker ran: nothing is merged into it.
    carol_client.post(
        "/settings/import/", {"archive": SimpleUploadedFile("x.zip", export_zip(alice))}
    )
    Tag.objects.create(user=carol, name="mine")
    row = the_import(carol)
    assert data_import_run(import_id=row.pk) == "failed"
    row.refresh_from_db()
    assert "can only be imported into an account that has none yet" in row.error
    assert not Transaction.objects.filter(user=carol).exists()
    assert not row.file


def test_a_task_delivered_twice_imports_once(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert data_import_run(import_id=row.pk) == "skipped"
    assert Transaction.objects.filter(user=carol).count() == row.counts["transactions"]


def test_the_import_task_is_registered_under_its_pinned_name():
    assert task_names.task(task_names.DATA_IMPORT_RUN).name == "finance.tasks.data_import_run"


def test_amounts_are_exact(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    total = sum(Transaction.objects.filter(user=alice).values_list("amount", flat=True))
    assert sum(Transaction.objects.filter(user=carol).values_list("amount", flat=True)) == total
    assert isinstance(total, Decimal)
