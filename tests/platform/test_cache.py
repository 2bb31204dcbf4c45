"""The Redis cache builds one client per connection pool and shares it between threads."""

import threading

from django.core.cache import cache


def test_it_reuses_one_redis_client_for_every_call():
    backend = cache._cache
    assert backend.get_client() is backend.get_client(write=True)


def test_it_serves_many_threads_through_the_shared_client():
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"shared-client-{n}-{i}", i, 30)
                assert cache.get(f"shared-client-{n}-{i}") == i
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
