"""What the per-address sign-in limit counts for a client address (backend.services.rate_limits.client_network)."""

import pytest

from backend.services.rate_limits import client_network


@pytest.mark.parametrize(("address", "counted_as"), [
    ("198.51.100.7", "198.51.100.7"),  # IPv4: each address on its own, as before
    ("2001:db8:a12:7::1", "2001:db8:a12:7::/64"),
    ("2001:db8:a12:7:ffff:1:2:3", "2001:db8:a12:7::/64"),  # any address of the subscriber's /64
    ("2001:db8:a12:8::1", "2001:db8:a12:8::/64"),  # the next /64 is someone else
    ("2001:DB8:A12:7:0:0:0:9", "2001:db8:a12:7::/64"),  # however it is written
    ("fe80::1%eth0", "fe80::/64"),
    ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4 written as IPv6 counts with that IPv4 address
    ("testclient", "testclient"),  # not an address: as it is
    ("unknown", "unknown"),
])
def test_ipv6_clients_count_by_their_64(address: str, counted_as: str) -> None:
    assert client_network(address) == counted_as
