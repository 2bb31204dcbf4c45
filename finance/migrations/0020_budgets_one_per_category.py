"""Before one budget per (user, category) and one total per user (0021), whatever the currency.

Budgets now count spending in every currency (converted), so two budgets for one category in
two currencies would count the same spending twice. Where such budgets exist they become one,
with nothing of the plan lost: the budget in the user's chosen home currency stays (else the
oldest), and each month's amount becomes the sum of both plans' amounts for that month, the
other currency's converted at the latest rate in the rates table (ECB, per euro). A plan in a
currency without any rate cannot be converted: its budget is removed, as it could never count
anything (spending in such a currency is shown apart, not counted).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

CENT = Decimal("0.01")


def _amount_at(months: list[tuple], month) -> Decimal:
    """A plan's amount in a month: its latest change at or before it (none before its start)."""
    amount = Decimal(0)
    for changed, value in months:
        if changed <= month:
            amount = value
    return amount


def _rate(ExchangeRate, currency: str) -> Decimal | None:
    if currency == "EUR":
        return Decimal(1)
    row = ExchangeRate.objects.filter(currency=currency).order_by("-date").first()
    return row.rate if row else None


def merge_budgets_per_category(apps, schema_editor):
    Budget = apps.get_model("finance", "Budget")
    BudgetMonth = apps.get_model("finance", "BudgetMonth")
    HomeCurrency = apps.get_model("finance", "HomeCurrency")
    ExchangeRate = apps.get_model("finance", "ExchangeRate")
    home = dict(HomeCurrency.objects.values_list("user_id", "code"))
    groups = defaultdict(list)
    for budget in Budget.objects.order_by("pk"):
        groups[(budget.user_id, budget.category_id)].append(budget)
    for (user_id, _), budgets in groups.items():
        if len(budgets) < 2:
            continue
        kept = next((b for b in budgets if b.currency == home.get(user_id)), budgets[0])
        plans = {
            b.pk: list(
                BudgetMonth.objects.filter(budget=b)
                .order_by("month")
                .values_list("month", "amount")
            )
            for b in budgets
        }
        to_rate = _rate(ExchangeRate, kept.currency)
        factors = {kept.pk: Decimal(1)}
        for b in budgets:
            if b.pk != kept.pk:
                from_rate = _rate(ExchangeRate, b.currency)
                if to_rate is not None and from_rate is not None:
                    factors[b.pk] = to_rate / from_rate
        changes = sorted({m for pk in factors for m, _ in plans[pk]})
        merged = {
            m: sum(
                (_amount_at(plans[pk], m) * f for pk, f in factors.items()), Decimal(0)
            ).quantize(CENT, rounding=ROUND_HALF_UP)
            for m in changes
        }
        BudgetMonth.objects.filter(budget=kept).delete()
        BudgetMonth.objects.bulk_create(
            BudgetMonth(budget=kept, month=m, amount=amount) for m, amount in merged.items()
        )
        kept.start_month = min(b.start_month for b in budgets if b.pk in factors)
        kept.save(update_fields=["start_month"])
        Budget.objects.filter(pk__in=[b.pk for b in budgets if b.pk != kept.pk]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0019_households"),
    ]

    operations = [
        # Its own migration: on PostgreSQL the deletes' deferred checks must be committed
        # before the table is altered.
        migrations.RunPython(merge_budgets_per_category, migrations.RunPython.noop),
    ]
