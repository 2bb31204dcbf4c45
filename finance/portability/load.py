"""Reading an export's CSV files into a user, kind by kind: the body of the import.

Nothing in the file is trusted as a database key: every row gets new objects (new public ids,
new local "manual-..." Plaid ids), and the file's ids are only used to find, within the file,
the objects a row refers to (accounts.bank_connection, transactions.account, split_parts.
transaction, ...). A reference that does not resolve is an error naming the file, line and
column. Category codes are the user's own names for categories, not ids: they are kept.
The caller runs everything in one database transaction, so an error leaves nothing behind.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from banking.models import Account, PlaidItem, Transaction
from finance import access
from finance.models import (
    AccountPreference,
    Category,
    SplitPart,
    Tag,
    TransactionMeta,
    TransactionTag,
    TransferLink,
)
from finance.rules import BANK_FIELDS, META_FIELDS

from .load_plans import BATCH, PlanLoader

# What the import reads, in order (a kind's references point at kinds read before it).
# Recurring streams and holdings are not imported: the former are found again from the
# transactions, the latter need Plaid's securities.
IMPORTED = (
    "bank_connections",
    "accounts",
    "categories",
    "tags",
    "transactions",
    "split_parts",
    "transfers",
    "rules",
    "budgets",
    "budget_months",
    "balance_history",
    "manual_assets",
    "manual_values",
    "settings",
    "alert_settings",
)
# A transaction gets a meta row when one of these says something.
META_COLUMNS = ("display_name", "excluded", "transfer", "split", "set_by_you", "set_by_rules")
# The fields a rule (or the user, by hand) sets on a transaction.
SETTABLE = set(BANK_FIELDS) | set(META_FIELDS)
META_DISPLAY_MAX = TransactionMeta._meta.get_field("display_name").max_length


def _local_id() -> str:
    # Stands where Plaid's id would be (unique, at most 64 characters); never sent anywhere.
    return f"manual-{uuid.uuid4().hex}"


class Loader(PlanLoader):
    def load(self) -> dict[str, int]:
        for kind in IMPORTED:
            getattr(self, f"load_{kind}")()
        return self.counts

    def load_bank_connections(self) -> None:
        for line, row in self.rows("bank_connections"):
            self.unique(self.items, row["id"], "bank_connections", line, "id")
            self.items[row["id"]] = PlaidItem.objects.manual_create(
                user=self.user, name=row["bank"] or ""
            )

    def load_accounts(self) -> None:
        for line, row in self.rows("accounts"):
            self.unique(self.accounts, row["id"], "accounts", line, "id")
            item = self.ref(
                self.items,
                "accounts",
                line,
                "bank_connection",
                row["bank_connection"],
                "bank_connections.csv",
            )
            account = Account.objects.create(
                item=item,
                account_id=_local_id(),
                name=row["name"],
                official_name=row["official_name"],
                mask=row["mask"],
                type=row["type"],
                subtype=row["subtype"],
                current_balance=row["current_balance"],
                available_balance=row["available_balance"],
                limit=row["limit"],
                iso_currency_code=row["currency"],
                unofficial_currency_code=row["unofficial_currency"],
                hidden=row["hidden"],
            )
            if row["nickname"] is not None or row["excluded_from_totals"] is not None:
                AccountPreference.objects.create(
                    account=account,
                    nickname=row["nickname"] or "",
                    excluded_from_totals=bool(row["excluded_from_totals"]),
                )
            self.accounts[row["id"]] = account.pk

    def load_categories(self) -> None:
        # The seeded tree of a new user makes way for the file's.
        access.categories_visible(self.user).delete()
        links = []
        for line, row in self.rows("categories"):
            self.unique(self.categories, row["code"], "categories", line, "code")
            self.categories[row["code"]] = Category.objects.create(
                user=self.user,
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                hidden=row["hidden"],
            )
            links.append((line, row))
        # Parents and merges may come before or after the rows naming them: a second pass.
        for line, row in links:
            category = self.categories[row["code"]]
            for column, field in (("parent", "parent"), ("merged_into", "merged_into")):
                if row[column] is not None:
                    target = self.ref(
                        self.categories, "categories", line, column, row[column], "categories.csv"
                    )
                    setattr(category, field, target)
            if row["parent"] is not None or row["merged_into"] is not None:
                category.save(update_fields=["parent", "merged_into"])

    def load_tags(self) -> None:
        for line, row in self.rows("tags"):
            self.unique(self.tags, row["name"], "tags", line, "name")
            self.tags[row["name"]] = Tag.objects.create(user=self.user, name=row["name"]).pk

    def load_transactions(self) -> None:
        batch: list[tuple[int, dict, Transaction]] = []
        for line, row in self.rows("transactions"):
            self.unique(self.transactions, row["id"], "transactions", line, "id")
            self.transactions[row["id"]] = 0  # the row's pk once its batch is written
            account = self.ref(
                self.accounts, "transactions", line, "account", row["account"], "accounts.csv"
            )
            for name in row["tags"]:
                self.ref(self.tags, "transactions", line, "tags", name, "tags.csv")
            if len(row["display_name"]) > META_DISPLAY_MAX:
                raise self.fail("transactions", line, "display_name", "is too long")
            for column in ("set_by_you", "set_by_rules"):
                if unknown := set(row[column]) - SETTABLE:
                    raise self.fail(
                        "transactions", line, column, f"{min(unknown)[:40]!r} is not a field"
                    )
            t = Transaction(
                user=self.user,
                account_id=account,
                transaction_id=_local_id(),
                amount=row["amount"],
                iso_currency_code=row["currency"],
                unofficial_currency_code=row["unofficial_currency"],
                date=row["date"],
                authorized_date=row["authorized_date"],
                name=row["name"],
                merchant_name=row["merchant"],
                pending=row["pending"],
                category_override=row["category_override"],
                pfc_primary=row["bank_category"],
                pfc_detailed=row["bank_category_detailed"],
                notes=row["notes"],
            )
            batch.append((line, row, t))
            if len(batch) >= BATCH:
                self._transactions_write(batch)
                batch = []
        self._transactions_write(batch)

    def _transactions_write(self, batch) -> None:
        if not batch:
            return
        Transaction.objects.bulk_create([t for _, _, t in batch])
        links, metas = [], []
        for _, row, t in batch:
            self.transactions[row["id"]] = t.pk
            links += [TransactionTag(transaction_id=t.pk, tag_id=self.tags[n]) for n in row["tags"]]
            if any(row[c] for c in META_COLUMNS):
                meta = TransactionMeta(
                    transaction_id=t.pk,
                    display_name=row["display_name"],
                    excluded=bool(row["excluded"]),
                    transfer=bool(row["transfer"]),
                    split=bool(row["split"]),
                    split_amount=t.amount if row["split"] else None,
                    user_fields=sorted(set(row["set_by_you"])),
                    rule_fields=sorted(set(row["set_by_rules"])),
                )
                metas.append(meta)
                self.metas[t.pk] = meta
            if row["split"]:
                self.amounts[t.pk] = t.amount
        TransactionTag.objects.bulk_create(links)
        TransactionMeta.objects.bulk_create(metas)

    def load_split_parts(self) -> None:
        sums: dict[int, Decimal] = {}
        parts = []
        for line, row in self.rows("split_parts"):
            parent = self.ref(
                self.transactions,
                "split_parts",
                line,
                "transaction",
                row["transaction"],
                "transactions.csv",
            )
            if parent not in self.metas or not self.metas[parent].split:
                raise self.fail("split_parts", line, "transaction", "is not marked as split")
            sums[parent] = sums.get(parent, Decimal(0)) + row["amount"]
            parts.append(
                SplitPart(
                    parent_id=parent,
                    position=row["position"] or 0,
                    amount=row["amount"],
                    category=row["category"],
                    notes=row["notes"],
                )
            )
        SplitPart.objects.bulk_create(parts, batch_size=BATCH)
        # Parts that no longer add up to their transaction wait for the user's review, as
        # after a sync that changed the amount.
        review = [pk for pk, amount in self.amounts.items() if sums.get(pk) != amount]
        TransactionMeta.objects.filter(pk__in=review).update(split_review=True)

    def load_transfers(self) -> None:
        linked: set[int] = set()
        links = []
        for line, row in self.rows("transfers"):
            ends = [
                self.ref(
                    self.transactions, "transfers", line, column, row[column], "transactions.csv"
                )
                for column in ("outflow", "inflow")
            ]
            if row["status"] != TransferLink.Status.UNDONE:
                for column, pk in zip(("outflow", "inflow"), ends, strict=True):
                    if pk in linked:
                        raise self.fail("transfers", line, column, "is in two live transfers")
                    linked.add(pk)
            links.append(
                TransferLink(
                    user=self.user, outflow_id=ends[0], inflow_id=ends[1], status=row["status"]
                )
            )
        TransferLink.objects.bulk_create(links, batch_size=BATCH)
        TransactionMeta.objects.bulk_create(
            [TransactionMeta(transaction_id=pk, linked=True) for pk in linked],
            update_conflicts=True,
            unique_fields=["transaction"],
            update_fields=["linked"],
            batch_size=BATCH,
        )
