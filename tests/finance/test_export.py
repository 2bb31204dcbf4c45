import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from accounts.models import SecurityEvent
from finance.export import csv_rows, neutralise
from tests.factories import TransactionFactory
from tests.reauth import recently_authenticated

pytestmark = pytest.mark.django_db


# Exporting asks for the password again; these clients have just entered it.
@pytest.fixture
def alice_client(alice_client):
    return recently_authenticated(alice_client, "alice-pass-123")


@pytest.fixture
def bob_client(bob_client):
    return recently_authenticated(bob_client, "bob-pass-1234")


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


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # A tab is a delimiter too: the piece after it is neutralised as well.
        ("\t=1", "'\t'=1"),
    ],
)
def test_it_neutralises_formulas_in_text_cells(alice_client, money, text, written):
    TransactionFactory(account=money["checking"], name=text, merchant_name=text, notes=text)
    body = export(alice_client, "?min_amount=12.50&max_amount=12.50")
    row = list(csv.DictReader(io.StringIO(body, newline="")))[0]
    assert row["name"] == row["merchant"] == row["notes"] == written


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
    assert ',1234567890123456.78,"out","USD",' in body


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("note;=1+2", "note;'=1+2"),
        ("a,+1", "a,'+1"),
        ("tab\t@SUM(A1)", "tab\t'@SUM(A1)"),
        ("pipe|-1", "pipe|'-1"),
        ('x; "=1', "x;' \"=1"),
        ("line\n=2", "line\n'=2"),
        (" =3", "' =3"),
        ("=1;=2", "'=1;'=2"),
    ],
)
def test_it_neutralises_formulas_behind_any_delimiter_a_spreadsheet_might_guess(
    alice_client, money, text, written
):
    TransactionFactory(account=money["checking"], name=text, notes=text)
    body = export(alice_client, "?min_amount=12.50&max_amount=12.50")
    row = list(csv.DictReader(io.StringIO(body, newline="")))[0]
    assert row["name"] == row["notes"] == written


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_no_piece_starts_a_formula_whatever_the_delimiter(alice_client, money, delimiter):
    TransactionFactory(
        account=money["checking"], name="note;=1+2", merchant_name="a\t@x|-y", notes="plain"
    )
    body = export(alice_client, "?min_amount=12.50&max_amount=12.50")
    line = body.split("\r\n")[1]
    assert '"note;\'=1+2"' in line
    assert '"plain"' in line
    assert ",12.50," in line  # the amount stays an unquoted number
    for row in csv.reader(io.StringIO(body, newline=""), delimiter=delimiter):
        for cell in row:
            assert not cell.lstrip(' "').startswith(("=", "+", "-", "@")), cell


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Coffee") == "Coffee"
    assert neutralise("") == ""
    assert neutralise("Coffee; tea") == "Coffee; tea"
    assert neutralise("Rent - May") == "Rent - May"


def test_it_never_exports_another_users_transactions(bob_client, money):
    body = export(bob_client)
    assert body.count("\r\n") == 1  # the header only


def test_bad_filters_send_you_to_the_list_with_the_errors(alice_client, money):
    r = alice_client.get("/transactions/export.csv?start=nope")
    assert r.status_code == 302
    assert r["Location"] == "/transactions/?start=nope"


def test_it_requires_login(client):
    assert client.get("/transactions/export.csv").status_code == 302


def test_it_asks_for_the_password_again_before_exporting(client, alice, money):
    client.force_login(alice)
    response = client.get("/transactions/export.csv?direction=in")
    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/reauthenticate/?next=%2Ftransactions%2Fexport.csv%3Fdirection%3Din"
    )
    assert not SecurityEvent.objects.filter(kind="data_exported").exists()
    response = client.post(response["Location"], {"password": "alice-pass-123"})
    assert response["Location"] == "/transactions/export.csv?direction=in"
    assert client.get(response["Location"]).status_code == 200


def test_it_writes_the_export_to_the_security_log(alice_client, alice, money):
    export(alice_client, "?direction=in")
    event = SecurityEvent.objects.get(user=alice, kind="data_exported")
    assert event.details == {"format": "csv", "filters": "direction=in"}
