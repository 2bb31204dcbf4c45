"""Staff users and a little of every kind of row, for rendering every admin page."""

import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts.security import security_event_record
from banking.models import (
    Holding,
    InvestmentTransaction,
    Liability,
    LinkSession,
    PlaidItem,
    Security,
    StaffAccessLog,
    SyncPage,
)
from finance.models import ExchangeRate
from tests import factories as f
from tests.accounts.conftest import totp_code

# A recognisable TOTP secret: the admin must never print it (tests/admin/test_no_secrets.py).
TOTP_SECRET = "JBSWY3DPEHPK3PXPTOTPSECRETAAAAAA"


def with_totp(user):
    # Staff without an authenticator are sent to set one up (accounts.middleware); these
    # staff have one, as in production.
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )
    return user


@pytest.fixture
def superuser(django_user_model):
    user = django_user_model.objects.create_superuser(
        email="root@example.com", password="root-pass-12345"
    )
    return with_totp(user)


def pass_mfa(client, user):
    """Signed in, then through allauth's MFA step in this session, as the admin requires."""
    client.force_login(user)
    for _ in range(2):
        period = int(time.time()) // 30
        response = client.post("/accounts/2fa/reauthenticate/", {"code": totp_code(TOTP_SECRET)})
        # A code made at the very end of its 30 s period may be checked in the next one (a
        # busy machine), where it no longer counts: then once more with the new period's code.
        if response.status_code == 302 or int(time.time()) // 30 == period:
            break
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def superuser_client(client, superuser):
    return pass_mfa(client, superuser)


@pytest.fixture
def plain_staff(django_user_model):
    """Staff with every model permission there is, but not a superuser."""
    user = django_user_model.objects.create_user(
        email="staff@example.com", password="staff-pass-12345", is_staff=True
    )
    user.user_permissions.set(Permission.objects.all())
    return with_totp(user)


@pytest.fixture
def staff_client(client, plain_staff):
    return pass_mfa(client, plain_staff)


@pytest.fixture
def admin_data(alice, bob, superuser):
    """At least one row of every model admin shows, owned by alice unless said otherwise."""
    healthy = f.PlaidItemFactory(user=alice)
    needs_login = f.PlaidItemFactory(
        user=alice,
        status=PlaidItem.Status.LOGIN_REQUIRED,
        error_code="ITEM_LOGIN_REQUIRED",
        institution=f.InstitutionFactory(institution_id="ins_109509", name="First Gingham CU"),
    )
    bobs_item = f.PlaidItemFactory(user=bob)
    account = f.AccountFactory(item=healthy)
    bobs_account = f.AccountFactory(item=bobs_item, name="Bob's savings", type="depository")
    f.TransactionFactory.create_batch(3, account=account)
    f.TransactionFactory(account=bobs_account)
    Liability.objects.create(
        account=account,
        kind="credit",
        aprs=[{"type": "purchase_apr", "percentage": "12.5"}],
        minimum_payment=Decimal("25.00"),
    )
    security = Security.objects.create(security_id="sec-1", name="Platypus ETF", ticker="PTMX")
    Holding.objects.create(
        account=account, security=security, quantity=2, price=10, value=Decimal("20.00")
    )
    InvestmentTransaction.objects.create(
        account=account,
        investment_transaction_id="inv-1",
        security=security,
        date=timezone.localdate(),
        name="DIVIDEND",
        type="cash",
        subtype="dividend",
        quantity=0,
        price=0,
        amount=Decimal("-1.20"),
    )
    run = f.SyncRunFactory(item=healthy)
    SyncPage.objects.create(run=run, seq=0, payload='{"added": []}')
    f.WebhookEventFactory(item=healthy)
    f.PlaidApiCallFactory(item=healthy, plaid_item_id=healthy.item_id)
    f.PlaidApiCallFactory(endpoint="/item/get", error_code="ITEM_LOGIN_REQUIRED", status_code=400)
    LinkSession.objects.create(
        user=alice,
        link_token="link-sandbox-0000-secret-link-token",
        expires_at=timezone.now() + timezone.timedelta(hours=4),
    )
    StaffAccessLog.objects.create(
        staff=superuser, staff_email=superuser.email, subject=alice, what="seed", path="/admin/"
    )
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=True)
    security_event_record(user=alice, kind="signed_in")
    Group.objects.create(name="Support")
    ExchangeRate.objects.create(
        date=timezone.localdate() - timezone.timedelta(days=3), currency="GBP", rate="0.85"
    )
    crontab = CrontabSchedule.objects.create(minute="0", hour="4")
    IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    SolarSchedule.objects.create(event="sunrise", latitude=0, longitude=0)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.create(
        name="Daily refresh", task="banking.tasks.refresh_all_items", crontab=crontab
    )
    return SimpleNamespace(
        healthy=healthy, needs_login=needs_login, bobs_item=bobs_item, account=account
    )
