"""The portfolio page, its holdings CSV, the liabilities page and payments_due: each user sees
only their own, money per currency, hidden accounts left out."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from banking.models import Holding, InvestmentTransaction, Liability, Security
from finance.wealth.selectors import investment_transactions_for, payments_due, portfolio
from tests import factories as f
from tests.reauth import recently_authenticated

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _security(key, name, kind):
    return Security.objects.get_or_create(
        security_id=key, defaults={"name": name, "ticker": key.upper(), "type": kind}
    )[0]


def _hold(account, security, qty, price, cost):
    return Holding.objects.create(
        account=account,
        security=security,
        quantity=Decimal(qty),
        price=Decimal(price),
        value=(Decimal(qty) * Decimal(price)).quantize(Decimal("0.01")),
        cost_basis=None if cost is None else Decimal(cost),
        iso_currency_code=account.iso_currency_code,
        price_as_of=TODAY,
    )


def _investment_account(user, name="Plaid Brokerage", currency="USD", **kw):
    return f.AccountFactory(
        item=f.PlaidItemFactory(user=user),
        name=name,
        type="investment",
        subtype="brokerage",
        iso_currency_code=currency,
        **kw,
    )


@pytest.fixture
def invested(alice):
    brokerage = _investment_account(alice)
    k401 = _investment_account(alice, name="Plaid 401k", mask="6666")
    etf = _security("ptmx", "Platypus Total Market ETF", "etf")
    cash = _security("usd", "U S Dollar", "cash")
    _hold(brokerage, etf, "10", "110.00", "1000.00")
    _hold(brokerage, cash, "250", "1", "250.00")
    _hold(k401, _security("gngm", "=HYPERLINK(1)", "equity"), "4", "50.00", "250.00")
    InvestmentTransaction.objects.create(
        account=brokerage,
        investment_transaction_id="inv-div",
        security=etf,
        date=TODAY,
        name="DIVIDEND Platypus Total Market ETF",
        type="cash",
        subtype="dividend",
        quantity=0,
        price=0,
        amount=Decimal("-3.30"),
        iso_currency_code="USD",
    )
    return brokerage, k401


def test_it_totals_value_cost_and_gain_with_allocations(alice, invested):
    (p,) = portfolio(alice)
    assert (p.currency, p.value, p.cost, p.gain) == (
        "USD",
        Decimal("1550.00"),
        Decimal("1500.00"),
        Decimal("50.00"),
    )
    assert p.gain_pct == Decimal("3.3")
    assert [(s.label, s.value) for s in p.by_type] == [
        ("ETFs", Decimal("1100.00")),
        ("Cash", Decimal("250.00")),
        ("Stocks", Decimal("200.00")),
    ]
    assert {s.label for s in p.by_account} == {"Plaid Brokerage ··0000", "Plaid 401k ··6666"}
    etf_row = next(r for r in p.rows if r.holding.security.type == "etf")
    assert (etf_row.gain, etf_row.gain_pct) == (Decimal("100.00"), Decimal("10.0"))


def test_it_keeps_currencies_apart(alice, invested):
    tfsa = _investment_account(alice, name="TFSA", currency="CAD")
    _hold(tfsa, _security("xic", "Maple Index", "etf"), "10", "30.00", "200.00")
    assert [(p.currency, p.value) for p in portfolio(alice)] == [
        ("CAD", Decimal("300.00")),
        ("USD", Decimal("1550.00")),
    ]


def test_it_leaves_hidden_accounts_out(alice, invested):
    brokerage, _ = invested
    brokerage.hidden = True
    brokerage.save()
    (p,) = portfolio(alice)
    assert p.value == Decimal("200.00")


def test_the_page_shows_holdings_gains_and_activity(alice_client, invested):
    html = alice_client.get("/investments/").content.decode()
    assert "Platypus Total Market ETF" in html and "$1,550.00" in html
    assert "$100.00" in html and "(10.0%)" in html
    assert "DIVIDEND Platypus Total Market ETF" in html and "dividend" in html
    assert 'href="/investments/"' in html and 'href="/liabilities/"' in html


def test_the_page_filters_by_one_of_your_accounts(alice_client, invested):
    _, k401 = invested
    html = alice_client.get(f"/investments/?account={k401.public_id}").content.decode()
    assert "$200.00" in html and "Platypus Total Market ETF" not in html


def test_bob_sees_none_of_alices_investments(bob_client, invested):
    brokerage, _ = invested
    assert bob_client.get(f"/investments/?account={brokerage.public_id}").status_code == 404
    assert bob_client.get("/investments/?account=not-a-uuid").status_code == 404
    html = bob_client.get("/investments/").content.decode()
    assert "Platypus" not in html and "No investments yet" in html


def test_the_csv_lists_holdings_with_exact_numbers_and_no_formulas(alice, alice_client, invested):
    client = recently_authenticated(alice_client, "alice-pass-123")
    response = client.get("/investments/holdings.csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.split("\r\n")
    assert lines[0].startswith('"account","security","ticker"')
    assert any(
        '"Platypus Total Market ETF","PTMX","etf",10,110,1100.00,1000.00,100.00' in x for x in lines
    )
    assert '"\'=HYPERLINK(1)"' in body


def test_bobs_csv_has_only_the_header(bob_client, invested):
    client = recently_authenticated(bob_client, "bob-pass-1234")
    body = b"".join(client.get("/investments/holdings.csv").streaming_content).decode()
    assert body.count("\r\n") == 1


def test_the_csv_asks_for_the_password_again(alice_client, invested):
    assert alice_client.get("/investments/holdings.csv").status_code == 302


# --- Liabilities ----------------------------------------------------------------------------------
def _card(user, due, *, overdue=False, minimum="35.00"):
    account = f.AccountFactory(
        item=f.PlaidItemFactory(user=user),
        name="Plaid Credit Card",
        mask="3333",
        type="credit",
        subtype="credit card",
        current_balance=Decimal("612.40"),
    )
    return Liability.objects.create(
        account=account,
        kind="credit",
        aprs=[{"type": "purchase_apr", "percentage": "12.5"}],
        interest_rate=Decimal("12.5"),
        last_statement_balance=Decimal("540.10"),
        last_statement_date=due - timedelta(days=25),
        minimum_payment=Decimal(minimum),
        next_payment_amount=Decimal(minimum),
        next_payment_due_date=due,
        is_overdue=overdue,
    )


def _mortgage(user, due):
    account = f.AccountFactory(
        item=f.PlaidItemFactory(user=user),
        name="Plaid Mortgage",
        type="loan",
        subtype="mortgage",
        current_balance=Decimal("56302.06"),
    )
    return Liability.objects.create(
        account=account,
        kind="mortgage",
        interest_rate=Decimal("3.990"),
        minimum_payment=Decimal("640.00"),
        next_payment_amount=Decimal("640.00"),
        next_payment_due_date=due,
        payoff_date=date(2034, 5, 1),
    )


def test_payments_due_lists_overdue_first_then_soonest_within_the_window(alice, bob):
    soon = _card(alice, TODAY + timedelta(days=5))
    _mortgage(alice, TODAY + timedelta(days=20))
    late = _card(alice, TODAY - timedelta(days=3), overdue=True, minimum="25.00")
    _card(alice, TODAY + timedelta(days=45))
    _card(bob, TODAY + timedelta(days=2))
    due = payments_due(alice, days=30)
    assert [(p.due_date, p.amount, p.is_overdue) for p in due] == [
        (late.next_payment_due_date, Decimal("25.00"), True),
        (soon.next_payment_due_date, Decimal("35.00"), False),
        (TODAY + timedelta(days=20), Decimal("640.00"), False),
    ]
    assert due[2].kind == "Mortgage" and due[0].currency == "USD"
    assert len(payments_due(alice, days=60)) == 4


def test_the_liabilities_page_shows_cards_and_loans(alice_client, alice):
    _card(alice, TODAY + timedelta(days=5))
    _mortgage(alice, TODAY + timedelta(days=20))
    html = alice_client.get("/liabilities/").content.decode()
    for text in ("$35.00", "$540.10", "12.5%", "On time", "3.99%", "$56,302.06", "May 2034"):
        assert text in html, text
    assert (TODAY + timedelta(days=5)).strftime("%-d %b %Y") in html


def test_bob_sees_none_of_alices_cards_or_loans(bob_client, alice):
    _card(alice, TODAY + timedelta(days=5))
    html = bob_client.get("/liabilities/").content.decode()
    assert "$540.10" not in html and "Nothing due" in html


def test_the_pages_need_a_login(client):
    for url in ("/investments/", "/liabilities/", "/investments/holdings.csv"):
        assert client.get(url).status_code == 302


def test_the_page_lists_the_largest_holdings_but_totals_them_all(alice, invested):
    (p,) = portfolio(alice, limit=2)
    assert (p.count, len(p.rows), p.value) == (3, 2, Decimal("1550.00"))
    assert [r.holding.value for r in p.rows] == [Decimal("1100.00"), Decimal("250.00")]


def test_the_activity_is_the_newest_across_accounts_however_old(alice, bob, invested):
    brokerage, k401 = invested
    InvestmentTransaction.objects.all().delete()
    for account, days in (
        (brokerage, 400),
        (brokerage, 100),
        (brokerage, 5),
        (k401, 2),
        (k401, 40),
    ):
        InvestmentTransaction.objects.create(
            account=account,
            investment_transaction_id=f"it-{account.pk}-{days}",
            date=TODAY - timedelta(days=days),
            name=f"{days} days ago",
            type="cash",
            subtype="dividend",
            quantity=0,
            price=0,
            amount=Decimal("-1.00"),
            iso_currency_code="USD",
        )

    def ages(**kw):
        return [(TODAY - t.date).days for t in investment_transactions_for(alice, **kw)]

    assert ages(limit=2) == [2, 5]  # the last month holds them
    assert ages(limit=3) == [2, 5, 40]  # the last year does
    assert ages(limit=10) == [2, 5, 40, 100, 400]  # every year
    assert ages(account=brokerage, limit=2) == [5, 100]
    assert investment_transactions_for(bob) == []
