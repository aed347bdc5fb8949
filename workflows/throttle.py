"""Who is asking, and how often: the client's address and a per-address request counter.

The counter is a fixed window in Django's cache (the settings give production a cache folder
that all web workers share). django-ratelimit was considered: its system checks refuse every
cache backend but memcached and Redis, which the embedded set-up does not have.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The visitor's address (also django-axes' AXES_CLIENT_IP_CALLABLE).

    Behind the recipe's nginx every request arrives from 127.0.0.1; nginx puts the real peer
    address in X-Real-IP, replacing whatever the visitor sent, so only the proxy sets it.
    """
    if settings.SOPFLOW_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # absent or not an address: not from our proxy
    # None, not a made-up value: axes stores the address in an IP column (inet on PostgreSQL).
    return request.META.get("REMOTE_ADDR") or None


def over_limit(scope, request, limit, window_seconds=3600):
    """Count this request for its address; True once more than ``limit`` arrived in the window."""
    window = int(time.time() // window_seconds)
    key = f"throttle:{scope}:{client_address(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
