"""Celery tasks for linking (thin: load by id, call one service)."""

from celery import shared_task


@shared_task(name="banking.tasks_link.item_remove_retry", ignore_result=True)
def item_remove_retry(item_pk: int) -> None:
    from . import items

    items.item_remove_retry(item_pk=item_pk)
