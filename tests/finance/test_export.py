import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from finance.export import csv_rows, neutralise
from finance.splits import Part, splits_set
from finance.tags import transaction_tags_set
from tests.factories import TransactionFactory

pytestmark = pytest.mark.django_db


def export(client, query=""):
    r = client.get(f"/transactions/export.csv{query}")
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="transactions-')
    return b"".join(r.streaming_content).decode()


def test_it_exports_the_filtered_set_with_exact_amounts(alice_client, money):
    body = export(alice_client, f"?account={money['card'].public_id}")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["name"], r["amount"], r["direction"]) for r in rows] == [
        ("WHOLEFDS MKT", "86.40", "out"),
        ("UNITED AIRLINES", "389.99", "out"),
    ]
    assert rows[0]["pending"] == "yes"
    assert rows[0]["account"] == "Rewards Card"


def test_it_uses_crlf_and_rfc4180_quoting(alice_client, money):
    TransactionFactory(
        account=money["checking"], name='Dinner, "the good one"', notes="line one\nline two"
    )
    body = export(alice_client, "?q=dinner")
    assert body.endswith("\r\n")
    assert '"Dinner, ""the good one"""' in body
    assert '"line one\nline two"' in body
    row = list(csv.DictReader(io.StringIO(body, newline="")))[0]
    assert row["name"] == 'Dinner, "the good one"'


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_it_neutralises_formulas_in_text_cells(alice_client, money, text):
    TransactionFactory(account=money["checking"], name=text, merchant_name=text, notes=text)
    body = export(alice_client, "?min_amount=12.50&max_amount=12.50")
    row = list(csv.DictReader(io.StringIO(body, newline="")))[0]
    assert row["name"] == row["merchant"] == row["notes"] == "'" + text


def test_it_leaves_negative_amounts_as_numbers(alice_client, money):
    body = export(alice_client, "?direction=in")
    row = list(csv.DictReader(io.StringIO(body)))[0]
    assert row["amount"] == "-2500.00"
    assert row["direction"] == "in"


def test_it_keeps_every_decimal_digit():
    rows = [
        (
            dt.date(2025, 1, 2),
            None,
            "X",
            "",
            "",
            "",
            Decimal("1234567890123456.78"),
            "USD",
            "",
            False,
            "Checking",
            "1111",
            "",
            "t1",
        ),
    ]
    body = "".join(csv_rows(rows))
    assert ",1234567890123456.78,out,USD," in body


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Coffee") == "Coffee"
    assert neutralise("") == ""


def test_it_never_exports_another_users_transactions(bob_client, money):
    body = export(bob_client)
    assert body.count("\r\n") == 1  # the header only


def test_bad_filters_send_you_to_the_list_with_the_errors(alice_client, money):
    r = alice_client.get("/transactions/export.csv?start=nope")
    assert r.status_code == 302
    assert r["Location"] == "/transactions/?start=nope"


def test_it_requires_login(client):
    assert client.get("/transactions/export.csv").status_code == 302


def test_it_carries_tags_the_transfer_marker_and_split_parts(alice, alice_client, money):
    coffee = money["coffee"]
    transaction_tags_set(user=alice, transaction=coffee, names=["work", "=cmd"])
    splits_set(
        user=alice,
        transaction=coffee,
        parts=[Part(Decimal("3.00"), "TRAVEL", "taxi"), Part(Decimal("1.75"))],
    )
    rows = list(csv.DictReader(io.StringIO(export(alice_client))))
    parent = next(r for r in rows if r["transaction_id"] == coffee.transaction_id)
    assert (parent["tags"], parent["transfer"], parent["split"]) == ("'=cmd, work", "no", "parent")
    parts = [r for r in rows if r["split_of"] == coffee.transaction_id]
    assert [(p["amount"], p["category"], p["notes"], p["split"]) for p in parts] == [
        ("3.00", "TRAVEL", "taxi", "part"),
        ("1.75", parent["category"], "", "part"),
    ]
