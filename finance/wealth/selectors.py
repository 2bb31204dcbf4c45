"""Reads for the portfolio and the liabilities pages, and the payments-due list.

Money is Decimal and never summed across currencies: every total is per currency. Accounts
the owner hid or that the bank revoked are left out, as on the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from banking.models import Account, Holding, InvestmentTransaction, Liability

from .. import access

TYPE_LABELS = {
    "equity": "Stocks",
    "etf": "ETFs",
    "mutual fund": "Mutual funds",
    "fixed income": "Bonds",
    "cash": "Cash",
    "cryptocurrency": "Crypto",
    "derivative": "Options",
}
HUNDRED = Decimal(100)


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * HUNDRED / whole).quantize(Decimal("0.1")) if whole else None


@dataclass
class HoldingRow:
    holding: Holding
    account_label: str
    currency: str
    gain: Decimal | None
    gain_pct: Decimal | None


@dataclass
class Share:
    label: str
    value: Decimal
    pct: Decimal | None = None


@dataclass
class CurrencyPortfolio:
    currency: str
    value: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    gain: Decimal = Decimal(0)
    gain_pct: Decimal | None = None
    count: int = 0
    rows: list[HoldingRow] = field(default_factory=list)
    by_type: list[Share] = field(default_factory=list)
    by_account: list[Share] = field(default_factory=list)


# The page lists the largest holdings (all of them when asked); the totals and allocations
# count every one, and the CSV has them all.
ROWS_SHOWN = 25
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))


def holdings_for(user, account: Account | None = None) -> QuerySet[Holding]:
    qs = access.holdings_visible(user).filter(account__hidden=False, account__revoked=False)
    if account is not None:
        qs = qs.filter(account=account)
    # A holding without its own currency is in its account's.
    return qs.annotate(
        cur=Coalesce(NullIf("iso_currency_code", Value("")), "account__iso_currency_code")
    )


def _label(account: Account) -> str:
    return f"{account.name} ··{account.mask}" if account.mask else account.name


def _shares(totals, whole: Decimal) -> list[Share]:
    """(label, value) pairs as shares of `whole`, the largest first."""
    shares = [Share(label, value) for label, value in totals]
    shares.sort(key=lambda s: (-s.value, s.label))
    for s in shares:
        s.pct = _pct(s.value, whole)
    return shares


def _type_label(kind: str) -> str:
    return TYPE_LABELS.get(kind, kind.capitalize() or "Other")


def _rows(qs: QuerySet[Holding], currency: str, limit: int | None) -> list[HoldingRow]:
    picked = qs.filter(cur=currency).order_by("-value", "pk")
    if limit:
        # The largest few picked on the holdings alone, then only those joined to their
        # security and account: joining first would look up every holding's security.
        top = list(picked.values_list("pk", flat=True)[:limit])
        found = qs.filter(pk__in=top).select_related("security", "account")
        by_pk = {h.pk: h for h in found}
        holdings = [by_pk[pk] for pk in top]
    else:
        holdings = picked.select_related("security", "account").iterator(chunk_size=2000)
    out = []
    for h in holdings:
        gain = h.value - h.cost_basis if h.cost_basis is not None else None
        out.append(HoldingRow(h, _label(h.account), currency, gain, _pct(gain or 0, h.cost_basis)))
    return out


def portfolio(
    user, account: Account | None = None, limit: int | None = ROWS_SHOWN
) -> list[CurrencyPortfolio]:
    """One portfolio per currency: totals and allocations over every holding, and its `limit`
    largest holdings with their gains (all when None).

    One grouped query (currency, security type, account) gives every total and both
    allocations: its rows number accounts x types, whatever the number of holdings, and the
    holdings are read once instead of once per total."""
    qs = holdings_for(user, account)
    with_cost = Q(cost_basis__isnull=False)
    groups = qs.values(
        "cur", "security__type", "account_id", "account__name", "account__mask"
    ).annotate(
        worth=Sum("value"),
        cost=Coalesce(Sum("cost_basis", filter=with_cost), ZERO),
        valued=Coalesce(Sum("value", filter=with_cost), ZERO),
        n=Count("pk"),
    )
    by_currency: dict[str, dict] = {}
    for g in groups.order_by():
        acc = by_currency.setdefault(g["cur"], {"rows": [], "types": {}, "accounts": {}})
        acc["rows"].append(g)
        kind = _type_label(g["security__type"] or "")
        acc["types"][kind] = acc["types"].get(kind, Decimal(0)) + g["worth"]
        label = _label(Account(name=g["account__name"], mask=g["account__mask"]))
        key = (g["account_id"], label)
        acc["accounts"][key] = acc["accounts"].get(key, Decimal(0)) + g["worth"]
    out = []
    for cur in sorted(by_currency):
        acc = by_currency[cur]
        rows = acc["rows"]
        value = sum((r["worth"] for r in rows), Decimal(0))
        cost = sum((r["cost"] for r in rows), Decimal(0))
        valued = sum((r["valued"] for r in rows), Decimal(0))
        p = CurrencyPortfolio(cur, value, cost, valued - cost, count=sum(r["n"] for r in rows))
        p.gain_pct = _pct(p.gain, p.cost)
        p.by_type = _shares(acc["types"].items(), p.value)
        p.by_account = _shares(((label, v) for (_, label), v in acc["accounts"].items()), p.value)
        p.rows = _rows(qs, cur, limit)
        out.append(p)
    return out


# The newest investment transactions are looked for in the last month, then the last year,
# then everywhere: a window holding `limit` rows holds the newest `limit` (every row outside it
# is older), so a busy user's page reads a month of rows and a quiet one's a few rows of years.
NEWEST_WINDOWS = (31, 366, None)


def investment_transactions_for(
    user, account: Account | None = None, limit: int = 50, accounts: list[Account] | None = None
) -> list[InvestmentTransaction]:
    """The newest `limit` across the accounts, in one query per window through each account's
    (account, -date) index: the cost follows the rows in the window, not the years of history
    nor one query per account."""
    if account is not None:
        accounts = [account]
    elif accounts is None:
        accounts = list(investment_accounts(user))
    if not accounts:
        return []
    visible = access.investment_transactions_visible(user)
    newest = visible.filter(account__in=accounts).order_by("-date", "-pk")
    today = timezone.localdate()
    for days in NEWEST_WINDOWS:
        window = newest if days is None else newest.filter(date__gte=today - timedelta(days=days))
        keys = list(window.values_list("pk", flat=True)[:limit])
        if len(keys) == limit:
            break
    rows = visible.filter(pk__in=keys).select_related("security", "account")
    return sorted(rows, key=lambda t: (t.date, t.pk), reverse=True)


def investment_accounts(user) -> QuerySet[Account]:
    return access.accounts_visible(user).filter(type="investment", hidden=False, revoked=False)


# --- Liabilities ----------------------------------------------------------------------------------
def liabilities_for(user) -> list[Liability]:
    qs = access.liabilities_visible(user).filter(account__hidden=False, account__revoked=False)
    return list(qs.select_related("account").order_by("kind", "next_payment_due_date", "pk"))


@dataclass(frozen=True)
class PaymentDue:
    """One payment a card or loan expects: the shape an upcoming-bills list can merge with
    (a due date, an amount, a currency, what it is for)."""

    due_date: date
    amount: Decimal | None
    currency: str
    name: str
    kind: str
    account_public_id: str
    statement_balance: Decimal | None
    is_overdue: bool


def payments_due(user, days: int = 30, today: date | None = None) -> list[PaymentDue]:
    """Payments due from today to `days` ahead, and every overdue one, soonest first."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=days)
    out = []
    for lb in liabilities_for(user):
        due = lb.next_payment_due_date
        if due is None or not (lb.is_overdue or today <= due <= horizon):
            continue
        out.append(
            PaymentDue(
                due_date=due,
                amount=lb.minimum_payment
                if lb.minimum_payment is not None
                else lb.next_payment_amount,
                currency=lb.account.iso_currency_code,
                name=_label(lb.account),
                kind=lb.get_kind_display(),
                account_public_id=str(lb.account.public_id),
                statement_balance=lb.last_statement_balance,
                is_overdue=lb.is_overdue,
            )
        )
    out.sort(key=lambda p: (not p.is_overdue, p.due_date, p.name))
    return out
