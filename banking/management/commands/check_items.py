"""Run the daily health check of every item now and print the states found."""

from django.core.management.base import BaseCommand

from banking.health import check as health_check
from banking.models import PlaidItem


class Command(BaseCommand):
    help = "Check every bank connection with /item/get (errors, expiring consent, stale data)."

    def handle(self, *args, **options):
        counts = health_check.items_check_health(
            PlaidItem.objects.linked().exclude(status__in=health_check.SKIPPED)
        )
        for state, n in sorted(counts.items()):
            self.stdout.write(f"{state}: {n}")
        if not counts:
            self.stdout.write("no items")
