"""python manage.py seed_demo [--reset]

A demo user with two banks linked through the real flow (sandbox public token -> our exchange
service -> a full /transactions/sync), so a fresh `make run` has a site worth looking at.
Development only: refused unless DJANGO_DEBUG is on.
"""

import json
import time
import urllib.error
import urllib.request

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from banking import link, sync
from banking import plaid as plaid_api
from banking.models import PlaidItem, SyncRun, Transaction

DEMO_EMAIL = "demo@example.com"
# Documented in the README. A demo account on a developer's machine, never in production.
DEMO_PASSWORD = "ledgerline-demo-2024"
DEMO_BANKS = [
    ("ins_109508", "user_good", "pass_good"),  # First Platypus Bank
    ("ins_109509", "user_good", "pass_good"),  # First Gingham Credit Union
]
SYNC_WAIT_SECONDS = 120


class Command(BaseCommand):
    help = "Create demo@example.com with two emulator banks and two years of transactions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo user's banks and link them again."
        )

    def handle(self, *args, reset=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DJANGO_DEBUG=true: it creates a user with a published "
                "password."
            )
        if settings.PLAID_ENV not in ("emulator", "sandbox"):
            raise CommandError(
                f"seed_demo needs PLAID_ENV=emulator or sandbox, not {settings.PLAID_ENV}."
            )
        if settings.PLAID_ENV == "emulator":
            self._check_emulator()

        user = self._demo_user()
        items = PlaidItem.objects.for_user(user)
        if items.exists() and not reset:
            self.stdout.write(
                f"{DEMO_EMAIL} already has {items.count()} bank(s); nothing to do "
                "(use --reset to link them again)."
            )
            self._say_how_to_log_in()
            return
        if reset:
            # Local rows only: the emulator forgets items on its own reset.
            items.delete()

        for institution_id, username, password in DEMO_BANKS:
            public_token = plaid_api.sandbox_public_token_create(
                institution_id, username=username, password=password
            )
            item = link.item_link(user=user, public_token=public_token, metadata=None)
            self._sync(item)
            count = Transaction.objects.filter(account__item=item).count()
            self.stdout.write(
                f"Linked {item.display_name}: {item.accounts.count()} accounts, "
                f"{count} transactions."
            )
        self._say_how_to_log_in()

    def _check_emulator(self):
        url = settings.PLAID_EMULATOR_URL
        try:
            with urllib.request.urlopen(f"{url}/emulator/items", timeout=3) as response:
                json.load(response)
        except (urllib.error.URLError, OSError, ValueError):
            raise CommandError(
                f"The Plaid emulator is not answering at {url}.\n"
                "Start it in another terminal with:\n"
                "    .venv/bin/python -m plaid_emulator --port 8765 \\\n"
                "        --state var/emulator.sqlite3\n"
                "(`make run` starts it together with the site), then run seed_demo again."
            )

    def _demo_user(self):
        User = get_user_model()
        with transaction.atomic():
            user, created = User.objects.get_or_create(email=DEMO_EMAIL, defaults={"name": "Demo"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            self._mark_email_verified(user)
        return user

    def _mark_email_verified(self, user):
        # With ACCOUNT_EMAIL_VERIFICATION=mandatory an unverified demo user could not log in.
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )

    def _sync(self, item) -> SyncRun | None:
        """Sync now, in this process. item_link also enqueued a sync: if a worker got there
        first, wait for its run instead of starting a second one."""
        deadline = time.monotonic() + SYNC_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                run = sync.item_sync(item=item, trigger=SyncRun.Trigger.INITIAL)
            except sync.SyncInProgress:
                time.sleep(1)
                continue
            except sync.SyncFailed as exc:
                if not exc.retryable:
                    raise CommandError(f"The first sync of {item.display_name} failed: {exc}")
                time.sleep(1)
                continue
            if run.outcome == SyncRun.Outcome.SUCCESS:
                return run
            time.sleep(1)  # NOT_READY: Plaid is still pulling the history.
        latest = item.sync_runs.order_by("-started_at").first()
        if latest is None or latest.outcome != SyncRun.Outcome.SUCCESS:
            raise CommandError(f"{item.display_name} did not finish syncing in time; try again.")
        return latest

    def _say_how_to_log_in(self):
        self.stdout.write(
            self.style.SUCCESS(
                f"Log in at {settings.SITE_URL}/accounts/login/ as {DEMO_EMAIL} / {DEMO_PASSWORD}"
            )
        )
