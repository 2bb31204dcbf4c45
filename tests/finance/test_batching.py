import pytest

from banking.models import Transaction
from finance.batching import id_batches, rows_with_ids
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db


def test_it_batches_ids_sorted_and_once():
    assert list(id_batches([5, 3, 5, 1])) == [[1, 3, 5]]


@pytest.mark.parametrize("pick", [lambda pks: pks[1:4], lambda pks: [pks[0], pks[-1]]])
def test_it_reads_exactly_the_named_rows_dense_or_sparse(alice, pick):
    account = AccountFactory(item__user=alice)
    pks = sorted(TransactionFactory(account=account).pk for _ in range(8))
    wanted = pick(pks)
    rows = Transaction.objects.all()
    assert sorted(t.pk for t in rows_with_ids(rows, wanted)) == wanted
    assert sorted(r["pk"] for r in rows_with_ids(rows.values("pk"), wanted)) == wanted
