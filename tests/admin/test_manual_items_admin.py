import pytest

from banking.models import PlaidItem

pytestmark = pytest.mark.django_db


def test_staff_see_a_manual_items_kind_and_no_token(superuser_client, alice):
    item = PlaidItem.objects.manual_create(user=alice, name="Old Bank")
    page = superuser_client.get(f"/admin/banking/plaiditem/{item.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Imported (manual)" in html and "Old Bank" in html
    assert "access_token" not in html
    listing = superuser_client.get("/admin/banking/plaiditem/?kind__exact=manual").content.decode()
    assert item.item_id in listing
