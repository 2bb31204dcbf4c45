"""{{ run|run_sentence }}, {{ run|run_why }}, {{ event|webhook_sentence }}: see banking.history."""

from django import template

from .. import history

register = template.Library()
register.filter("run_sentence", history.sync_run_sentence)
register.filter("run_why", history.sync_run_why)
register.filter("webhook_sentence", history.webhook_sentence)
