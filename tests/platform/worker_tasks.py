"""A task only the worker test loads (celery worker --include), to prove where it ran."""

import os

from celery import shared_task


@shared_task(name="tests.platform.record_worker_pid")
def record_worker_pid(email: str) -> None:
    from accounts.models import User

    User.objects.filter(email=email).update(name=f"worker:{os.getpid()}")
