"""Reads for the portfolio and the liabilities pages, and the payments-due list.

Money is Decimal and never summed across currencies: every total is per currency. Accounts
the owner hid or that the bank revoked are left out, as on the dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
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
    rows: list[HoldingRow] = field(default_factory=list)
    by_type: list[Share] = field(default_factory=list)
    by_account: list[Share] = field(default_factory=list)


def holdings_for(user, account: Account | None = None) -> QuerySet[Holding]:
    qs = access.holdings_visible(user).filter(account__hidden=False, account__revoked=False)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.select_related("security", "account").order_by("-value", "pk")


def _label(account: Account) -> str:
    return f"{account.name} ··{account.mask}" if account.mask else account.name


def _shares(totals: dict[str, Decimal], whole: Decimal) -> list[Share]:
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Share(label, value, _pct(value, whole)) for label, value in ordered]


def portfolio(user, account: Account | None = None) -> list[CurrencyPortfolio]:
    """One portfolio per currency: its holdings with gains, totals and allocations."""
    out: dict[str, CurrencyPortfolio] = {}
    by_type: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_account: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for h in holdings_for(user, account).iterator(chunk_size=2000):
        cur = h.iso_currency_code or h.account.iso_currency_code
        p = out.setdefault(cur, CurrencyPortfolio(cur))
        gain = h.value - h.cost_basis if h.cost_basis is not None else None
        p.rows.append(HoldingRow(h, _label(h.account), cur, gain, _pct(gain or 0, h.cost_basis)))
        p.value += h.value
        if gain is not None:
            p.cost += h.cost_basis
            p.gain += gain
        kind = TYPE_LABELS.get(h.security.type, h.security.type.capitalize() or "Other")
        by_type[cur][kind] += h.value
        by_account[cur][_label(h.account)] += h.value
    for cur, p in out.items():
        p.gain_pct = _pct(p.gain, p.cost)
        p.by_type = _shares(by_type[cur], p.value)
        p.by_account = _shares(by_account[cur], p.value)
    return [out[c] for c in sorted(out)]


def investment_transactions_for(
    user, account: Account | None = None, limit: int = 50
) -> list[InvestmentTransaction]:
    qs = access.investment_transactions_visible(user).filter(
        account__hidden=False, account__revoked=False
    )
    if account is not None:
        qs = qs.filter(account=account)
    return list(qs.select_related("security", "account").order_by("-date", "-pk")[:limit])


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
