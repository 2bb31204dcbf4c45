import datetime as dt
from decimal import Decimal

import pytest

from banking.models import SyncOutbox, Transaction
from banking.outbox import outbox_deliver
from finance import selectors
from finance.insights import cash_flow, monthly_spending_by_category
from finance.models import SplitPart, TransactionMeta
from finance.splits import Part, SplitError, splits_set
from tests.factories import AccountFactory, SyncRunFactory, TransactionFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def costco(alice):
    return TransactionFactory(
        account=AccountFactory(item__user=alice),
        amount=Decimal("150.00"),
        date=TODAY,
        name="COSTCO WHSE",
        pfc_primary="GENERAL_MERCHANDISE",
        pfc_detailed="GENERAL_MERCHANDISE_SUPERSTORES",
    )


def top(user):
    _, rows = selectors.spending_summary(user=user, today=TODAY)
    return {r["category"]: r["total"] for r in rows}


def post_parts(client, txn, parts):
    data = {"parts-TOTAL_FORMS": str(len(parts)), "parts-INITIAL_FORMS": "0"}
    for i, (amount, category) in enumerate(parts):
        data[f"parts-{i}-amount"] = amount
        data[f"parts-{i}-category"] = category
        data[f"parts-{i}-notes"] = ""
    return client.post(f"/transactions/{txn.public_id}/split/", data)


def test_a_split_counts_its_parts_in_every_total(alice, alice_client, costco):
    r = post_parts(alice_client, costco, [("100.00", "FOOD_AND_DRINK"), ("50.00", "")])
    assert r.status_code == 302
    assert top(alice) == {
        "FOOD_AND_DRINK": Decimal("100.00"),
        "GENERAL_MERCHANDISE": Decimal("50.00"),
    }
    spending, _ = selectors.spending_summary(user=alice, today=TODAY)
    assert spending[0]["this_month"] == Decimal("150.00")
    flow = cash_flow(user=alice, today=TODAY, months=1)
    assert flow["USD"][0]["spending"] == Decimal("150.00")
    monthly = monthly_spending_by_category(user=alice, today=TODAY, months=1)
    assert monthly["USD"]["categories"]["FOOD_AND_DRINK"] == [Decimal("100.00")]


def test_parts_must_sum_to_the_transaction(alice, alice_client, costco):
    r = post_parts(alice_client, costco, [("100.00", ""), ("49.99", "")])
    assert r.status_code == 400
    assert not SplitPart.objects.exists()
    with pytest.raises(SplitError):
        splits_set(user=alice, transaction=costco, parts=[Part(Decimal("150.00"))])


def test_removing_the_split_counts_the_whole_again(alice, costco):
    splits_set(
        user=alice, transaction=costco, parts=[Part(Decimal("100"), "TRAVEL"), Part(Decimal("50"))]
    )
    splits_set(user=alice, transaction=costco, parts=[])
    assert top(alice) == {"GENERAL_MERCHANDISE": Decimal("150.00")}


def resync(txn, **changes):
    Transaction.objects.filter(pk=txn.pk).update(**changes)
    row = SyncOutbox.objects.create(
        item=txn.account.item, run=SyncRunFactory(item=txn.account.item), modified=[txn.pk]
    )
    assert outbox_deliver(outbox_id=row.pk) == "delivered"


def test_a_resync_with_the_same_amount_keeps_the_split(alice, costco):
    splits_set(
        user=alice, transaction=costco, parts=[Part(Decimal("100"), "TRAVEL"), Part(Decimal("50"))]
    )
    resync(costco, name="COSTCO WHOLESALE #123")
    assert TransactionMeta.objects.get(pk=costco.pk).split_review is False
    assert top(alice)["TRAVEL"] == Decimal("100")


def test_a_resync_that_changes_the_amount_flags_the_split_for_review(alice, costco):
    splits_set(
        user=alice, transaction=costco, parts=[Part(Decimal("100"), "TRAVEL"), Part(Decimal("50"))]
    )
    resync(costco, amount=Decimal("160.00"))
    assert TransactionMeta.objects.get(pk=costco.pk).split_review is True
    assert top(alice) == {"GENERAL_MERCHANDISE": Decimal("160.00")}


def test_the_split_page_shows_the_parts(alice, alice_client, costco):
    splits_set(
        user=alice, transaction=costco, parts=[Part(Decimal("100"), "TRAVEL"), Part(Decimal("50"))]
    )
    r = alice_client.get(f"/transactions/{costco.public_id}/split/")
    assert r.status_code == 200
    assert r.context["formset"].initial[0]["category"] == "TRAVEL"


def test_bob_gets_404_splitting_alices_transaction(bob_client, costco):
    assert bob_client.get(f"/transactions/{costco.public_id}/split/").status_code == 404
    r = post_parts(bob_client, costco, [("100.00", ""), ("50.00", "")])
    assert r.status_code == 404
    assert not SplitPart.objects.exists()
