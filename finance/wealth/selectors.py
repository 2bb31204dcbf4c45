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


def _shares(rows, whole: Decimal, label) -> list[Share]:
    shares = [Share(label(r), r["total"]) for r in rows]
    shares.sort(key=lambda s: (-s.value, s.label))
    for s in shares:
        s.pct = _pct(s.value, whole)
    return shares


def _type_label(kind: str) -> str:
    return TYPE_LABELS.get(kind, kind.capitalize() or "Other")


def _rows(qs: QuerySet[Holding], currency: str, limit: int | None) -> list[HoldingRow]:
    picked = qs.filter(cur=currency).select_related("security", "account").order_by("-value", "pk")
    out = []
    for h in picked[:limit] if limit else picked.iterator(chunk_size=2000):
        gain = h.value - h.cost_basis if h.cost_basis is not None else None
        out.append(HoldingRow(h, _label(h.account), currency, gain, _pct(gain or 0, h.cost_basis)))
    return out


def portfolio(
    user, account: Account | None = None, limit: int | None = ROWS_SHOWN
) -> list[CurrencyPortfolio]:
    """One portfolio per currency: totals and allocations over every holding (in the
    database), and its `limit` largest holdings with their gains (all when None)."""
    qs = holdings_for(user, account)
    with_cost = Q(cost_basis__isnull=False)
    out = []
    totals = qs.values("cur").annotate(
        worth=Sum("value"),
        cost=Coalesce(Sum("cost_basis", filter=with_cost), ZERO),
        valued=Coalesce(Sum("value", filter=with_cost), ZERO),
        n=Count("pk"),
    )
    for t in sorted(totals, key=lambda t: t["cur"]):
        cur = t["cur"]
        p = CurrencyPortfolio(cur, t["worth"], t["cost"], t["valued"] - t["cost"], count=t["n"])
        p.gain_pct = _pct(p.gain, p.cost)
        mine = qs.filter(cur=cur)
        types = mine.values("security__type").annotate(total=Sum("value"))
        p.by_type = _shares(types, p.value, lambda r: _type_label(r["security__type"]))
        accounts = mine.values("account__name", "account__mask").annotate(total=Sum("value"))
        p.by_account = _shares(
            accounts,
            p.value,
            lambda r: _label(Account(name=r["account__name"], mask=r["account__mask"])),
        )
        p.rows = _rows(qs, cur, limit)
        out.append(p)
    return out


def investment_transactions_for(
    user, account: Account | None = None, limit: int = 50
) -> list[InvestmentTransaction]:
    """The newest `limit` across the accounts. Each account's newest keys come from its
    (account, -date) index, the overall newest are picked here and only those are loaded, so
    the cost follows the number of accounts, not of rows."""
    accounts = [account] if account is not None else list(investment_accounts(user))
    visible = access.investment_transactions_visible(user)
    keys: list[tuple] = []
    for a in accounts:
        keys += visible.filter(account=a).order_by("-date", "-pk").values_list("date", "pk")[:limit]
    newest = [pk for _, pk in sorted(keys, reverse=True)[:limit]]
    rows = visible.filter(pk__in=newest).select_related("security", "account")
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
