"""The export's summary: per month, income, spending and net in the home currency.

Derived data, never imported: the rows are the insights page's cash flow
(finance.insights.cash_flow: counted categories, exclusions, split parts, transfers, each
amount converted at its own day's rate, rounded once), from the month of the first
transaction to the month of the last. Each row also holds the amounts as spent per currency
and, apart, what could not be converted (no rate, or an unofficial code), named by currency.
Memory is one row per month and currency: the grouped query behind cash_flow, never the
transactions themselves.
"""

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Max, Min

from finance import access
from finance.currency import home_currency, money_round
from finance.insights import HOME, cash_flow
from finance.selectors import month_start

from .kinds import Column, Kind

FLOWS = ("income", "spending", "net")


def _months_between(first, last) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _cents(amount: Decimal) -> str:
    # Amounts are stored to the cent, so this only writes every one with its two decimals
    # (a database may hand a sum back as "5000").
    return str(money_round(amount))


def _by_currency(flow: dict, index: int, name: str) -> dict[str, str]:
    return {
        code: _cents(slots[index][name])
        for code, slots in sorted(flow.items())
        if code != HOME and (slots[index]["income"] or slots[index]["spending"])
    }


def _missing(slot: dict) -> dict[str, dict[str, Decimal]]:
    """{flow: {code: amount not converted}}; net = income - spending, per currency."""
    out: dict[str, dict[str, Decimal]] = {name: {} for name in FLOWS}
    for name, sign in (("income", 1), ("spending", -1)):
        for part in slot[f"{name}_unconverted"]:
            code = part.currency or "?"
            out[name][code] = out[name].get(code, Decimal(0)) + part.missing
            out["net"][code] = out["net"].get(code, Decimal(0)) + sign * part.missing
    return out


def summary_rows(user) -> Iterator[dict]:
    span = access.transactions_visible(user).aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is None:
        return
    home = home_currency(user)
    months = _months_between(month_start(span["first"]), month_start(span["last"]))
    flow = cash_flow(user=user, today=span["last"], months=months, home=home)
    for index, slot in enumerate(flow.get(HOME, [])):
        missing = _missing(slot)
        for name in FLOWS:
            yield {
                "month": slot["month"],
                "kind": name,
                "currency": home,
                "total": slot[name],
                "by_currency": _by_currency(flow, index, name),
                "unconverted": {code: _cents(v) for code, v in sorted(missing[name].items())},
            }


SUMMARY = Kind(
    "summary",
    "Derived from the files above, not data of its own: an import skips it. Per month, your "
    "income, spending and net in your home currency, as the insights page counts them "
    "(categories that count, no excluded rows or transfers, split parts; each amount "
    "converted at its own day's rate, rounded to cents once). Three rows per month.",
    None,
    (
        Column("month", "", "The month (YYYY-MM-01), from your first transaction's to your last."),
        Column("kind", "", "income (money in), spending (money out) or net (income - spending)."),
        Column("currency", "", "Your home currency: the one total is in."),
        Column(
            "total",
            "",
            "The converted total, in currency; what could not be converted "
            "is not in it (see unconverted).",
        ),
        Column(
            "by_currency",
            "",
            'The amounts as spent, per currency: a JSON object {"GBP": "120.00", ...} '
            "(income and spending positive).",
        ),
        Column(
            "unconverted",
            "",
            "What had no rate (or an unofficial code such as a crypto one), named: a JSON "
            'object {"JPY": "5000.00"} in that currency; empty: everything was converted.',
        ),
    ),
    generate=summary_rows,
)
