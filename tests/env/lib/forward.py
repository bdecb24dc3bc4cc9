#!/usr/bin/python3
"""TCP forwarder that makes loopback clients look remote to Dovecot.

Dovecot treats a connection whose remote address equals its local address (any client on
127.0.0.1 talking to 127.0.0.1) as "secured", so it would accept AUTH before STARTTLS even with
ssl = required. Real servers refuse that, and the tests must see the refusal. This forwarder
listens on the public STARTTLS ports and connects to Dovecot's internal listeners from another
loopback address (127.0.0.2), so Dovecot applies its plaintext rules.

usage: forward.py --source ADDR LISTEN_PORT:TARGET_PORT [...]
Prints "ready" once every port listens; exits on SIGTERM/SIGINT.
"""
import argparse
import asyncio
import signal
import sys

HOST = "127.0.0.1"


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.close()


async def handle(client_reader, client_writer, target_port, source):
    try:
        server_reader, server_writer = await asyncio.open_connection(
            HOST, target_port, local_addr=(source, 0))
    except OSError as e:
        print(f"forward.py: cannot reach {HOST}:{target_port}: {e}", file=sys.stderr, flush=True)
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
    for w in (client_writer, server_writer):
        w.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True, help="local address for the outgoing connections")
    ap.add_argument("maps", nargs="+", metavar="LISTEN_PORT:TARGET_PORT")
    args = ap.parse_args()
    servers = []
    for m in args.maps:
        listen, target = (int(p) for p in m.split(":"))
        servers.append(await asyncio.start_server(
            lambda r, w, t=target: handle(r, w, t, args.source), HOST, listen, reuse_address=True))
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
