"""Recording a verified webhook: one INSERT per signed content, then a drain is asked for."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.db import InterfaceError, OperationalError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field

from ..db import column
from ..models import PlaidItem, WebhookEvent
from .drain import webhook_drain_request
from .verify import VerifiedWebhook

# The INSERT's text depends only on the model and the database vendor: built once per process.
_insert_sql: dict[str, str] = {}


def _record_insert_sql(conn: BaseDatabaseWrapper) -> str:
    """INSERT ... ON CONFLICT (content_sha256) DO NOTHING RETURNING, from the model's fields.

    The item is resolved inside the statement (never loaded, which would decrypt its access
    token for nothing), and a replayed token is absorbed by the unique index: one round trip,
    no SELECT first, no savepoint, and no IntegrityError to spoil a surrounding transaction.
    PostgreSQL and SQLite (>= 3.35) both speak this dialect.
    """
    sql = _insert_sql.get(conn.vendor)
    if sql is not None:
        return sql
    qn = conn.ops.quote_name
    # Only identifiers from the models' metadata (quoted) go into the text; every value is a
    # query parameter.
    items = qn(PlaidItem._meta.db_table)
    item_pk = qn(PlaidItem._meta.pk.column)
    item_key = qn(column(PlaidItem._meta, "item_id"))
    columns, values = [], []
    for field in _insert_fields():
        columns.append(qn(field.column))
        if field.name == "item":
            values.append(f"(SELECT {item_pk} FROM {items} WHERE {item_key} = %s LIMIT 1)")  # noqa: S608
        elif field.name == "flagged":
            values.append(f"NOT EXISTS (SELECT 1 FROM {items} WHERE {item_key} = %s)")  # noqa: S608
        else:
            values.append("%s")
    meta = WebhookEvent._meta
    returning = ", ".join(qn(column(meta, name)) for name in (meta.pk.name, "item", "flagged"))
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(values)}) ON CONFLICT ({qn(column(meta, 'content_sha256'))})"
        f" DO NOTHING RETURNING {returning}"
    )
    _insert_sql[conn.vendor] = sql
    return sql


def _insert_fields() -> list[Field[Any, Any]]:
    return [f for f in WebhookEvent._meta.concrete_fields if not f.primary_key]


def _insert_returning(
    conn: BaseDatabaseWrapper, sql: str, params: list[Any]
) -> tuple[Any, ...] | None:
    """Run the INSERT and fetch its row. With CONN_HEALTH_CHECKS, Django would first spend a
    round trip on SELECT 1 to test a reused connection; the INSERT is test enough. If the
    connection turns out to be dead (the database restarted), reconnect and run it once more:
    ON CONFLICT makes a second run harmless even if the first one committed."""
    reusing = conn.connection is not None and not conn.in_atomic_block
    if reusing:
        # Django's own flag (BaseDatabaseWrapper.health_check_done), missing from its stubs.
        conn.health_check_done = True  # type: ignore[attr-defined]
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except (OperationalError, InterfaceError):
        if not reusing or conn.is_usable():
            raise
    conn.close()
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def webhook_record(*, verified: VerifiedWebhook) -> tuple[WebhookEvent, bool]:
    """Store a verified delivery once per signed content (kid, iat, body), in one INSERT, and
    enqueue its processing on commit. Returns (event, created)."""
    payload = verified.payload

    def text(name: str, limit: int) -> str:
        value = payload.get(name)
        return value[:limit] if isinstance(value, str) else ""

    plaid_item_id = text("item_id", 64)
    content_sha256 = verified.content_sha256
    event = WebhookEvent(
        webhook_type=text("webhook_type", 48),
        webhook_code=text("webhook_code", 64),
        plaid_item_id=plaid_item_id,
        environment=text("environment", 16),
        body=verified.body.decode("utf-8", errors="replace"),
        body_sha256=verified.body_sha256,
        token_sha256=hashlib.sha256(verified.token.encode()).hexdigest(),
        content_sha256=content_sha256,
        signed_at=datetime.fromtimestamp(verified.iat, tz=UTC),
    )
    conn = connections[router.db_for_write(WebhookEvent)]
    params = []
    for field in _insert_fields():
        if field.name in ("item", "flagged"):
            params.append(plaid_item_id)
        else:
            # pre_save fills received_at (auto_now_add); get_db_prep_save adapts like save().
            params.append(field.get_db_prep_save(field.pre_save(event, True), connection=conn))
    row = _insert_returning(conn, _record_insert_sql(conn), params)
    if row is None:
        # The same signed content again: already stored (and enqueued) by the first delivery.
        return WebhookEvent.objects.get(content_sha256=content_sha256), False
    event.pk, event.item_id, event.flagged = row[0], row[1], bool(row[2])
    event._state.adding = False
    event._state.db = conn.alias
    # No task per delivery: after commit, one cheap cache.add decides whether a drain must be
    # published (the argument is in banking.webhooks.drain's docstring). If the broker is down
    # the event stays pending for the sweeper; Plaid still gets its 200 and nothing hangs the
    # request.
    webhook_drain_request()
    return event, True
