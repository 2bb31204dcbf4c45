"""One budget per (user, category) and one total budget per user, whatever the currency."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0020_budgets_one_per_category"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="budget", name="budget_user_category_currency"),
        migrations.RemoveConstraint(model_name="budget", name="budget_user_total_currency"),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.UniqueConstraint(
                fields=("user", "category"), name="budget_user_category"
            ),
        ),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", True)),
                fields=("user",),
                name="budget_user_total",
            ),
        ),
    ]
