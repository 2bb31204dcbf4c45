import gc
import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def _freeze_startup_heap() -> None:
    """Import now what the first requests would import (the URLconf with every view, and with
    them plaid-python's API), then take every object alive at this point out of the garbage
    collector's reach. Otherwise each full collection walks all of Django and plaid-python
    while holding the GIL: 50-100 ms pauses, measured as the webhook endpoint's worst tail
    latency (bench/webhooks_bench.py). Module-level objects live as long as the process
    anyway; objects created by requests are collected as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and the views)
    gc.collect()
    gc.freeze()


_freeze_startup_heap()

# gunicorn runs requests in threads that mostly wait on PostgreSQL and Redis. A thread whose
# answer has arrived must get the GIL back from a thread that is computing; Python makes it wait
# up to the switch interval (5 ms by default) first, a wait as long as a whole webhook request.
# 1 ms cut the webhook benchmark's worst rounds (p99 ratio 7-9.5) to at most 4.8.
sys.setswitchinterval(0.001)
