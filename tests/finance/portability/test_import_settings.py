"""The user's settings travel with the export: home currency, time zone and alert choices."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import SecurityEvent
from finance import access
from finance.alerts.preferences import alert_preferences
from finance.currency.home import home_currency, home_currency_set
from finance.models import AlertKind, AlertSetting

from .conftest import export_zip, rezip, the_import, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled(alice, organised):
    home_currency_set(user=alice, code="GBP")
    alice.time_zone = "Europe/London"
    alice.save(update_fields=["time_zone"])
    AlertSetting.objects.create(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("75.50")
    )
    AlertSetting.objects.create(user=alice, kind=AlertKind.DIGEST, enabled=False)
    return organised


def first_currency(user) -> str:
    first = access.accounts_visible(user).order_by("item__created_at", "pk").first()
    return first.iso_currency_code


def test_the_imported_user_keeps_a_home_currency_other_than_the_first_accounts(
    alice, settled, carol, carol_client, django_capture_on_commit_callbacks
):
    assert (home_currency(alice), first_currency(alice)) == ("GBP", "USD")
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    assert the_import(carol).state == "done"
    assert (home_currency(carol), first_currency(carol)) == ("GBP", "USD")
    carol.refresh_from_db()
    assert carol.time_zone == "Europe/London"


def test_the_imported_user_keeps_the_alerts_chosen(
    alice, settled, carol, carol_client, django_capture_on_commit_callbacks
):
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    assert the_import(carol).state == "done"
    assert alert_preferences(user=carol) == alert_preferences(user=alice)
    large = alert_preferences(user=carol)[AlertKind.LARGE_TRANSACTION]
    assert (large.enabled, large.threshold) == (True, Decimal("75.50"))
    assert alert_preferences(user=carol)[AlertKind.DIGEST].enabled is False


def test_a_user_who_never_chose_a_home_currency_still_follows_the_first_account(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    upload(carol_client, export_zip(alice), django_capture_on_commit_callbacks)
    assert the_import(carol).state == "done"
    assert not access.home_currency_row(carol).exists()
    assert home_currency(carol) == first_currency(carol)


def test_a_home_currency_that_is_not_a_code_is_refused(
    alice, settled, carol, carol_client, django_capture_on_commit_callbacks
):
    data = rezip(export_zip(alice), "settings.csv", lambda text: text.replace('"GBP"', '"Pounds"'))
    upload(carol_client, data, django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert row.state == "failed"
    assert row.error == "settings.csv line 2, column home_currency: 'Pounds' is not a code."
    assert not access.home_currency_row(carol).exists()
    assert not access.alert_settings_visible(carol).exists()


def test_an_unknown_time_zone_is_refused(
    alice, settled, carol, carol_client, django_capture_on_commit_callbacks
):
    data = rezip(
        export_zip(alice), "settings.csv", lambda text: text.replace("Europe/London", "Mars/Base")
    )
    upload(carol_client, data, django_capture_on_commit_callbacks)
    row = the_import(carol)
    assert row.state == "failed"
    assert "column time_zone: 'Mars/Base' is not a zone" in row.error


def test_an_import_is_written_in_the_security_log_and_a_refused_one_is_not(
    alice, organised, carol, carol_client, django_capture_on_commit_callbacks
):
    carol_client.post("/settings/import/", {"archive": SimpleUploadedFile("x.zip", b"a,b")})
    assert not carol.security_events.filter(kind=SecurityEvent.Kind.DATA_IMPORTED).exists()
    data = export_zip(alice)
    upload(carol_client, data, django_capture_on_commit_callbacks)
    [event] = carol.security_events.filter(kind=SecurityEvent.Kind.DATA_IMPORTED)
    assert event.details == {"format": "zip", "bytes": len(data)}
    assert not alice.security_events.filter(kind=SecurityEvent.Kind.DATA_IMPORTED).exists()
    assert "Data imported" in carol_client.get("/accounts/security/").content.decode()
