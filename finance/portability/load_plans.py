"""The import's later kinds: rules, budgets, balance history and manual assets (and the user's
settings). They refer to accounts and categories read before them (finance/portability/load.py).
"""

from __future__ import annotations

import re
import zoneinfo

from django.contrib.auth import get_user_model

from finance.currency.home import home_currency_set
from finance.models import (
    AlertSetting,
    BalanceSnapshot,
    Budget,
    BudgetMonth,
    ManualAsset,
    ManualValue,
    Rule,
)

from .load_base import LoaderBase

BATCH = 1000


class PlanLoader(LoaderBase):
    def load_rules(self) -> None:
        for line, row in self.rows("rules"):
            account = None
            if row["account"] is not None:
                account = self.ref(
                    self.accounts, "rules", line, "account", row["account"], "accounts.csv"
                )
            Rule.objects.create(
                user=self.user,
                account_id=account,
                **{field: row[column] for column, field in RULE_COLUMNS.items()},
            )

    def load_budgets(self) -> None:
        seen: dict = {}
        for line, row in self.rows("budgets"):
            self.unique(self.budgets, row["id"], "budgets", line, "id")
            category = None
            if row["category"] is not None:
                category = self.ref(
                    self.categories, "budgets", line, "category", row["category"], "categories.csv"
                )
            key = (row["category"], row["currency"])
            self.unique(seen, key, "budgets", line, "category")
            seen[key] = True
            self.budgets[row["id"]] = Budget.objects.create(
                user=self.user,
                category=category,
                currency=row["currency"],
                start_month=row["start_month"],
                rollover=row["rollover"],
            ).pk

    def load_budget_months(self) -> None:
        seen: dict = {}
        months = []
        for line, row in self.rows("budget_months"):
            budget = self.ref(
                self.budgets, "budget_months", line, "budget", row["budget"], "budgets.csv"
            )
            self.unique(seen, (budget, row["month"]), "budget_months", line, "month")
            seen[(budget, row["month"])] = True
            months.append(BudgetMonth(budget_id=budget, month=row["month"], amount=row["amount"]))
        BudgetMonth.objects.bulk_create(months, batch_size=BATCH)

    def load_balance_history(self) -> None:
        seen: dict = {}
        rows = []
        for line, row in self.rows("balance_history"):
            account = self.ref(
                self.accounts, "balance_history", line, "account", row["account"], "accounts.csv"
            )
            self.unique(seen, (account, row["date"]), "balance_history", line, "date")
            seen[(account, row["date"])] = True
            if row["current"] is None:
                raise self.fail("balance_history", line, "current", "is empty")
            rows.append(
                BalanceSnapshot(
                    account_id=account,
                    date=row["date"],
                    current=row["current"],
                    available=row["available"],
                    currency=row["currency"],
                    estimated=row["estimated"],
                )
            )
            if len(rows) >= BATCH:
                BalanceSnapshot.objects.bulk_create(rows)
                rows = []
        BalanceSnapshot.objects.bulk_create(rows)

    def load_manual_assets(self) -> None:
        for line, row in self.rows("manual_assets"):
            self.unique(self.assets, row["id"], "manual_assets", line, "id")
            self.assets[row["id"]] = ManualAsset.objects.create(
                user=self.user,
                name=row["name"],
                kind=row["kind"],
                category=row["category"],
                currency=row["currency"],
                value=row["value"],
            ).pk

    def load_manual_values(self) -> None:
        seen: dict = {}
        values = []
        for line, row in self.rows("manual_values"):
            asset = self.ref(
                self.assets, "manual_values", line, "asset", row["asset"], "manual_assets.csv"
            )
            self.unique(seen, (asset, row["date"]), "manual_values", line, "date")
            seen[(asset, row["date"])] = True
            values.append(ManualValue(asset_id=asset, date=row["date"], value=row["value"]))
        ManualValue.objects.bulk_create(values, batch_size=BATCH)

    def load_settings(self) -> None:
        for line, row in self.rows("settings"):
            if line > 2:
                raise self.fail("settings", line, "home_currency", "there is one row of settings")
            code, zone = row["home_currency"], row["time_zone"]
            if code and not re.fullmatch("[A-Z]{3}", code):
                raise self.fail("settings", line, "home_currency", f"{code[:40]!r} is not a code")
            if zone and zone not in zoneinfo.available_timezones():
                raise self.fail("settings", line, "time_zone", f"{zone[:40]!r} is not a zone")
            if code:
                home_currency_set(user=self.user, code=code)
            get_user_model().objects.filter(pk=self.user.pk).update(time_zone=zone)

    def load_alert_settings(self) -> None:
        seen: dict = {}
        for line, row in self.rows("alert_settings"):
            self.unique(seen, row["kind"], "alert_settings", line, "kind")
            seen[row["kind"]] = True
            AlertSetting.objects.create(
                user=self.user, kind=row["kind"], enabled=row["enabled"], threshold=row["threshold"]
            )


# rules.csv column -> Rule field (the account column is resolved apart).
RULE_COLUMNS = {
    "name": "name",
    "position": "position",
    "enabled": "enabled",
    "stop_here": "stop_here",
    "text_field": "text_field",
    "text_op": "text_op",
    "text_value": "text_value",
    "amount_min": "amount_min",
    "amount_max": "amount_max",
    "sign": "sign",
    "bank_category": "plaid_category",
    "date_from": "date_from",
    "date_to": "date_to",
    "set_category": "set_category",
    "set_display_name": "set_display_name",
    "add_tags": "add_tags",
    "set_notes": "set_notes",
    "mark_transfer": "mark_transfer",
    "exclude": "exclude",
}
