"""Helpers for the sync tests: the emulator's control API and its ground truth."""

import importlib
from decimal import Decimal

import pytest

from tests.emulator_client import emulator_call


def schedules_migration():
    """The data migration that installs the default beat schedules (its code is frozen there)."""
    return importlib.import_module("banking.migrations.0002_default_schedules")


def emulator_truth(emulator, item_id):
    """{transaction_id: Decimal amount} of every transaction the emulator shares for an item."""
    store = emulator.emu.store
    with store.lock:
        item = store.items[item_id]
        return {
            t.transaction_id: Decimal(str(t.amount))
            for t in item.txns.values()
            if item.visible(t.account_id)
        }


def our_rows(item):
    from banking.models import Transaction

    return dict(
        Transaction.objects.filter(account__item=item).values_list("transaction_id", "amount")
    )


@pytest.fixture
def emu(emulator):
    """emu(method, path, body) against the test's emulator."""
    return lambda method, path, body=None: emulator_call(emulator, method, path, body)


@pytest.fixture
def eager_retries():
    """Let eager tasks retry in-line: with eager propagation on, Celery raises the first Retry
    instead of running the retry."""
    from config.celery import app

    old = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = old


@pytest.fixture
def beat_schedules(db):
    """The rows the data migrations create, made by the same functions (a transactional test
    before this one may have flushed the migrated rows)."""
    from django.apps import apps

    schedules_migration().install_default_schedules(apps, None)
    importlib.import_module("banking.migrations.0005_outbox_sweep_schedule").add_schedule(
        apps, None
    )
    importlib.import_module("banking.migrations.0008_dispatcher_schedules").install_dispatchers(
        apps, None
    )
    importlib.import_module("banking.migrations.0009_removal_sweep_schedule").add_schedule(
        apps, None
    )


def banner(item) -> str:
    """The connection banner the owner sees for `item` (empty when all is well)."""
    from django.template.loader import render_to_string
    from django.utils.html import strip_tags

    item.refresh_from_db()
    html = render_to_string("banking/_connection_banner.html", {"item": item})
    return " ".join(strip_tags(html).split())
