import sys
from types import SimpleNamespace

import pytest

from banking.models import PlaidItem

pytestmark = pytest.mark.django_db

URL = "/admin/banking/plaiditem/"


def run_action(client, action, *items):
    return client.post(
        URL, {"action": action, "_selected_action": [i.pk for i in items]}, follow=True
    )


def texts(response):
    return [str(m) for m in response.context["messages"]]


def test_sync_now_queues_one_manual_sync_after_commit(
    superuser_client, admin_data, django_capture_on_commit_callbacks
):
    # The real sync service: it enqueues on commit, so nothing runs inside this transaction.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = run_action(superuser_client, "sync_now", admin_data.healthy)
    assert response.status_code == 200
    assert len(callbacks) == 1
    assert "Sync queued for 1 connection(s)." in texts(response)


def test_sync_now_passes_each_item_with_the_manual_trigger(
    superuser_client, admin_data, monkeypatch
):
    calls = []
    monkeypatch.setattr(
        "banking.sync.sync_request",
        lambda *, item, trigger: calls.append((item.pk, trigger)) or "queued",
    )
    run_action(superuser_client, "sync_now", admin_data.healthy, admin_data.needs_login)
    assert sorted(calls) == sorted(
        [(admin_data.healthy.pk, "manual"), (admin_data.needs_login.pk, "manual")]
    )


def test_sync_now_says_when_a_revoked_item_is_not_synced(superuser_client, admin_data):
    PlaidItem.objects.filter(pk=admin_data.healthy.pk).update(status=PlaidItem.Status.REVOKED)
    response = run_action(superuser_client, "sync_now", admin_data.healthy)
    assert any("revoked" in t for t in texts(response))


def test_check_health_runs_the_health_service_and_reports_the_status(
    superuser_client, admin_data, monkeypatch
):
    checked = []

    def item_check_health(*, item):
        checked.append(item.pk)
        PlaidItem.objects.filter(pk=item.pk).update(
            status=PlaidItem.Status.LOGIN_REQUIRED, error_code="ITEM_LOGIN_REQUIRED"
        )

    # Stubbed at our boundary: the health service calls Plaid (/item/get).
    monkeypatch.setitem(
        sys.modules, "banking.item_health", SimpleNamespace(item_check_health=item_check_health)
    )
    response = run_action(superuser_client, "check_health", admin_data.healthy)
    assert checked == [admin_data.healthy.pk]
    assert any("Needs you to sign in again ITEM_LOGIN_REQUIRED" in t for t in texts(response)), (
        texts(response)
    )


def test_a_failing_health_check_is_reported_and_the_others_still_run(
    superuser_client, admin_data, monkeypatch
):
    checked = []

    def item_check_health(*, item):
        checked.append(item.pk)
        if item.pk == admin_data.healthy.pk:
            raise RuntimeError("Plaid said 500")

    monkeypatch.setitem(
        sys.modules, "banking.item_health", SimpleNamespace(item_check_health=item_check_health)
    )
    response = run_action(
        superuser_client, "check_health", admin_data.healthy, admin_data.needs_login
    )
    assert len(checked) == 2
    assert any("check failed" in t for t in texts(response))


def test_reminder_sends_exactly_one_email_to_the_owner_with_the_reconnect_link(
    superuser_client, admin_data, mailoutbox, settings
):
    settings.SITE_URL = "https://money.example.com"
    item = admin_data.needs_login
    response = run_action(superuser_client, "send_reauth_reminder", item, admin_data.healthy)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["alice@example.com"]
    assert email.subject == "First Gingham CU needs you to sign in again"
    assert f"https://money.example.com/banks/{item.public_id}/reconnect/" in email.body
    assert "access-" not in email.body
    assert "Sent 1 reminder(s)." in texts(response)
    assert any("Skipped 1 connection(s)" in t for t in texts(response))


def test_staff_without_change_permission_cannot_run_actions(
    client, django_user_model, admin_data, mailoutbox
):
    from django.contrib.auth.models import Permission

    from .conftest import with_totp

    viewer = django_user_model.objects.create_user(
        email="viewer@example.com", password="viewer-pass-123", is_staff=True
    )
    viewer.user_permissions.set(Permission.objects.filter(codename="view_plaiditem"))
    with_totp(viewer)
    client.force_login(viewer)
    response = run_action(client, "send_reauth_reminder", admin_data.needs_login)
    assert mailoutbox == []
    assert "send_reauth_reminder" not in response.content.decode()
