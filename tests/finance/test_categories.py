import datetime as dt
from decimal import Decimal

import pytest

from banking.models import Transaction
from finance import insights, selectors, taxonomy
from finance.categories import CategoryError, category_book, category_merge
from finance.insights import cash_flow
from finance.models import Category
from finance.splits import Part, splits_set
from finance.tags import tag_totals, transaction_tags_set
from finance.transfers import transfer_link
from tests.factories import AccountFactory, TransactionFactory
from tests.reauth import recently_authenticated

pytestmark = pytest.mark.django_db


def cat(user, code):
    return Category.objects.get(user=user, code=code)


def spend(account, amount, primary, detailed="", **kw):
    return TransactionFactory(
        account=account,
        date=kw.pop("date", dt.date.today()),
        amount=Decimal(amount),
        pfc_primary=primary,
        pfc_detailed=detailed,
        **kw,
    )


def totals(user):
    spending, top = selectors.spending_summary(user=user, today=dt.date.today())
    flow = cash_flow(user=user, today=dt.date.today(), months=1)
    return spending, flow


def test_it_seeds_the_plaid_taxonomy_at_sign_up(alice):
    codes = set(Category.objects.filter(user=alice).values_list("code", flat=True))
    assert {"FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES", "LOAN_DISBURSEMENTS"} <= codes
    assert cat(alice, "FOOD_AND_DRINK_GROCERIES").parent == cat(alice, "FOOD_AND_DRINK")
    assert len(codes) == len(taxonomy.seed_rows())


def test_it_seeds_lazily_for_a_user_without_categories_and_only_once(alice):
    Category.objects.filter(user=alice).delete()
    category_book(user=alice)
    category_book(user=alice)
    assert Category.objects.filter(user=alice).count() == len(taxonomy.seed_rows())


def test_it_gives_every_user_their_own_tree(alice, bob):
    assert cat(alice, "TRAVEL").pk != cat(bob, "TRAVEL").pk


@pytest.mark.parametrize(
    ("primary", "detailed", "expected"),
    [
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES", "FOOD_AND_DRINK_GROCERIES"),
        ("INCOME", "INCOME_SALARY", "INCOME_WAGES"),  # a v2 name for a v1 category
        ("INCOME", "INCOME_SOMETHING_NEW", "INCOME"),  # unknown detailed: its primary
        ("LOAN_DISBURSEMENTS", "LOAN_DISBURSEMENTS_PERSONAL", "LOAN_DISBURSEMENTS"),
        ("BRAND_NEW_PRIMARY", "", taxonomy.UNCATEGORISED),
        ("", "", taxonomy.UNCATEGORISED),
    ],
)
def test_it_resolves_v1_and_v2_plaid_codes(alice, primary, detailed, expected):
    book = category_book(user=alice)
    assert book.resolve("", detailed, primary).code == expected


def test_it_prefers_the_users_choice_over_plaids(alice):
    book = category_book(user=alice)
    assert book.resolve("TRAVEL", "FOOD_AND_DRINK_COFFEE", "FOOD_AND_DRINK").code == "TRAVEL"


def test_it_leaves_loan_disbursements_out_of_income(alice):
    account = AccountFactory(item__user=alice)
    spend(account, "-1000.00", "LOAN_DISBURSEMENTS", "LOAN_DISBURSEMENTS_PERSONAL")
    spend(account, "-50.00", "INCOME", "INCOME_SALARY")
    _, flow = totals(alice)
    assert flow["USD"][0]["income"] == Decimal("50.00")


def test_it_leaves_transfers_out_of_spending(alice):
    account = AccountFactory(item__user=alice)
    spend(account, "20.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
    spend(account, "100.00", "TRANSFER_OUT", "TRANSFER_OUT_SAVINGS")
    spending, _ = totals(alice)
    assert spending[0]["this_month"] == Decimal("20.00")


def test_a_payment_to_a_card_that_is_not_linked_is_spending_the_user_can_exclude(
    alice, alice_client
):
    account = AccountFactory(item__user=alice)
    spend(account, "300.00", "LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT")
    assert totals(alice)[0][0]["this_month"] == Decimal("300.00")
    payment = cat(alice, "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT")
    assert payment.name == "Credit card payment"
    alice_client.post(
        f"/categories/{payment.public_id}/", {"name": payment.name, "kind": "excluded"}
    )
    assert totals(alice)[0] == []


def test_a_category_set_to_excluded_leaves_every_total(alice, alice_client):
    account = AccountFactory(item__user=alice)
    spend(account, "20.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
    spend(account, "70.00", "TRAVEL", "TRAVEL_FLIGHTS")
    travel = cat(alice, "TRAVEL")
    r = alice_client.post(f"/categories/{travel.public_id}/", {"name": "Trips", "kind": "excluded"})
    assert r.status_code == 302
    assert cat(alice, "TRAVEL_FLIGHTS").kind == "excluded"
    spending, _ = totals(alice)
    assert spending[0]["this_month"] == Decimal("20.00")


def test_totals_group_under_the_top_level_category_by_its_name(alice, alice_client):
    account = AccountFactory(item__user=alice)
    spend(account, "20.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
    spend(account, "5.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES")
    food = cat(alice, "FOOD_AND_DRINK")
    alice_client.post(f"/categories/{food.public_id}/", {"name": "Eating", "kind": "spending"})
    _, top = selectors.spending_summary(user=alice, today=dt.date.today())
    assert [{k: v for k, v in row.items() if k != "detail"} for row in top] == [
        {
            "category": "FOOD_AND_DRINK",
            "label": "Eating",
            "currency": "USD",
            "total": Decimal("25.00"),
        }
    ]


def test_it_adds_a_category_and_offers_it_on_the_edit_page(alice, alice_client):
    food = cat(alice, "FOOD_AND_DRINK")
    r = alice_client.post(
        "/categories/", {"name": "Costco run", "kind": "spending", "parent": str(food.public_id)}
    )
    assert r.status_code == 302
    added = Category.objects.get(user=alice, name="Costco run")
    assert added.parent == food and added.code.startswith("CUSTOM_")
    txn = spend(AccountFactory(item__user=alice), "40.00", "GENERAL_MERCHANDISE")
    r = alice_client.post(f"/transactions/{txn.public_id}/", {"category_override": added.code})
    assert r.status_code == 302
    r = alice_client.get(f"/transactions/?category={food.code}")
    assert [t.pk for t in r.context["page"].rows] == [txn.pk]


def test_filtering_by_a_category_includes_its_children_and_plaid_codes(alice, alice_client):
    account = AccountFactory(item__user=alice)
    coffee = spend(account, "4.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
    spend(account, "9.00", "TRAVEL", "TRAVEL_FLIGHTS")
    moved = spend(account, "8.00", "TRAVEL", "TRAVEL_LODGING", category_override="FOOD_AND_DRINK")
    r = alice_client.get("/transactions/?category=FOOD_AND_DRINK")
    assert {t.pk for t in r.context["page"].rows} == {coffee.pk, moved.pk}


def test_merging_moves_transactions_keeps_plaid_codes_and_every_total(alice, alice_client):
    account = AccountFactory(item__user=alice)
    spend(account, "20.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
    chosen = spend(account, "7.00", "TRAVEL", "TRAVEL_LODGING", category_override="ENTERTAINMENT")
    spend(account, "13.00", "ENTERTAINMENT", "ENTERTAINMENT_TV_AND_MOVIES")
    spend(account, "-900.00", "INCOME", "INCOME_WAGES")
    before = totals(alice)
    source, target = cat(alice, "ENTERTAINMENT"), cat(alice, "FOOD_AND_DRINK")
    r = alice_client.post(
        f"/categories/{source.public_id}/merge/", {"target": str(target.public_id)}
    )
    assert r.status_code == 302
    assert totals(alice) == before
    assert Transaction.objects.get(pk=chosen.pk).category_override == "FOOD_AND_DRINK"
    _, top = selectors.spending_summary(user=alice, today=dt.date.today())
    assert [(t["category"], t["total"]) for t in top] == [("FOOD_AND_DRINK", Decimal("40.00"))]
    assert cat(alice, "ENTERTAINMENT_TV_AND_MOVIES").parent == target
    r = alice_client.get("/categories/")
    assert b">Entertainment</a>" not in r.content


def test_it_refuses_to_merge_a_category_into_its_child(alice):
    with pytest.raises(CategoryError):
        category_merge(source=cat(alice, "TRAVEL"), target=cat(alice, "TRAVEL_FLIGHTS"))


def test_a_hidden_category_leaves_the_pickers(alice, alice_client):
    travel = cat(alice, "TRAVEL")
    alice_client.post(
        f"/categories/{travel.public_id}/", {"name": "Travel", "kind": "spending", "hidden": "on"}
    )
    r = alice_client.get("/transactions/")
    assert ("TRAVEL", "Travel") not in r.context["form"].fields["category"].choices


def test_it_rejects_a_blank_name(alice, alice_client):
    travel = cat(alice, "TRAVEL")
    r = alice_client.post(f"/categories/{travel.public_id}/", {"name": "", "kind": "spending"})
    assert r.status_code == 400
    assert cat(alice, "TRAVEL").name == "Travel"


def test_it_lists_the_tree(alice_client):
    r = alice_client.get("/categories/")
    assert r.status_code == 200
    assert b"Groceries" in r.content


@pytest.mark.parametrize("suffix", ["", "merge/"])
def test_bob_gets_404_for_alices_category(alice, bob_client, suffix):
    travel = cat(alice, "TRAVEL")
    method = bob_client.get if not suffix else bob_client.post
    r = method(f"/categories/{travel.public_id}/{suffix}")
    assert r.status_code == 404


def test_bob_cannot_post_an_edit_to_alices_category(alice, bob_client):
    travel = cat(alice, "TRAVEL")
    r = bob_client.post(f"/categories/{travel.public_id}/", {"name": "Mine", "kind": "spending"})
    assert r.status_code == 404
    assert cat(alice, "TRAVEL").name == "Travel"


def test_bob_cannot_merge_into_alices_category(alice, bob, bob_client):
    mine = cat(bob, "TRAVEL")
    r = bob_client.post(
        f"/categories/{mine.public_id}/merge/", {"target": str(cat(alice, "MEDICAL").public_id)}
    )
    assert r.status_code == 400
    assert cat(bob, "TRAVEL").merged_into is None


def test_bob_cannot_add_a_category_inside_alices(alice, bob_client):
    r = bob_client.post(
        "/categories/",
        {"name": "Sneaky", "kind": "spending", "parent": str(cat(alice, "TRAVEL").public_id)},
    )
    assert r.status_code == 400
    assert not Category.objects.filter(name="Sneaky").exists()


def test_merging_keeps_every_total_with_splits_tags_transfers_and_exclusions(alice, alice_client):
    recently_authenticated(alice_client, "alice-pass-123")
    today = dt.date.today()
    checking, card = AccountFactory(item__user=alice), AccountFactory(item__user=alice)
    spend(checking, "20.00", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
    movie = spend(checking, "30.00", "ENTERTAINMENT", "ENTERTAINMENT_TV_AND_MOVIES")
    costco = spend(checking, "100.00", "GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_SUPERSTORES")
    splits_set(
        user=alice,
        transaction=costco,
        parts=[Part(Decimal("60.00"), "FOOD_AND_DRINK"), Part(Decimal("40.00"), "ENTERTAINMENT")],
    )
    transaction_tags_set(user=alice, transaction=movie, names=["fun"])
    payment = spend(checking, "250.00", "LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT")
    arrival = spend(card, "-250.00", "TRANSFER_IN", "TRANSFER_IN_ACCOUNT_TRANSFER")
    transfer_link(user=alice, first=payment, second=arrival)
    spend(checking, "-900.00", "INCOME", "INCOME_WAGES")

    def every_total():
        spending, _ = selectors.spending_summary(user=alice, today=today)
        by_month = {
            currency: [sum(col) for col in zip(*data["categories"].values(), strict=True)]
            for currency, data in insights.monthly_spending_by_category(
                user=alice, today=today, months=12
            ).items()
        }
        export = alice_client.get("/transactions/export.csv")
        body = b"".join(export.streaming_content).decode()
        return (
            spending,
            cash_flow(user=alice, today=today, months=12),
            by_month,
            tag_totals(user=alice),
            body.count("\r\n"),
        )

    before = every_total()
    source, target = cat(alice, "ENTERTAINMENT"), cat(alice, "FOOD_AND_DRINK")
    alice_client.post(f"/categories/{source.public_id}/merge/", {"target": str(target.public_id)})
    assert Category.objects.get(pk=source.pk).merged_into_id == target.pk
    assert every_total() == before
    assert alice_client.get("/").status_code == 200
    assert alice_client.get("/insights/").status_code == 200
