"""What the full export holds: one entry per kind of data, each column with its meaning.

The same table writes the CSV header, the JSON Lines keys and README.txt, so the three never
disagree. Columns are read with values_list() in chunks (a server-side cursor on PostgreSQL):
memory holds one chunk, whatever the user's size. Rows refer to each other by public ids
(UUIDs) or category codes, never by database keys, so an import can rebuild the links.
Bank connections are listed without their Plaid access token or sync cursor: only the columns
named here are ever read.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from banking.models import Holding
from finance import access
from finance.models import BalanceSnapshot, BudgetMonth, ManualValue, SplitPart, TransactionTag
from finance.selectors import EFFECTIVE_CATEGORY

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    name: str
    lookup: str
    meaning: str


@dataclass(frozen=True)
class Kind:
    name: str
    meaning: str
    rows: Callable[[object], QuerySet] | None
    columns: tuple[Column, ...]
    # Columns computed per chunk after the lookups (transactions' tags).
    extra: tuple[Column, ...] = ()
    enrich: Callable[[list[dict]], None] | None = None
    generate: Callable[[object], Iterator[dict]] | None = None  # derived rows (summary.py)

    @property
    def header(self) -> list[str]:
        # "_" columns are read for the lookups (enrich) and never written.
        return [c.name for c in self.columns + self.extra if not c.name.startswith("_")]


C = Column


def _transactions(user) -> QuerySet:
    return (
        access.transactions_visible(user)
        # No meta row and an empty display name read the same: "".
        .annotate(
            effective_category=EFFECTIVE_CATEGORY,
            display=Coalesce("meta__display_name", Value("")),
        )
        .order_by("date", "id")
    )


def _bank(prefix: str = ""):
    # A manual (imported) connection carries its bank's name itself; a Plaid one, through
    # its institution.
    return Coalesce(
        NullIf(f"{prefix}manual_name", Value("")), f"{prefix}institution__name", Value("")
    )


def _transactions_enrich(chunk: list[dict]) -> None:
    # No meta row reads as no field set: [] (the JSON Lines twin says the same).
    for row in chunk:
        row["set_by_you"] = row.pop("_user_fields") or []
        row["set_by_rules"] = row.pop("_rule_fields") or []
    _tags(chunk)


def _tags(chunk: list[dict]) -> None:
    ids = [row["_pk"] for row in chunk]
    names: dict[int, list[str]] = {}
    links = (
        TransactionTag.objects.filter(transaction_id__in=ids)
        .order_by("tag__name")
        .values_list("transaction_id", "tag__name")
    )
    for pk, name in links:
        names.setdefault(pk, []).append(name)
    for row in chunk:
        row["tags"] = names.get(row["_pk"], [])


def _settings(user) -> QuerySet:
    chosen = access.home_currency_row(user).values("code")[:1]
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(home_currency_code=Coalesce(Subquery(chosen), Value("")))
    )


AMOUNT_SIGN = "Plaid's sign: positive = money out of the account, negative = money in."

KINDS: tuple[Kind, ...] = (
    Kind(
        "bank_connections",
        "Each bank you linked through Plaid (no access token or sync cursor is exported).",
        lambda user: (
            access.items_visible(user).annotate(bank_name=_bank()).order_by("created_at", "id")
        ),
        (
            C("id", "public_id", "This connection's id; accounts.bank_connection refers to it."),
            C("kind", "kind", "plaid (linked) or manual (imported from a file, never synced)."),
            C("bank", "bank_name", "The bank's name."),
            C("institution_id", "institution__institution_id", "Plaid's id for the bank."),
            C("status", "status", "healthy, login_required, revoked, error, ..."),
            C("error_code", "error_code", "Plaid's last error code, if any."),
            C("products", "products", "Plaid products enabled (a JSON list)."),
            C("consent_expires", "consent_expiration_time", "When the bank's consent ends."),
            C("last_synced", "last_successful_sync_at", "Last successful sync (UTC)."),
            C("created", "created_at", "When you linked it (UTC)."),
        ),
    ),
    Kind(
        "accounts",
        "Each account at your banks.",
        lambda user: (
            access.accounts_visible(user)
            .annotate(bank_name=_bank("item__"))
            .order_by("created_at", "id")
        ),
        (
            C("id", "public_id", "This account's id; other files' account columns refer to it."),
            C("bank_connection", "item__public_id", "bank_connections.id of its bank."),
            C("bank", "bank_name", "The bank's name."),
            C("name", "name", "The account's name."),
            C("official_name", "official_name", "The bank's official product name."),
            C("mask", "mask", "Last digits of the account number."),
            C("type", "type", "depository, credit, loan, investment, other."),
            C("subtype", "subtype", "checking, savings, credit card, ..."),
            C("current_balance", "current_balance", "Balance at the last sync."),
            C("available_balance", "available_balance", "Available balance, if reported."),
            C("limit", "limit", "Credit limit, if any."),
            C("currency", "iso_currency_code", "ISO 4217 currency code."),
            C("unofficial_currency", "unofficial_currency_code", "Non-ISO code (crypto...)."),
            C("hidden", "hidden", "Hidden from the dashboard."),
            C("excluded_from_totals", "preference__excluded_from_totals", "Left out of totals."),
            C("nickname", "preference__nickname", "The name you gave it, if any."),
        ),
    ),
    Kind(
        "transactions",
        "Every transaction, with your category, notes, tags and flags. Split parts are in "
        "split_parts.",
        _transactions,
        (
            C("id", "public_id", "This transaction's id; split_parts.transaction refers to it."),
            C("account", "account__public_id", "accounts.id."),
            C("date", "date", "Posting date (YYYY-MM-DD)."),
            C("authorized_date", "authorized_date", "Date the purchase was made, if known."),
            C("name", "name", "Description from the bank."),
            C("merchant", "merchant_name", "Merchant name, if known."),
            C("amount", "amount", "Exact decimal amount. " + AMOUNT_SIGN),
            C("currency", "iso_currency_code", "ISO 4217 currency code."),
            C("unofficial_currency", "unofficial_currency_code", "Non-ISO code, if any."),
            C("pending", "pending", "Not yet posted."),
            C(
                "category",
                "effective_category",
                "The category code that counts (yours, else the bank's).",
            ),
            C("category_override", "category_override", "The category code you chose, if any."),
            C("bank_category", "pfc_primary", "Plaid's category code."),
            C("bank_category_detailed", "pfc_detailed", "Plaid's detailed category code."),
            C("notes", "notes", "Your notes."),
            C("display_name", "display", "The name a rule or you gave it, if any."),
            C("excluded", "meta__excluded", "Left out of totals."),
            C("transfer", "meta__transfer", "Marked as a transfer between your accounts."),
            C("split", "meta__split", "Split into parts (see split_parts)."),
            C("_pk", "pk", ""),
            C("_user_fields", "meta__user_fields", ""),
            C("_rule_fields", "meta__rule_fields", ""),
        ),
        extra=(
            C("tags", "", "Your tags: a JSON list of names, in .csv too (empty: none)."),
            C(
                "set_by_you",
                "",
                "Fields you set by hand, which rules never change (a JSON list of category, "
                "notes, display_name, excluded, transfer).",
            ),
            C(
                "set_by_rules",
                "",
                "Fields the last rule run set, which a rule may set again (a JSON list).",
            ),
        ),
        enrich=_transactions_enrich,
    ),
    Kind(
        "split_parts",
        "The parts of split transactions; a split transaction's parts add up to its amount.",
        lambda user: SplitPart.objects.filter(
            parent__in=access.transactions_visible(user)
        ).order_by("parent_id", "position"),
        (
            C("transaction", "parent__public_id", "transactions.id of the split transaction."),
            C("position", "position", "Order of the part."),
            C("amount", "amount", "The part's amount. " + AMOUNT_SIGN),
            C("category", "category", "The part's category code."),
            C("notes", "notes", "The part's notes."),
        ),
    ),
    Kind(
        "transfers",
        "Transfer pairs: money out of one of your accounts and into another; while a pair is "
        "not undone neither side counts in any total.",
        lambda user: access.transfers_visible(user).order_by("created_at", "id"),
        (
            C("outflow", "outflow__public_id", "transactions.id of the money out."),
            C("inflow", "inflow__public_id", "transactions.id of the money in."),
            C("status", "status", "matched (found automatically), confirmed or undone."),
        ),
    ),
    Kind(
        "categories",
        "Your category tree.",
        lambda user: access.categories_visible(user).order_by("parent_id", "id"),
        (
            C("code", "code", "The category's code; other files' category columns use it."),
            C("name", "name", "Its name."),
            C("parent", "parent__code", "The parent category's code, if any."),
            C("kind", "kind", "spending, income or transfer."),
            C("hidden", "hidden", "Hidden from pickers."),
            C("merged_into", "merged_into__code", "The category it was merged into, if any."),
        ),
    ),
    Kind(
        "tags",
        "Your tags.",
        lambda user: access.tags_visible(user).order_by("name"),
        (C("name", "name", "The tag."),),
    ),
    Kind(
        "rules",
        "Your rules, in the order they run.",
        lambda user: access.rules_visible(user).order_by("position", "id"),
        (
            C("name", "name", "The rule's name."),
            C("position", "position", "Order in which rules run."),
            C("enabled", "enabled", "Whether it runs."),
            C("stop_here", "stop_here", "Later rules are skipped after a match."),
            C("text_field", "text_field", "Which text it matches: any, name, merchant."),
            C("text_op", "text_op", "contains, equals, starts_with, regex."),
            C("text_value", "text_value", "The text to match."),
            C("amount_min", "amount_min", "Smallest amount matched (absolute value)."),
            C("amount_max", "amount_max", "Largest amount matched (absolute value)."),
            C("sign", "sign", "out, in or empty (both)."),
            C("account", "account__public_id", "accounts.id it is limited to, if any."),
            C("bank_category", "plaid_category", "Plaid category it is limited to, if any."),
            C("date_from", "date_from", "First date matched, if any."),
            C("date_to", "date_to", "Last date matched, if any."),
            C("set_category", "set_category", "Category code it sets."),
            C("set_display_name", "set_display_name", "Display name it sets."),
            C("add_tags", "add_tags", "Tags it adds (comma separated)."),
            C("set_notes", "set_notes", "Notes it sets."),
            C("mark_transfer", "mark_transfer", "Marks matches as transfers."),
            C("exclude", "exclude", "Leaves matches out of totals."),
        ),
    ),
    Kind(
        "budgets",
        "Your monthly budgets; the amount of each month is in budget_months.",
        lambda user: access.budgets_visible(user).order_by("start_month", "id"),
        (
            C("id", "public_id", "This budget's id; budget_months.budget refers to it."),
            C("category", "category__code", "The category code it covers (with sub-categories)."),
            C("currency", "currency", "The currency it counts."),
            C("start_month", "start_month", "First month (YYYY-MM-01)."),
            C("rollover", "rollover", "What is left moves into the next month."),
        ),
    ),
    Kind(
        "budget_months",
        "The budgeted amount from a month on (until the next row of the same budget).",
        lambda user: BudgetMonth.objects.filter(budget__in=access.budgets_visible(user)).order_by(
            "budget_id", "month"
        ),
        (
            C("budget", "budget__public_id", "budgets.id."),
            C("month", "month", "The month (YYYY-MM-01)."),
            C("amount", "amount", "The amount budgeted, positive."),
        ),
    ),
    Kind(
        "recurring_streams",
        "Recurring payments and income found in your transactions or reported by Plaid.",
        lambda user: access.recurring_streams_visible(user).order_by("first_date", "id"),
        (
            C("id", "public_id", "This stream's id."),
            C("account", "account__public_id", "accounts.id."),
            C("source", "source", "Who found it: detector or plaid."),
            C("description", "description", "Its description."),
            C("merchant", "merchant_name", "Merchant name, if known."),
            C("category", "pfc_primary", "Plaid's category code."),
            C("frequency", "frequency", "weekly, biweekly, monthly, annually, ..."),
            C("status", "status", "mature, early_detection, tombstoned, ..."),
            C("active", "is_active", "Still recurring."),
            C("first_date", "first_date", "First occurrence."),
            C("last_date", "last_date", "Latest occurrence."),
            C("next_date", "predicted_next_date", "Predicted next occurrence."),
            C("average_amount", "average_amount", "Average amount. " + AMOUNT_SIGN),
            C("last_amount", "last_amount", "Latest amount."),
            C("previous_amount", "previous_amount", "The amount before, if any."),
            C("currency", "iso_currency_code", "Currency code."),
            C("custom_name", "custom_name", "The name you gave it, if any."),
            C("state", "state", "tracked or ignored by you."),
        ),
    ),
    Kind(
        "balance_history",
        "One balance per account and day.",
        lambda user: BalanceSnapshot.objects.filter(
            account__in=access.accounts_visible(user)
        ).order_by("account_id", "date"),
        (
            C("account", "account__public_id", "accounts.id."),
            C("date", "date", "The day."),
            C("current", "current", "Current balance that day."),
            C("available", "available", "Available balance, if reported."),
            C("currency", "currency", "Currency code."),
            C("estimated", "estimated", "Worked back from transactions, not reported."),
        ),
    ),
    Kind(
        "holdings",
        "Investments held, as reported by Plaid Investments.",
        lambda user: Holding.objects.filter(account__in=access.accounts_visible(user)).order_by(
            "account_id", "id"
        ),
        (
            C("account", "account__public_id", "accounts.id."),
            C("security", "security__name", "The security's name."),
            C("ticker", "security__ticker", "Its ticker symbol, if any."),
            C("quantity", "quantity", "Units held."),
            C("price", "price", "Price per unit."),
            C("value", "value", "Value of the holding."),
            C("cost_basis", "cost_basis", "What it cost, if known."),
            C("price_as_of", "price_as_of", "Date of the price."),
            C("currency", "iso_currency_code", "Currency code."),
        ),
    ),
    Kind(
        "manual_assets",
        "Things you own or owe that no bank reports; their history is in manual_values.",
        lambda user: access.manual_assets_visible(user).order_by("created_at", "id"),
        (
            C("id", "public_id", "This asset's id; manual_values.asset refers to it."),
            C("name", "name", "Its name."),
            C("kind", "kind", "asset or liability."),
            C("category", "category", "property, vehicle, valuables, loan, other."),
            C("currency", "currency", "Currency code."),
            C("value", "value", "Its current value, positive."),
        ),
    ),
    Kind(
        "manual_values",
        "The value of a manual asset from a day on.",
        lambda user: ManualValue.objects.filter(
            asset__in=access.manual_assets_visible(user)
        ).order_by("asset_id", "date"),
        (
            C("asset", "asset__public_id", "manual_assets.id."),
            C("date", "date", "The day."),
            C("value", "value", "Its value from that day on."),
        ),
    ),
    Kind(
        "settings",
        "Your settings (one row).",
        _settings,
        (
            C(
                "home_currency",
                "home_currency_code",
                "The currency totals are shown in, if you chose one (empty: the first account's).",
            ),
            C("time_zone", "time_zone", "Your time zone (empty: the site's)."),
        ),
    ),
    Kind(
        "alert_settings",
        "The alerts you chose (a kind not listed keeps its default).",
        lambda user: access.alert_settings_visible(user).order_by("kind"),
        (
            C("kind", "kind", "budget, large_transaction, low_balance, bank, digest, ..."),
            C("enabled", "enabled", "Whether you get it."),
            C("threshold", "threshold", "The amount it watches, for the kinds that take one."),
        ),
    ),
)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_rows(kind: Kind, user) -> Iterator[dict]:
    """Each row as {column: value}, read CHUNK rows at a time."""
    if kind.generate:
        yield from kind.generate(user)
        return
    names = [c.name for c in kind.columns]
    lookups = [c.lookup for c in kind.columns]
    rows = kind.rows(user).values_list(*lookups).iterator(chunk_size=CHUNK)
    while chunk := [dict(zip(names, r, strict=True)) for r in islice(rows, CHUNK)]:
        if kind.enrich:
            kind.enrich(chunk)
        yield from chunk
