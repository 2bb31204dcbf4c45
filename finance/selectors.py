"""Read queries for the finance pages. Every function starts from a user and gets its rows
through finance.access.

Query cost must not grow with the number of transactions a user has: the list pages read one
keyset page through the (user, -date, -id) index; the dashboard aggregates one or two months.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Q, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncMonth

from banking.models import Account, PlaidItem, Transaction

from . import access
from .account_preferences import account_preferences_apply
from .categories import CategoryBook, category_book
from .meta import COUNTED
from .totals import CATEGORY_COLUMNS, counted_root, negative, positive, with_splits
from .versions import edits_version_key, synced_version_key

ZERO = Decimal("0.00")

# The user's override if any, else Plaid's primary category. (TransactionQuerySet.with_category()
# computes the same but names it `category`, which collides with Transaction.category, a
# read-only property, as soon as model instances are loaded; so the annotation here has its own
# name.)
EFFECTIVE_CATEGORY = Coalesce(NullIf("category_override", Value("")), "pfc_primary")


def _currency(row_code: str) -> str:
    return row_code or "USD"


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


def accounts_for_user(*, user) -> list[Account]:
    """In the user's order, each with `label` (their name for it) and `in_totals`."""
    return account_preferences_apply(
        list(
            access.accounts_visible(user)
            .visible()
            .exclude(item__status=PlaidItem.Status.REMOVING)
            .select_related("item__institution", "preference")
            .order_by("item__created_at", "type", "name")
        )
    )


TYPE_LABELS = {
    "depository": "Cash",
    "credit": "Credit cards",
    "loan": "Loans",
    "investment": "Investments",
    "brokerage": "Investments",
    "other": "Other",
}


def balances_by_type(accounts: list[Account]) -> list[dict]:
    groups: dict[tuple[str, str], dict] = {}
    for account in accounts:
        key = (TYPE_LABELS.get(account.type, account.type.title()), account.currency or "USD")
        group = groups.setdefault(
            key,
            {
                "label": key[0],
                "currency": key[1],
                "total": ZERO,
                "is_liability": account.is_liability,
                "accounts": [],
            },
        )
        if getattr(account, "in_totals", True):
            group["total"] += account.current_balance or ZERO
        group["accounts"].append(account)
    order = list(dict.fromkeys(TYPE_LABELS.values()))
    return sorted(
        groups.values(),
        key=lambda g: (order.index(g["label"]) if g["label"] in order else 99, g["currency"]),
    )


# ---- Spending ----------------------------------------------------------------------------------


def spending_summary(*, user, today: dt.date, top: int = 5) -> tuple[list[dict], list[dict]]:
    """(spending per currency, top categories this month), from one scan of two months.

    Spending: this month so far against last month, both whole and up to the same day.
    """
    this_start = month_start(today)
    last_start = add_months(this_start, -1)
    same_day_last = _safe_day(last_start, today.day)
    book = category_book(user=user)
    rows = (
        access.transactions_visible(user)
        .filter(COUNTED, amount__gt=0, date__gte=last_start, date__lte=today)
        .annotate(
            period=Case(
                When(date__gte=this_start, then=Value("this")),
                When(date__lte=same_day_last, then=Value("last_to_date")),
                default=Value("last_rest"),
            )
        )
        .values("iso_currency_code", *CATEGORY_COLUMNS, "period")
        .annotate(total=Sum("amount"))
        .order_by()
    )

    def period(row: dict) -> dict:
        if row["date"] >= this_start:
            return {"period": "this"}
        return {"period": "last_to_date" if row["date"] <= same_day_last else "last_rest"}

    rows = with_splits(
        rows, user=user, start=last_start, end=today, keys=period, totals={"total": positive}
    )
    per_currency: dict[str, dict] = {}
    categories: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        code = counted_root(book, r)
        if code is None:
            continue
        currency = _currency(r["iso_currency_code"])
        sums = per_currency.setdefault(
            currency, {"this": ZERO, "last_to_date": ZERO, "last_rest": ZERO}
        )
        sums[r["period"]] += r["total"]
        if r["period"] == "this":
            categories[(code, currency)] += r["total"]
    spending = []
    for currency, sums in sorted(per_currency.items()):
        last_to_date = sums["last_to_date"]
        change = None
        if last_to_date:
            change = ((sums["this"] - last_to_date) / last_to_date * 100).quantize(Decimal("1"))
        spending.append(
            {
                "currency": currency,
                "this_month": sums["this"],
                "last_month": last_to_date + sums["last_rest"],
                "last_month_to_date": last_to_date,
                "change_pct": change,
            }
        )
    top_categories = [
        {"category": category, "label": book.label(category), "currency": currency, "total": total}
        for (category, currency), total in sorted(categories.items(), key=lambda kv: -kv[1])[:top]
    ]
    return spending, top_categories


SPENDING_CACHE_SECONDS = 15 * 60


def spending_summary_cached(*, user, today: dt.date, connections: list[PlaidItem]):
    """spending_summary(), cached until the user's data changes.

    Its month totals read every row of two months, so on a busy account they are the one part
    of the dashboard whose cost grows with data. The key changes whenever data can change: a
    sync moves an item's cursor (saved with the rows it describes) and, once announced, bumps
    the user's synced version (finance.hooks); an edit bumps the edit version; a new day
    starts. The cursor keeps a sync visible at once, before its announcement is delivered. The
    TTL is only a safety net. With Redis down, every load computes (the cache reports a miss).
    """
    stamp = hashlib.sha256(
        "|".join(
            f"{c.pk}:{c.status}:{c.transactions_cursor}:{c.last_successful_sync_at}"
            for c in connections
        ).encode()
    ).hexdigest()[:20]
    versions = cache.get_many([edits_version_key(user.pk), synced_version_key(user.pk)])
    edits = versions.get(edits_version_key(user.pk), 0)
    synced = versions.get(synced_version_key(user.pk), 0)
    key = f"finance:spending:{user.pk}:{today.isoformat()}:{stamp}:{edits}:{synced}"
    value = cache.get(key)
    if value is None:
        value = spending_summary(user=user, today=today)
        cache.set(key, value, SPENDING_CACHE_SECONDS)
    return value


def _safe_day(first: dt.date, day: int) -> dt.date:
    last = add_months(first, 1) - dt.timedelta(days=1)
    return first.replace(day=min(day, last.day))


def recent_transactions(*, user, limit: int = 8) -> list[Transaction]:
    return list(
        access.transactions_visible(user)
        .select_related("account__item__institution")
        .order_by("-date", "-id")[:limit]
    )


# ---- The transaction list ------------------------------------------------------------------------


def transactions_filtered(*, user, filters: dict, book: CategoryBook | None = None):
    """The user's transactions narrowed by a cleaned TransactionFilterForm."""
    qs = access.transactions_visible(user).annotate(effective_category=EFFECTIVE_CATEGORY)
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


# ---- Insights ----------------------------------------------------------------------------------


def monthly_spending_by_category(
    *, user, today: dt.date, months: int = 12, book: CategoryBook | None = None
) -> dict:
    """{currency: {"months": [date, ...], "categories": {code: [Decimal per month]}}}"""
    first = add_months(month_start(today), -(months - 1))
    month_list = [add_months(first, i) for i in range(months)]
    book = book or category_book(user=user)
    rows = (
        access.transactions_visible(user)
        .filter(COUNTED, amount__gt=0, date__gte=first, date__lte=today)
        .annotate(month=TruncMonth("date"))
        .values("iso_currency_code", "month", *CATEGORY_COLUMNS)
        .annotate(total=Sum("amount"))
        .order_by()
    )
    rows = with_splits(
        rows,
        user=user,
        start=first,
        end=today,
        keys=lambda r: {"month": month_start(r["date"])},
        totals={"total": positive},
        memo=book.memo,
    )
    out: dict[str, dict] = {}
    for r in rows:
        code = counted_root(book, r)
        if code is None:
            continue
        cur = out.setdefault(
            _currency(r["iso_currency_code"]),
            {
                "months": month_list,
                "categories": defaultdict(lambda: [ZERO] * months),
                "labels": {},
            },
        )
        month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
        cur["categories"][code][month_list.index(month)] += r["total"]
        cur["labels"][code] = book.label(code)
    for cur in out.values():
        # Largest categories first: the stack and the table read in the same order.
        cur["categories"] = dict(sorted(cur["categories"].items(), key=lambda kv: -sum(kv[1])))
        cur["labels"] = {code: cur["labels"][code] for code in cur["categories"]}
    return out


def cash_flow(*, user, today: dt.date, months: int = 12, book: CategoryBook | None = None) -> dict:
    """{currency: [{"month", "income", "spending", "net"}, ...]}"""
    first = add_months(month_start(today), -(months - 1))
    month_list = [add_months(first, i) for i in range(months)]
    book = book or category_book(user=user)
    rows = (
        access.transactions_visible(user)
        .filter(COUNTED, date__gte=first, date__lte=today)
        .annotate(month=TruncMonth("date"))
        .values("iso_currency_code", "month", *CATEGORY_COLUMNS)
        .annotate(
            spending=Sum("amount", filter=Q(amount__gt=0)),
            income=Sum("amount", filter=Q(amount__lt=0)),
        )
        .order_by()
    )
    rows = with_splits(
        rows,
        user=user,
        start=first,
        end=today,
        keys=lambda r: {"month": month_start(r["date"])},
        totals={"spending": positive, "income": negative},
        memo=book.memo,
    )
    out: dict[str, list] = {}
    for r in rows:
        if counted_root(book, r) is None:
            continue
        cur = out.setdefault(
            _currency(r["iso_currency_code"]),
            [{"month": m, "income": ZERO, "spending": ZERO} for m in month_list],
        )
        month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
        slot = cur[month_list.index(month)]
        slot["income"] += -(r["income"] or ZERO)
        slot["spending"] += r["spending"] or ZERO
    for cur in out.values():
        for slot in cur:
            slot["net"] = slot["income"] - slot["spending"]
    return out
