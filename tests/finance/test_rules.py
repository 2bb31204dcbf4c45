import datetime as dt
from decimal import Decimal

import pytest

from banking.models import SyncOutbox, Transaction
from banking.outbox import outbox_deliver
from finance import selectors
from finance.models import Rule, TransactionMeta
from finance.rules import RuleMatcher, rule_apply_existing, rule_preview, rules_apply
from tests.factories import AccountFactory, SyncRunFactory, TransactionFactory

pytestmark = pytest.mark.django_db


def make_rule(user, **kw):
    kw.setdefault("name", "rule")
    kw.setdefault("position", Rule.objects.filter(user=user).count() + 1)
    return Rule.objects.create(user=user, **kw)


def txn(account, name="AMZN MKTP US*2K3", merchant="Amazon", amount="25.00", **kw):
    return TransactionFactory(
        account=account,
        name=name,
        merchant_name=merchant,
        amount=Decimal(amount),
        date=kw.pop("date", dt.date.today()),
        pfc_primary=kw.pop("pfc_primary", "GENERAL_MERCHANDISE"),
        pfc_detailed=kw.pop("pfc_detailed", "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES"),
        **kw,
    )


def fresh(t):
    return Transaction.objects.select_related("meta").get(pk=t.pk)


@pytest.fixture
def account(alice):
    return AccountFactory(item__user=alice)


ROW = {
    "name": "AMZN MKTP US*2K3",
    "merchant_name": "Amazon",
    "amount": Decimal("25.00"),
    "account_id": 1,
    "pfc_primary": "GENERAL_MERCHANDISE",
    "pfc_detailed": "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES",
    "date": dt.date(2026, 5, 4),
}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"text_value": "amazon"}, True),
        ({"text_value": "amz", "text_op": "starts_with", "text_field": "name"}, True),
        ({"text_value": "amz", "text_op": "starts_with", "text_field": "merchant"}, False),
        ({"text_value": "AMAZON", "text_op": "exact", "text_field": "merchant"}, True),
        ({"text_value": "amazo", "text_op": "exact"}, False),
        ({"text_value": r"^amzn\s+mktp", "text_op": "regex"}, True),
        ({"text_value": r"^walmart", "text_op": "regex"}, False),
        ({"sign": "in"}, False),
        ({"sign": "out", "amount_min": Decimal("20"), "amount_max": Decimal("30")}, True),
        ({"amount_min": Decimal("30")}, False),
        ({"plaid_category": "GENERAL_MERCHANDISE"}, True),
        ({"plaid_category": "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES"}, True),
        ({"plaid_category": "TRAVEL"}, False),
        ({"date_from": dt.date(2026, 5, 1), "date_to": dt.date(2026, 5, 31)}, True),
        ({"date_from": dt.date(2026, 6, 1)}, False),
        ({"account_id": 2}, False),
    ],
)
def test_it_matches_each_kind_of_condition(conditions, expected):
    assert RuleMatcher(Rule(**conditions)).matches(ROW) is expected


def test_a_pathological_regex_times_out_instead_of_hanging():
    rule = Rule(text_value=r"(a|aa)+$", text_op="regex", text_field="name")
    row = {**ROW, "name": "a" * 5000 + "!"}
    assert RuleMatcher(rule).matches(row) is False


def test_later_rules_override_earlier_ones_unless_one_stops(alice, account):
    t = txn(account)
    make_rule(alice, text_value="amazon", set_category="FOOD_AND_DRINK", set_notes="first")
    make_rule(alice, text_value="amazon", set_category="TRAVEL")
    rules_apply(user=alice, transaction_ids=[t.pk])
    assert (fresh(t).category_override, fresh(t).notes) == ("TRAVEL", "first")

    Rule.objects.filter(user=alice, position=1).update(stop_here=True)
    rules_apply(user=alice, transaction_ids=[t.pk])
    assert fresh(t).category_override == "FOOD_AND_DRINK"


def test_it_renames_keeping_the_original_and_excludes_from_totals(alice, account):
    t = txn(account)
    make_rule(alice, text_value="amazon", set_display_name="Amazon order", exclude=True)
    rules_apply(user=alice, transaction_ids=[t.pk])
    row = fresh(t)
    assert (row.name, row.meta.display_name, row.meta.excluded) == (
        "AMZN MKTP US*2K3",
        "Amazon order",
        True,
    )
    spending, _ = selectors.spending_summary(user=alice, today=dt.date.today())
    assert spending == []


def test_marking_a_transfer_takes_it_out_of_spending(alice, account):
    t = txn(account, name="ZELLE TO SAVINGS", merchant="")
    txn(account, amount="10.00")
    make_rule(alice, text_value="zelle", mark_transfer=True)
    rules_apply(user=alice, transaction_ids=[t.pk])
    assert fresh(t).meta.transfer is True
    spending, _ = selectors.spending_summary(user=alice, today=dt.date.today())
    assert spending[0]["this_month"] == Decimal("10.00")


def test_it_never_overrides_what_the_user_set_by_hand(alice, alice_client, account):
    edited = txn(account)
    alice_client.post(
        f"/transactions/{edited.pk and edited.public_id}/",
        {"category_override": "", "notes": "gift"},
    )
    legacy = txn(account, category_override="MEDICAL")
    make_rule(alice, text_value="amazon", set_category="TRAVEL", set_notes="rule")
    rules_apply(user=alice, transaction_ids=[edited.pk, legacy.pk])
    assert (fresh(edited).category_override, fresh(edited).notes) == ("TRAVEL", "gift")
    assert (fresh(legacy).category_override, fresh(legacy).notes) == ("MEDICAL", "rule")


def test_a_category_changed_by_hand_over_a_rules_choice_stays(alice, alice_client, account):
    t = txn(account)
    make_rule(alice, text_value="amazon", set_category="TRAVEL")
    rules_apply(user=alice, transaction_ids=[t.pk])
    assert fresh(t).category_override == "TRAVEL"

    alice_client.post(f"/transactions/{t.public_id}/", {"category_override": "MEDICAL"})
    rules_apply(user=alice, transaction_ids=[t.pk])

    assert fresh(t).category_override == "MEDICAL"


def test_a_rule_may_change_what_an_earlier_rule_run_set(alice, account):
    t = txn(account)
    rule = make_rule(alice, text_value="amazon", set_category="TRAVEL")
    rules_apply(user=alice, transaction_ids=[t.pk])
    Rule.objects.filter(pk=rule.pk).update(set_category="MEDICAL")
    rules_apply(user=alice, transaction_ids=[t.pk])
    assert fresh(t).category_override == "MEDICAL"


def test_the_outbox_hook_runs_rules_idempotently(alice, account):
    t = txn(account)
    make_rule(alice, text_value="amazon", set_category="TRAVEL", set_display_name="Amazon")
    row = SyncOutbox.objects.create(
        item=account.item, run=SyncRunFactory(item=account.item), added=[t.pk]
    )
    assert outbox_deliver(outbox_id=row.pk) == "delivered"
    first = (fresh(t).category_override, fresh(t).meta.display_name)
    SyncOutbox.objects.filter(pk=row.pk).update(delivered_at=None)
    assert outbox_deliver(outbox_id=row.pk) == "delivered"
    assert (fresh(t).category_override, fresh(t).meta.display_name) == first == ("TRAVEL", "Amazon")
    assert TransactionMeta.objects.count() == 1


def test_disabled_rules_do_not_run(alice, account):
    t = txn(account)
    make_rule(alice, text_value="amazon", set_category="TRAVEL", enabled=False)
    rules_apply(user=alice, transaction_ids=[t.pk])
    assert fresh(t).category_override == ""


def test_rules_only_touch_their_owners_transactions(alice, bob):
    bobs = txn(AccountFactory(item__user=bob))
    make_rule(alice, text_value="amazon", set_category="TRAVEL")
    rules_apply(user=alice, transaction_ids=[bobs.pk])
    assert fresh(bobs).category_override == ""


def test_preview_counts_and_lists_and_apply_changes_existing_rows(alice, account, bob):
    matches = [txn(account, date=dt.date.today() - dt.timedelta(days=i)) for i in range(7)]
    txn(account, name="SHELL OIL", merchant="Shell")
    txn(AccountFactory(item__user=bob))
    rule = make_rule(alice, text_value="amazon", set_category="TRAVEL")
    count, rows = rule_preview(rule=rule, limit=3)
    assert count == 7
    assert [r.pk for r in rows] == [m.pk for m in matches[:3]]
    assert rule_apply_existing(rule=rule) == 7
    assert Transaction.objects.filter(category_override="TRAVEL").count() == 7


def test_create_a_rule_from_a_transaction_prefills_the_form(alice_client, account):
    t = txn(account)
    r = alice_client.get(f"/transactions/{t.public_id}/")
    assert f"/rules/new/?from={t.public_id}".encode() in r.content
    r = alice_client.get(f"/rules/new/?from={t.public_id}")
    form = r.context["form"]
    assert form["text_value"].value() == "Amazon"
    assert form["text_field"].value() == "merchant"
    assert form["set_category"].value() == "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES"


def test_the_rule_pages_preview_save_and_apply(
    alice, alice_client, account, django_capture_on_commit_callbacks
):
    t = txn(account)
    data = {
        "name": "Amazon",
        "enabled": "on",
        "text_field": "merchant",
        "text_op": "exact",
        "text_value": "amazon",
        "set_category": "TRAVEL",
    }
    r = alice_client.post("/rules/new/", {**data, "preview": "1"})
    assert r.status_code == 200 and r.context["preview"][0] == 1
    assert not Rule.objects.exists()
    r = alice_client.post("/rules/new/", data)
    rule = Rule.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/rules/{rule.public_id}/"
    with django_capture_on_commit_callbacks(execute=True):
        r = alice_client.post(f"/rules/{rule.public_id}/apply/")
    assert r.status_code == 302
    assert fresh(t).category_override == "TRAVEL"
    alice_client.post(f"/rules/{rule.public_id}/toggle/")
    assert Rule.objects.get().enabled is False
    assert b"Amazon" in alice_client.get("/rules/").content


def test_a_broken_regex_is_a_field_error(alice_client):
    r = alice_client.post(
        "/rules/new/", {"name": "x", "text_field": "any", "text_op": "regex", "text_value": "(a"}
    )
    assert r.status_code == 400
    assert "text_value" in r.context["form"].errors


def test_a_rule_cannot_name_someone_elses_account(bob, alice_client):
    other = AccountFactory(item__user=bob)
    r = alice_client.post(
        "/rules/new/",
        {"name": "x", "text_field": "any", "text_op": "contains", "account": str(other.public_id)},
    )
    assert r.status_code == 400
    assert not Rule.objects.exists()


def test_merging_a_category_moves_the_rules_that_set_it(alice, alice_client):
    rule = make_rule(alice, text_value="amazon", set_category="ENTERTAINMENT")
    source = alice.finance_categories.get(code="ENTERTAINMENT")
    target = alice.finance_categories.get(code="TRAVEL")
    alice_client.post(f"/categories/{source.public_id}/merge/", {"target": str(target.public_id)})
    assert Rule.objects.get(pk=rule.pk).set_category == "TRAVEL"


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", ""),
        ("post", "apply/"),
        ("get", "apply/status/"),
        ("post", "toggle/"),
        ("post", "delete/"),
    ],
)
def test_bob_gets_404_for_alices_rule(alice, bob_client, method, suffix):
    rule = make_rule(alice, text_value="amazon")
    r = getattr(bob_client, method)(f"/rules/{rule.public_id}/{suffix}")
    assert r.status_code == 404
    assert Rule.objects.filter(pk=rule.pk, enabled=True).exists()


def test_bob_cannot_create_a_rule_from_alices_transaction(bob_client, account):
    t = txn(account)
    assert bob_client.get(f"/rules/new/?from={t.public_id}").status_code == 404
