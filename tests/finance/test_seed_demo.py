import io

import pytest
from django.core.management import CommandError, call_command

from banking.models import PlaidItem, Transaction

pytestmark = pytest.mark.django_db


def test_it_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("seed_demo")


def test_it_says_how_to_start_the_emulator_when_it_is_not_running(settings):
    settings.DEBUG = True
    settings.PLAID_ENV = "emulator"
    settings.PLAID_EMULATOR_URL = "http://127.0.0.1:9"  # the discard port: nothing answers
    with pytest.raises(CommandError, match="python -m plaid_emulator"):
        call_command("seed_demo")


@pytest.mark.slow
def test_it_links_two_banks_with_two_years_of_data(plaid_settings, django_user_model):
    plaid_settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    demo = django_user_model.objects.get(email="demo@example.com")
    assert demo.check_password("ledgerline-demo-2024")
    items = PlaidItem.objects.for_user(demo)
    assert sorted(i.institution.institution_id for i in items) == ["ins_109508", "ins_109509"]
    txns = Transaction.objects.for_user(demo)
    oldest = txns.order_by("date").first().date
    newest = txns.order_by("-date").first().date
    assert (newest - oldest).days > 700
    assert "demo@example.com / ledgerline-demo-2024" in out.getvalue()
    # Running it again changes nothing.
    call_command("seed_demo", stdout=io.StringIO())
    assert PlaidItem.objects.for_user(demo).count() == 2
