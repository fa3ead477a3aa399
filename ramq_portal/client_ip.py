"""The client's address, as every per-address limit counts it (django-axes' sign-in lockout, the
enrolment and recovery limits): issue 16.

Behind a reverse proxy every request comes from the proxy's address; counting by it, one person could
lock everyone out. TRUSTED_PROXIES (settings, from the environment: addresses or networks, comma
separated; none by default) names the proxies: for a request coming from one of them, the client is
the nearest address in X-Forwarded-For that is not a trusted proxy itself (each proxy appends the
address it received the request from). X-Forwarded-For is never read for a request from anyone else,
since a client can write any address there.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(_address(remote or ""), networks):
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            return remote  # a malformed chain: the proxy's own address, as without one
        if not _trusted(address, networks):
            return str(address)
    return remote
