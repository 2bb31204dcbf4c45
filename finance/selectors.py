"""Read queries for the finance pages. Every function starts from a user and gets its rows
through finance.access.

Query cost must not grow with the number of transactions a user has: the list pages read one
keyset page through the (user, -date, -id) index; the dashboard aggregates one or two months.
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Q, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf

from banking.models import Account, PlaidItem, Transaction

from . import access
from .account_preferences import account_preferences_apply
from .categories import CategoryBook, category_book
from .currency import HomeTotal, home_currency
from .currency.rows import CURRENCY_COLUMNS, RowTotals, conversion_day
from .households.totals import TotalsScope
from .meta import COUNTED
from .pagination import rows_in_order
from .totals import CATEGORY_COLUMNS, positive
from .versions import RATES_VERSION_KEY, edits_version_key, synced_version_key, versions_stamp

ZERO = Decimal("0.00")

# The user's override if any, else Plaid's primary category. (TransactionQuerySet.with_category()
# computes the same but names it `category`, which collides with Transaction.category, a
# read-only property, as soon as model instances are loaded; so the annotation here has its own
# name.)
EFFECTIVE_CATEGORY = Coalesce(NullIf("category_override", Value("")), "pfc_primary")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# ---- Connections and accounts -------------------------------------------------------------------


def connections_for_user(*, user) -> list[PlaidItem]:
    return list(
        access.items_visible(user)
        .exclude(status=PlaidItem.Status.REMOVING)
        .select_related("institution")
        .order_by("created_at")
    )


def accounts_for_user(*, user, household: bool = False) -> list[Account]:
    """In the user's order, each with `label` (their name for it) and `in_totals`. With
    `household`, the accounts the user's household shares come too (the owner's names)."""
    return account_preferences_apply(
        list(
            access.accounts_visible(user, household=household)
            .visible()
            .exclude(item__status=PlaidItem.Status.REMOVING)
            .select_related("item__institution", "preference")
            .order_by("item__created_at", "type", "name")
        )
    )


def _account_row(account: Account) -> dict:
    return {
        "iso_currency_code": account.iso_currency_code,
        "unofficial_currency_code": account.unofficial_currency_code,
    }


TYPE_LABELS = {
    "depository": "Cash",
    "credit": "Credit cards",
    "loan": "Loans",
    "investment": "Investments",
    "brokerage": "Investments",
    "other": "Other",
}


def balances_by_type(accounts: list[Account], *, home: str, day: dt.date) -> list[dict]:
    """Accounts grouped by kind; each group's total in the home currency (balances at `day`),
    each account in its own."""
    rows = RowTotals([_account_row(a) for a in accounts], home=home, start=day, end=day)
    groups: dict[str, dict] = {}
    for account in accounts:
        label = TYPE_LABELS.get(account.type, account.type.title())
        group = groups.setdefault(
            label,
            {
                "label": label,
                "currency": home,
                "total": rows.total(),
                "is_liability": account.is_liability,
                "accounts": [],
            },
        )
        if getattr(account, "in_totals", True):
            rows.add(group["total"], _account_row(account), account.current_balance or ZERO)
        group["accounts"].append(account)
    order = list(dict.fromkeys(TYPE_LABELS.values()))
    return sorted(
        groups.values(), key=lambda g: order.index(g["label"]) if g["label"] in order else 99
    )


# ---- Spending ----------------------------------------------------------------------------------


def spending_summary(
    *, user, today: dt.date, top: int = 5, home: str | None = None, household: bool = False
) -> tuple[list[dict], list[dict]]:
    """(spending, top categories this month) in the home currency, from one scan of two
    months; amounts converted at their transactions' dates. Empty lists: nothing spent.

    Spending: this month so far against last month, both whole and up to the same day. Each
    figure is a Decimal; its HomeTotal (breakdown per currency, what could not be converted)
    sits next to it under `<name>_detail`.
    """
    home = home or home_currency(user)
    this_start = month_start(today)
    last_start = add_months(this_start, -1)
    same_day_last = _safe_day(last_start, today.day)
    book = category_book(user=user)
    scope = TotalsScope(user=user, book=book, household=household)
    rows = [
        row
        for part in scope.visible_parts()
        for row in part.filter(COUNTED, amount__gt=0, date__gte=last_start, date__lte=today)
        .annotate(
            period=Case(
                When(date__gte=this_start, then=Value("this")),
                When(date__lte=same_day_last, then=Value("last_to_date")),
                default=Value("last_rest"),
            ),
            day=conversion_day(home),
        )
        .values(*CURRENCY_COLUMNS, *CATEGORY_COLUMNS, "period", "day", *scope.values)
        .annotate(total=Sum("amount"))
        .order_by()
    ]

    def period(row: dict) -> dict:
        if row["date"] >= this_start:
            return {"period": "this", "day": row["date"]}
        late = "last_to_date" if row["date"] <= same_day_last else "last_rest"
        return {"period": late, "day": row["date"]}

    rows = scope.rows(rows, start=last_start, end=today, keys=period, totals={"total": positive})
    convert = RowTotals(rows, home=home, start=last_start, end=today)
    sums = {name: convert.total() for name in ("this", "last_to_date", "last_month")}
    categories: dict[str, HomeTotal] = {}
    for r in rows:
        code = scope.root(r)
        if code is None:
            continue
        convert.add(sums["last_month" if r["period"] != "this" else "this"], r, r["total"])
        if r["period"] == "last_to_date":
            convert.add(sums["last_to_date"], r, r["total"])
        if r["period"] == "this":
            if code not in categories:
                categories[code] = convert.total()
            convert.add(categories[code], r, r["total"])
    if not any(sums.values()):
        return [], []
    this, last_to_date = sums["this"].amount, sums["last_to_date"].amount
    change = None
    if last_to_date:
        change = ((this - last_to_date) / last_to_date * 100).quantize(Decimal("1"))
    spending = [
        {
            "currency": home,
            "this_month": this,
            "last_month": sums["last_month"].amount,
            "last_month_to_date": last_to_date,
            "change_pct": change,
            **{f"{name}_detail": total for name, total in sums.items()},
        }
    ]
    top_categories = [
        {
            "category": code,
            "label": scope.label(code),
            "currency": home,
            "total": total.amount,
            "detail": total,
        }
        for code, total in sorted(categories.items(), key=lambda kv: -kv[1].exact)[:top]
    ]
    return spending, top_categories


SPENDING_CACHE_SECONDS = 15 * 60


def spending_summary_cached(*, user, today: dt.date, connections: list[PlaidItem], home: str):
    """spending_summary(), cached until the user's data changes.

    Its month totals read every row of two months, so on a busy account they are the one part
    of the dashboard whose cost grows with data. The key changes whenever data can change: a
    sync moves an item's cursor (saved with the rows it describes) and, once announced, bumps
    the user's synced version (finance.hooks); an edit bumps the edit version; a new day
    starts; the home currency or the rates change (finance.currency). The cursor keeps a
    sync visible at once, before its announcement is delivered. The TTL is only a safety net.
    With Redis down, every load computes (the cache reports a miss).
    """
    stamp = hashlib.sha256(
        "|".join(
            f"{c.pk}:{c.status}:{c.transactions_cursor}:{c.last_successful_sync_at}"
            for c in connections
        ).encode()
    ).hexdigest()[:20]
    versions, _ = versions_stamp(
        [edits_version_key(user.pk), synced_version_key(user.pk), RATES_VERSION_KEY]
    )
    key = f"finance:spending:{user.pk}:{today.isoformat()}:{stamp}:{home}:{versions}"
    value = cache.get(key)
    if value is None:
        value = spending_summary(user=user, today=today, home=home)
        cache.set(key, value, SPENDING_CACHE_SECONDS)
    return value


def household_spending_cached(*, user, today: dt.date, home: str):
    """spending_summary(household=True), cached as the user's own is (spending_summary_cached),
    under a key that also names every account the view reads with its bank's sync state, and
    every owner's versions: a share or a membership that ends, a member's sync or edit, each
    changes the key, so nothing shared outlives its sharing by one request."""
    accounts = list(
        access.accounts_visible(user, household=True)
        .order_by("pk")
        .values_list(
            "pk",
            "item__user_id",
            "item_id",
            "item__status",
            "item__transactions_cursor",
            "item__last_successful_sync_at",
        )
    )
    owners = sorted({a[1] for a in accounts} | {user.pk})
    keys = [k for o in owners for k in (edits_version_key(o), synced_version_key(o))]
    keys.append(RATES_VERSION_KEY)
    versions = cache.get_many(keys)
    stamp = hashlib.sha256(
        repr((accounts, [versions.get(k, 0) for k in keys])).encode()
    ).hexdigest()[:24]
    key = f"finance:spending:household:{user.pk}:{today.isoformat()}:{home}:{stamp}"
    value = cache.get(key)
    if value is None:
        value = spending_summary(user=user, today=today, home=home, household=True)
        cache.set(key, value, SPENDING_CACHE_SECONDS)
    return value


def _safe_day(first: dt.date, day: int) -> dt.date:
    last = add_months(first, 1) - dt.timedelta(days=1)
    return first.replace(day=min(day, last.day))


def recent_transactions(*, user, limit: int = 8, household: bool = False) -> list[Transaction]:
    rows, parts = access.transactions_by_parts(user, household=household)
    return rows_in_order(
        rows.select_related("account__item__institution"),
        order=["-date", "-id"],
        limit=limit,
        parts=parts,
    )


# ---- The transaction list ------------------------------------------------------------------------


def transactions_filtered(
    *, user, filters: dict, book: CategoryBook | None = None, household: bool = False
):
    """The user's transactions (and their household's shared ones with `household`) narrowed
    by a cleaned TransactionFilterForm."""
    qs = access.transactions_visible(user, household=household).annotate(
        effective_category=EFFECTIVE_CATEGORY
    )
    if filters.get("category"):
        book = book or category_book(user=user)
        if filters["category"] in book.by_code:
            qs = qs.filter(book.filter_q(book.by_code[filters["category"]]))
    if filters.get("account"):
        qs = qs.filter(account=filters["account"])
    if filters.get("start"):
        qs = qs.filter(date__gte=filters["start"])
    if filters.get("end"):
        qs = qs.filter(date__lte=filters["end"])
    if filters.get("tag"):
        qs = qs.filter(tag_links__tag__name__iexact=filters["tag"])
    if filters.get("status") == "pending":
        qs = qs.filter(pending=True)
    elif filters.get("status") == "posted":
        qs = qs.filter(pending=False)
    if filters.get("direction") == "out":
        qs = qs.filter(amount__gt=0)
    elif filters.get("direction") == "in":
        qs = qs.filter(amount__lt=0)
    # Amount bounds are on the size of the amount, whichever way the money went.
    if filters.get("min_amount") is not None:
        low = filters["min_amount"]
        qs = qs.filter(Q(amount__gte=low) | Q(amount__lte=-low))
    if filters.get("max_amount") is not None:
        high = filters["max_amount"]
        qs = qs.filter(amount__lte=high, amount__gte=-high)
    if filters.get("q"):
        term = filters["q"]
        qs = qs.filter(Q(name__icontains=term) | Q(merchant_name__icontains=term))
    return qs
