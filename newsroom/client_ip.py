"""The address a request came from, for the login throttle (django-axes' AXES_CLIENT_IP_CALLABLE).

`REMOTE_ADDR` is the address of whoever opened the TCP connection: behind nginx, nginx itself.
The client's own address is then in `X-Forwarded-For`, but only the entries our own proxies
appended can be believed: anything to their left was sent by the client and says whatever the
client wants. So the header is read from the right, one entry per proxy, and only while the hop
being looked at is one of ours:

    address = REMOTE_ADDR
    repeat at most TRUSTED_PROXY_COUNT times:
        if address is not in TRUSTED_PROXIES, stop: it is the client
        address = the right-most X-Forwarded-For entry not used yet (the one that proxy added)

A client that talks to the app server directly, or through a proxy we do not know, is its own
address whatever header it sends; a client behind nginx is the address nginx saw, whatever it
put in the header itself. Settings: TRUSTED_PROXY_COUNT (env AXES_PROXY_COUNT) and
TRUSTED_PROXIES (addresses or networks, env TRUSTED_PROXIES); see docs/SECURITY.md.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)

# Warn once per process, never once per address: the set of addresses is the attacker's to grow.
_warned = []


@lru_cache(maxsize=8)
def _networks(trusted):
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _parse(value):
    """An address in canonical form, or None for anything that is not one."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address


def _trusted(address):
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request):
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return request.META.get("REMOTE_ADDR") or None
    forwarded = [
        item for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()
    ]
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops and forwarded and not _trusted(remote) and not _warned:
        # A proxy missing from TRUSTED_PROXIES makes every visitor look like that proxy.
        _warned.append(remote)
        logger.warning(
            "X-Forwarded-For from %s ignored: it is not in TRUSTED_PROXIES, so the login "
            "throttle counts it as the client (docs/SECURITY.md)",
            remote,
        )
    address = remote
    for _hop in range(hops):
        if not forwarded or not _trusted(address):
            break  # the client itself, or one of our proxies that added nothing
        appended = _parse(forwarded.pop())
        if appended is None:
            break  # our proxy wrote something that is not an address: keep the proxy's
        address = appended
    return str(address)
