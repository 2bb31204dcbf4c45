"""Rotate access tokens at Plaid with /item/access_token/invalidate, one item at a time.

Plaid kills the old token the moment it returns the new one, so each new token is saved at
once, before the next item is touched. An item that fails is reported and left as it was.
"""

from django.core.management.base import BaseCommand

from banking import plaid as plaid_api
from banking.models import PlaidItem


class Command(BaseCommand):
    help = "Rotate every item's Plaid access token (/item/access_token/invalidate)."

    def add_arguments(self, parser):
        parser.add_argument("--item", help="Only this Plaid item_id.")

    def handle(self, *args, item=None, **options):
        items = PlaidItem.objects.linked().exclude(status=PlaidItem.Status.REMOVING).order_by("pk")
        if item:
            items = items.filter(item_id=item)
        rotated = failed = 0
        for plaid_item in items.iterator():
            try:
                new_token = plaid_api.access_token_invalidate(plaid_item)
            except plaid_api.PlaidError as exc:
                failed += 1
                self.stderr.write(f"{plaid_item.item_id}: {exc.error_code} (token unchanged)")
                if exc.error_code == "CIRCUIT_OPEN":
                    break
                continue
            PlaidItem.objects.filter(pk=plaid_item.pk).update(access_token=new_token)
            rotated += 1
        self.stdout.write(f"Rotated {rotated} access token(s); {failed} failed.")
        if failed:
            raise SystemExit(1)
