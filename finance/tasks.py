"""finance's Celery tasks: thin adapters over one service each. Names are pinned: they are a
contract with beat's rows (finance's migrations) and with messages already queued."""

from celery import shared_task

from .networth import snapshots

SNAPSHOTS_CARRY_FORWARD = "finance.tasks.snapshots_carry_forward"


@shared_task(name=SNAPSHOTS_CARRY_FORWARD, acks_late=True)
def snapshots_carry_forward() -> int:
    return snapshots.snapshots_carry_forward()
