import pytest

from banking.models import PlaidApiCall, PlaidItem
from tests.emulator_client import add_fault, emulator_call

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


def test_check_health_asks_plaid_and_reports_the_status(superuser_client, linked_item, emulator):
    # The emulator's bank now wants the owner to sign in again; the action asks Plaid over HTTP.
    emulator_call(emulator, "POST", f"/emulator/items/{linked_item.item_id}/reset_login")

    response = run_action(superuser_client, "check_health", linked_item)

    assert response.status_code == 200
    linked_item.refresh_from_db()
    assert linked_item.status == PlaidItem.Status.LOGIN_REQUIRED
    assert any("Needs you to sign in again ITEM_LOGIN_REQUIRED" in t for t in texts(response)), (
        texts(response)
    )
    assert PlaidApiCall.objects.filter(item=linked_item, endpoint="/item/get").exists()


def test_check_health_says_which_items_plaid_did_not_answer_for_and_checks_the_others(
    superuser_client, bob, linked_item, emulator
):
    from banking import link
    from banking import plaid as plaid_api

    other = link.item_link(
        user=bob, public_token=plaid_api.sandbox_public_token_create("ins_109508"), metadata=None
    )
    add_fault(emulator, "/item/get", "INSTITUTION_DOWN", times=1)

    response = run_action(superuser_client, "check_health", linked_item, other)

    messages = texts(response)
    assert sum("not checked" in t for t in messages) == 1, messages
    assert sum(t.endswith(": Connected.") for t in messages) == 1, messages


def test_reminder_sends_exactly_one_email_to_the_owner_with_the_reconnect_link(
    superuser_client, admin_data, mailoutbox, settings
):
    settings.SITE_URL = "https://money.example.com"
    item = admin_data.needs_login
    response = run_action(superuser_client, "send_reauth_reminder", item, admin_data.healthy)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["alice@example.com"]
    assert email.subject == "[Ledgerline] First Gingham CU needs you to sign in again"
    assert email.alternatives[0][1] == "text/html"
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
