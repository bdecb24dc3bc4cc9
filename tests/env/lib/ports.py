#!/usr/bin/python3
"""Print NAME=PORT for each NAME given: free TCP ports on 127.0.0.1.

Starts from a random base so that two environments on one machine rarely pick the same ports,
and bind-tests every candidate (free now; the servers bind them a moment later). Stays below the
kernel's ephemeral range, where any outgoing connection could take a port before a server binds it.
"""
import random
import socket
import sys

LOW = 20000


def high_limit():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    return max(LOW + 2000, min(ephemeral_low, 65536))


def is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def main(names):
    if not names:
        sys.exit("usage: ports.py NAME...")
    high = high_limit()
    port = random.SystemRandom().randrange(LOW, high)
    chosen = []
    for _ in range(high - LOW):
        if is_free(port):
            chosen.append(port)
            if len(chosen) == len(names):
                break
        port = LOW if port + 1 >= high else port + 1
    else:
        sys.exit("ports.py: not enough free ports on 127.0.0.1")
    for name, p in zip(names, chosen):
        print(f"{name}={p}")


if __name__ == "__main__":
    main(sys.argv[1:])
