"""The client's IP address, the one rule every throttle and audit record uses.

Behind the documented HTTPS reverse proxy every request arrives from the proxy's address, so
REMOTE_ADDR alone would put every visitor in one rate-limit bucket. TRUSTED_PROXY_COUNT says
how many proxies of ours append to X-Forwarded-For; the client is the address the outermost
of them saw, the TRUSTED_PROXY_COUNT-th entry from the right. Entries further left were
written by the client and are ignored: anyone can send a forged X-Forwarded-For.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent this request, as far as our own proxies can vouch for."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        # Fewer hops than proxies: the request did not come through all of them (or one is
        # misconfigured), so nothing in the header can be trusted.
        if len(hops) >= proxies:
            ip = _clean(hops[-proxies])
            if ip:
                return ip
    # Only a broken server setup has no peer address; those requests share one bucket.
    return _clean(remote) or "unknown"
