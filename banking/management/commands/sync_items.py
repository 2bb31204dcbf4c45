"""Sync items now, in this process: `sync_items --item PLAID_ITEM_ID` or `sync_items --all`."""

from django.core.management.base import BaseCommand, CommandError

from banking import sync
from banking.models import PlaidItem, SyncRun


class Command(BaseCommand):
    help = "Run the transactions sync synchronously and print what changed."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--item", metavar="PLAID_ITEM_ID", help="Plaid's item_id")
        group.add_argument("--all", action="store_true", help="every item that can be synced")

    def handle(self, *args, **options):
        if options["item"]:
            items = list(PlaidItem.objects.linked().filter(item_id=options["item"]))
            if not items:
                raise CommandError(f"No item with Plaid item_id {options['item']!r}.")
        else:
            items = list(
                PlaidItem.objects.linked().exclude(status__in=sync.NO_SYNC_STATES).order_by("pk")
            )
        failures = 0
        for item in items:
            try:
                run = sync.item_sync(item=item, trigger=SyncRun.Trigger.MANUAL)
            except sync.SyncError as exc:
                failures += 1
                code = getattr(exc, "error_code", "") or type(exc).__name__
                self.stderr.write(f"{item.item_id}: failed ({code}) {exc}")
                continue
            self.stdout.write(
                f"{item.item_id}: {run.outcome} added={run.added} modified={run.modified} "
                f"removed={run.removed} pages={run.pages}"
            )
        self.stdout.write(f"{len(items) - failures} synced, {failures} failed")
        if failures:
            raise CommandError(f"{failures} of {len(items)} syncs failed.")
