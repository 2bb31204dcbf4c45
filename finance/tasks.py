"""finance's Celery tasks: thin adapters over services. Names are pinned: beat's rows and
queued messages refer to them, so they never change when code moves."""

from celery import shared_task

from .currency import rates

RATES_REFRESH = "finance.tasks.rates_refresh"


@shared_task(name=RATES_REFRESH)
def rates_refresh() -> int | None:
    return rates.rates_refresh()
