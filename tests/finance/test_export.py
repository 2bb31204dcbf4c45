import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from finance.export import csv_rows, neutralise
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
    assert rows[0]["bank"] == money["card"].item.institution.name


def test_it_names_categories_as_on_screen_and_keeps_their_codes(alice_client, money):
    body = export(alice_client, "?q=starbucks")
    row = list(csv.DictReader(io.StringIO(body)))[0]
    assert (row["category"], row["category_code"]) == ("Food & drink", "FOOD_AND_DRINK")
    assert row["bank_category"] == "Food & drink"


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
            "First Platypus Bank",
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
