"""Point every item's Plaid webhook at the configured URL.

The classic self-hosting problem: the tunnel or domain changed, and items linked earlier keep
sending webhooks to the old address. /item/webhook/update fixes an item; Plaid answers with a
WEBHOOK_UPDATE_ACKNOWLEDGED webhook at the new URL (recorded on the item).
"""

from django.core.management.base import BaseCommand, CommandError

from banking import plaid as plaid_api
from banking.models import PlaidItem
from banking.plaid import config as plaid_config


class Command(BaseCommand):
    help = "Call /item/webhook/update for every item whose stored webhook URL differs."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Use this URL instead of the configured one.")
        parser.add_argument("--dry-run", action="store_true", help="Only list what would change.")

    def handle(self, *args, url=None, dry_run=False, **options):
        url = url or plaid_config.webhook_url()
        if not url:
            raise CommandError("No webhook URL is configured (set PLAID_WEBHOOK_URL).")
        items = (
            PlaidItem.objects.linked()
            .exclude(webhook_url=url)
            .exclude(status__in=[PlaidItem.Status.REVOKED, PlaidItem.Status.REMOVING])
            .order_by("pk")
        )
        updated = failed = 0
        for item in items.iterator():
            if dry_run:
                self.stdout.write(f"would update {item.item_id}: {item.webhook_url or '-'}")
                continue
            try:
                plaid_api.item_webhook_update(item, url)
            except plaid_api.PlaidError as exc:
                failed += 1
                self.stderr.write(f"{item.item_id}: {exc.error_code}")
                continue
            # Saved only after Plaid accepted it, so a failed item is retried next run.
            PlaidItem.objects.filter(pk=item.pk).update(webhook_url=url)
            updated += 1
        self.stdout.write(f"{updated} item(s) updated, {failed} failed; webhook URL {url}")
        if failed:
            raise CommandError(f"{failed} item(s) could not be updated")
