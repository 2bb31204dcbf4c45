"""Migration finance 0024: a meta row has no user column (its owner is its transaction's);
going back fills the column in from the transactions, and coming forward keeps every row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from finance.models import TransactionMeta
from tests.factories import TransactionFactory, account_for

pytestmark = pytest.mark.django_db(transaction=True)

WITH_USER = [("finance", "0023_meta_partial_indexes")]


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_after():
    yield
    migrate()


def test_going_back_gives_each_meta_row_its_transactions_owner_and_forward_keeps_the_rows(
    alice, bob
):
    mine = TransactionFactory(account=account_for(alice))
    theirs = TransactionFactory(account=account_for(bob))
    TransactionMeta.objects.create(transaction=mine, excluded=True)
    TransactionMeta.objects.create(transaction=theirs, display_name="Rent")

    old = migrate(WITH_USER).get_model("finance", "TransactionMeta")
    assert dict(old.objects.values_list("transaction_id", "user_id")) == {
        mine.pk: alice.pk,
        theirs.pk: bob.pk,
    }

    migrate()
    assert "user_id" not in {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), TransactionMeta._meta.db_table
        )
    }
    assert sorted(
        TransactionMeta.objects.values_list("transaction_id", "excluded", "display_name")
    ) == sorted([(mine.pk, True, ""), (theirs.pk, False, "Rent")])
