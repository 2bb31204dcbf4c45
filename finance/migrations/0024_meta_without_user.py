# The owner of a meta row is its transaction's: the copy of it in the meta row cost every
# written row a foreign-key check at commit and an index entry, and nothing read it. Going
# back fills the column in again from the transactions.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def owner_from_transaction(apps, schema_editor):
    meta = apps.get_model("finance", "TransactionMeta")
    transaction = apps.get_model("banking", "Transaction")
    owner = transaction.objects.filter(pk=models.OuterRef("transaction_id")).values("user_id")
    meta.objects.update(user_id=models.Subquery(owner[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0012_manual_items"),
        ("finance", "0023_meta_partial_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Nullable first, so that going back can add the column before filling it in.
        migrations.AlterField(
            model_name="transactionmeta",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, owner_from_transaction),
        migrations.RemoveField(
            model_name="transactionmeta",
            name="user",
        ),
    ]
