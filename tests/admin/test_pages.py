import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banking.models import PlaidItem
from tests import factories as f

from .conftest import TOTP_SECRET

pytestmark = pytest.mark.django_db


def admin_pages():
    """(url, model) for the changelist, change and (where allowed) add page of every model."""
    for model, model_admin in admin.site._registry.items():
        app, name = model._meta.app_label, model._meta.model_name
        yield reverse(f"admin:{app}_{name}_changelist"), model
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"admin_data has no {model.__name__}: add one"
        yield reverse(f"admin:{app}_{name}_change", args=[obj.pk]), model
        yield reverse(f"admin:{app}_{name}_history", args=[obj.pk]), model


def raw_access_tokens():
    # The column as stored: Fernet ciphertext, which must not leak either.
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM banking_plaiditem")
        rows = [row[0] for row in cursor.fetchall()]
    return [bytes(r).decode() if isinstance(r, bytes | memoryview) else r for r in rows]


def test_every_admin_page_renders_without_any_token_or_secret(superuser_client, admin_data):
    tokens = list(PlaidItem.objects.values_list("access_token", flat=True))
    ciphertexts = raw_access_tokens()
    assert tokens and all(t.startswith("access-") for t in tokens)
    assert all(c and not c.startswith("access-") for c in ciphertexts)
    urls = [url for url, _ in admin_pages()] + [
        "/admin/",
        "/admin/banking/",
        "/admin/banking/plaidapicall/usage/",
        "/admin/accounts/user/add/",
        "/admin/banking/plaiditem/?q=alice%40example.com",
    ]
    assert len(urls) > 40
    for url in urls:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "access-" not in html, url
        for secret in [*tokens, *ciphertexts]:
            assert secret not in html, url
            assert secret[:24] not in html, url
        assert TOTP_SECRET not in html, url
        assert "secret-link-token" not in html, url
        assert "public-sandbox-secretish" not in html, url


def test_the_item_form_has_no_access_token_field(superuser_client, admin_data):
    response = superuser_client.get(f"/admin/banking/plaiditem/{admin_data.healthy.pk}/change/")
    html = response.content.decode()
    assert "access_token" not in html
    assert "Access token" not in html
    assert admin_data.healthy.item_id in html


def test_items_can_be_found_by_owner_email_and_item_id(superuser_client, admin_data):
    response = superuser_client.get("/admin/banking/plaiditem/?q=bob%40example.com")
    assert [i.pk for i in response.context["cl"].result_list] == [admin_data.bobs_item.pk]
    response = superuser_client.get(f"/admin/banking/plaiditem/?q={admin_data.healthy.item_id}")
    assert [i.pk for i in response.context["cl"].result_list] == [admin_data.healthy.pk]


def test_items_filter_by_status_institution_and_error_code(superuser_client, admin_data):
    item = admin_data.needs_login
    for query in (
        "status__exact=login_required",
        f"institution__id__exact={item.institution_id}",
        "error_code=ITEM_LOGIN_REQUIRED",
    ):
        response = superuser_client.get(f"/admin/banking/plaiditem/?{query}")
        assert [i.pk for i in response.context["cl"].result_list] == [item.pk], query


def test_a_users_page_links_to_their_transactions_only(superuser_client, admin_data, alice):
    response = superuser_client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert f'/admin/banking/transaction/?owner={alice.pk}"' in response.content.decode()
    response = superuser_client.get(f"/admin/banking/transaction/?owner={alice.pk}")
    rows = response.context["cl"].result_list
    assert len(rows) == 3 and {t.user_id for t in rows} == {alice.pk}
    response = superuser_client.get(f"/admin/banking/account/?owner={alice.pk}")
    assert [a.pk for a in response.context["cl"].result_list] == [admin_data.account.pk]


def test_transactions_changelist_queries_do_not_grow_with_rows(
    superuser_client, admin_data, alice, django_assert_max_num_queries
):
    url = "/admin/banking/transaction/"
    with CaptureQueriesContext(connection) as small:
        assert superuser_client.get(url).status_code == 200
    # Many more rows, from more accounts, owners and dates: the page must cost the same.
    for n in range(6):
        owner = f.UserFactory()
        f.TransactionFactory.create_batch(20, account=f.AccountFactory(item__user=owner))
    assert len(small.captured_queries) <= 10
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = superuser_client.get(url)
    assert len(response.context["cl"].result_list) == 100
    with django_assert_max_num_queries(20):
        superuser_client.get(url + "?q=Coffee&pending__exact=0&date__year=2025")


def test_transactions_changelist_never_counts_the_whole_table_twice(superuser_client, admin_data):
    with CaptureQueriesContext(connection) as ctx:
        superuser_client.get("/admin/banking/transaction/?q=Coffee")
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # One count of the filtered rows for the paginator; no second full-table count.
    assert len([sql for sql in counts if "banking_transaction" in sql]) == 1


def test_api_call_usage_counts_calls_per_day_and_endpoint(superuser_client, admin_data):
    f.PlaidApiCallFactory.create_batch(4, endpoint="/transactions/sync")
    response = superuser_client.get("/admin/banking/plaidapicall/usage/")
    assert response.status_code == 200
    table = response.context["table"]
    assert response.context["endpoints"] == ["/item/get", "/transactions/sync"]
    assert len(table) == 1
    sync_cell = table[0]["cells"][1]
    assert sync_cell["calls"] == 5 and sync_cell["errors"] == 0
    assert table[0]["cells"][0]["errors"] == 1
    assert (
        '<a href="/admin/banking/plaidapicall/usage/"'
        in superuser_client.get("/admin/banking/plaidapicall/").content.decode()
    )


def test_beat_schedules_are_in_admin(superuser_client, admin_data):
    response = superuser_client.get("/admin/django_celery_beat/periodictask/")
    assert response.status_code == 200
    assert "Daily refresh" in response.content.decode()


def test_financial_rows_are_read_only_for_staff(superuser_client, admin_data):
    txn = admin_data.account.transactions.first()
    before = txn.amount
    response = superuser_client.post(
        f"/admin/banking/transaction/{txn.pk}/change/", {"amount": "999.00"}
    )
    assert response.status_code == 403
    txn.refresh_from_db()
    assert txn.amount == before
    assert superuser_client.get("/admin/banking/plaiditem/add/").status_code == 403
    assert (
        superuser_client.get(
            f"/admin/banking/plaiditem/{admin_data.healthy.pk}/delete/"
        ).status_code
        == 403
    )


def test_non_staff_users_are_sent_away_from_admin(alice_client):
    response = alice_client.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    response = alice_client.get("/admin/banking/transaction/")
    assert response.status_code == 302


def test_staff_can_create_a_user_by_email(superuser_client, django_user_model):
    response = superuser_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.com",
            "usable_password": "true",
            "password1": "a-good-long-password-1",
            "password2": "a-good-long-password-1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = django_user_model.objects.get(email="new.person@example.com")
    assert user.check_password("a-good-long-password-1")


def test_the_exchange_rates_page_says_how_old_the_rates_are(superuser_client, admin_data):
    html = superuser_client.get("/admin/finance/exchangerate/").content.decode()
    assert "(3 days old)" in html
    assert superuser_client.get("/admin/finance/exchangerate/add/").status_code == 403
