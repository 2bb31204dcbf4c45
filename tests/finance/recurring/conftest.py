import pytest

from banking import sync
from banking.models import SyncOutbox
from banking.outbox import outbox_deliver
from tests.emulator_client import emulator_call


@pytest.fixture
def emu(emulator):
    return lambda method, path, body=None: emulator_call(emulator, method, path, body)


@pytest.fixture
def synced(linked_item):
    """alice's linked item after a sync whose announcement reached finance's hooks."""

    def run(trigger="initial"):
        sync.item_sync(item=linked_item, trigger=trigger)
        for pk in SyncOutbox.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
            assert outbox_deliver(outbox_id=pk) == "delivered"
        return linked_item

    return run
