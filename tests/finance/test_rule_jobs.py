import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from banking.models import Transaction
from finance.models import Rule
from finance.rule_jobs import rule_apply_request, rule_apply_run
from finance.rules import rule_apply_existing
from tests.factories import AccountFactory, TransactionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(alice):
    return AccountFactory(item__user=alice)


def amazon(account, n: int) -> list[Transaction]:
    return [
        TransactionFactory(
            account=account,
            name="AMZN MKTP",
            merchant_name="Amazon",
            amount=Decimal("12.50"),
            date=dt.date.today() - dt.timedelta(days=i),
        )
        for i in range(n)
    ]


def rule(alice, **kw) -> Rule:
    return Rule.objects.create(user=alice, name="Amazon", text_value="amazon", **kw)


def test_it_applies_in_the_background_and_the_page_shows_the_result(
    alice, alice_client, account, django_capture_on_commit_callbacks
):
    amazon(account, 3)
    r = rule(alice, set_category="TRAVEL")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = alice_client.post(f"/rules/{r.public_id}/apply/")
    # One task queued (the run then also retires the cached totals on commit).
    queued = [c for c in callbacks if c.__qualname__.startswith("enqueue_on_commit")]
    assert response.status_code == 302 and len(queued) == 1
    assert set(Transaction.objects.values_list("category_override", flat=True)) == {"TRAVEL"}
    r.refresh_from_db()
    assert (r.apply_status, r.apply_done, r.apply_changed) == ("done", 3, 3)
    page = alice_client.get(f"/rules/{r.public_id}/").content.decode()
    assert "Applied to existing transactions: 3 matched, 3 changed by your rules." in page


def test_asking_again_while_a_run_is_queued_queues_nothing_more(
    alice, account, django_capture_on_commit_callbacks
):
    r = rule(alice, set_category="TRAVEL")
    with django_capture_on_commit_callbacks() as callbacks:
        assert rule_apply_request(rule=r)
        assert rule_apply_request(rule=r)
    assert len(callbacks) == 1
    assert Rule.objects.get(pk=r.pk).apply_status == "queued"


def test_a_task_delivered_twice_runs_once(alice, account):
    amazon(account, 2)
    r = rule(alice, set_notes="online")
    Rule.objects.filter(pk=r.pk).update(apply_status="queued", apply_started_at=timezone.now())
    assert rule_apply_run(rule_id=r.pk) == "done"
    assert rule_apply_run(rule_id=r.pk) == "skipped"
    assert Rule.objects.get(pk=r.pk).apply_done == 2


def test_a_run_whose_worker_died_may_be_asked_for_again(
    alice, account, django_capture_on_commit_callbacks
):
    r = rule(alice, set_category="TRAVEL")
    long_ago = timezone.now() - dt.timedelta(hours=2)
    Rule.objects.filter(pk=r.pk).update(apply_status="running", apply_started_at=long_ago)
    with django_capture_on_commit_callbacks() as callbacks:
        assert rule_apply_request(rule=r)
    assert len(callbacks) == 1


def test_the_status_says_running_and_how_many_are_done(alice, alice_client):
    r = rule(alice)
    Rule.objects.filter(pk=r.pk).update(
        apply_status="running", apply_done=1500, apply_started_at=timezone.now()
    )
    body = alice_client.get(f"/rules/{r.public_id}/apply/status/").content.decode()
    assert "running, 1500 done" in body
    assert f'hx-get="/rules/{r.public_id}/apply/status/"' in body


def test_apply_to_existing_reports_progress_after_each_batch(alice, account):
    amazon(account, 4)
    seen: list[int] = []
    assert rule_apply_existing(rule=rule(alice, set_notes="x"), progress=seen.append) == 4
    assert seen[-1] == 4 and seen == sorted(seen)
