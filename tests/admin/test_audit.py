import pytest

from banking.models import StaffAccessLog

pytestmark = pytest.mark.django_db


def logs():
    return StaffAccessLog.objects.exclude(what="seed")


def test_listing_transactions_records_whose_rows_staff_saw(
    superuser_client, superuser, admin_data, alice, bob
):
    assert superuser_client.get("/admin/banking/transaction/").status_code == 200
    rows = {(log.subject_id, log.rows) for log in logs()}
    assert rows == {(alice.pk, 3), (bob.pk, 1)}
    log = logs().get(subject=alice)
    assert log.staff == superuser and log.staff_email == "root@example.com"
    assert log.subject_email == "alice@example.com"
    assert log.action == "list" and log.model == "banking.transaction"
    assert log.path == "/admin/banking/transaction/"


def test_opening_an_account_records_one_row_for_its_owner(superuser_client, admin_data, alice):
    account = admin_data.account
    superuser_client.get(f"/admin/banking/account/{account.pk}/change/")
    log = logs().get()
    assert (log.subject, log.action, log.model, log.object_id) == (
        alice,
        "detail",
        "banking.account",
        str(account.pk),
    )


def test_opening_a_users_page_is_recorded_but_the_user_list_is_not(
    superuser_client, admin_data, alice
):
    superuser_client.get("/admin/accounts/user/")
    assert not logs().exists()
    superuser_client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert list(logs().values_list("subject", "action")) == [(alice.pk, "detail")]


def test_plain_staff_views_are_recorded_too(staff_client, plain_staff, admin_data, alice):
    assert (
        staff_client.get(f"/admin/banking/plaiditem/{admin_data.healthy.pk}/change/").status_code
        == 200
    )
    assert logs().get().staff == plain_staff


def test_running_an_action_is_not_a_view(superuser_client, admin_data, mailoutbox):
    superuser_client.post(
        "/admin/banking/plaiditem/",
        {"action": "send_reauth_reminder", "_selected_action": [admin_data.needs_login.pk]},
    )
    assert not logs().exists()


def test_superusers_see_the_access_log(superuser_client, admin_data):
    superuser_client.get("/admin/banking/transaction/")
    response = superuser_client.get("/admin/banking/staffaccesslog/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "alice@example.com" in html and "Listed transactions" in html
    assert "/admin/banking/staffaccesslog/" in superuser_client.get("/admin/").content.decode()


def test_plain_staff_cannot_see_the_access_log_even_with_every_permission(staff_client, admin_data):
    assert staff_client.get("/admin/banking/staffaccesslog/").status_code == 403
    log = StaffAccessLog.objects.get(what="seed")
    assert staff_client.get(f"/admin/banking/staffaccesslog/{log.pk}/change/").status_code == 403
    index = staff_client.get("/admin/").content.decode()
    assert "/admin/banking/transaction/" in index  # the staff user does have the others
    assert "staffaccesslog" not in index


def test_nobody_can_change_or_delete_the_access_log(superuser_client, admin_data):
    log = StaffAccessLog.objects.get(what="seed")
    response = superuser_client.post(
        f"/admin/banking/staffaccesslog/{log.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert StaffAccessLog.objects.filter(pk=log.pk).exists()
