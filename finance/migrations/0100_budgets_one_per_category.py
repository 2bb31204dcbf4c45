"""Before one budget per (user, category) and one total per user (0101), whatever the currency.

Budgets count spending in every currency (converted), so a second budget for the same category
in another currency counted the same spending twice. Where such pairs exist, the budget in the
user's chosen home currency stays (else the oldest) and the others are removed.
"""

from django.db import migrations


def keep_one_budget_per_category(apps, schema_editor):
    Budget = apps.get_model("finance", "Budget")
    HomeCurrency = apps.get_model("finance", "HomeCurrency")
    home = dict(HomeCurrency.objects.values_list("user_id", "code"))
    kept: dict[tuple[int, int | None], int] = {}
    extra = []
    for pk, user_id, category_id, currency in Budget.objects.order_by("pk").values_list(
        "pk", "user_id", "category_id", "currency"
    ):
        key = (user_id, category_id)
        if key not in kept:
            kept[key] = pk
        elif currency == home.get(user_id):
            extra.append(kept[key])
            kept[key] = pk
        else:
            extra.append(pk)
    Budget.objects.filter(pk__in=extra).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0019_households"),
    ]

    operations = [
        # Its own migration: on PostgreSQL the deletes' deferred checks must be committed
        # before the table is altered.
        migrations.RunPython(keep_one_budget_per_category, migrations.RunPython.noop),
    ]
