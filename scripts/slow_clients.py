#!/usr/bin/env python3
"""The slow-connection attack of issue 16, and a probe of `/healthz` while it runs.

    python3 scripts/slow_clients.py --port 8000 [--connections 50] [--line-every 8] [--seconds 20]
                                    [--max-latency 2] [--label "through the proxy"] [--report-only]
    python3 scripts/slow_clients.py --wait-for 8000 [--wait-for 8001]    # until /healthz answers 200
    python3 scripts/slow_clients.py --port 8000 --proxy-checks          # nginx's own answers

Opens CONNECTIONS connections to 127.0.0.1:PORT, each sending the first line of a GET request and then
one more header line every LINE_EVERY seconds, never the blank line that ends the headers (the attack
seen: 12 such connections froze the portal). A connection the server closes is opened again at once,
as attack tools do, so the pressure lasts the whole run. Meanwhile a fresh connection asks `/healthz`
every PROBE_EVERY seconds and times the answer (a probe gets PROBE_TIMEOUT seconds, then counts as
unanswered).

Prints one line per probe and a summary. Exit status 1 when a probe went unanswered or took longer
than MAX_LATENCY seconds, or when the attack could not hold its connections open (a drill that
attacks nothing proves nothing); with --report-only the summary is printed and the status is 0.
Used by scripts/slow-clients-drill.sh. Loopback only: the address is fixed to 127.0.0.1. Standard library only, so that it runs anywhere
python3 does.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time

HOST = "127.0.0.1"


class Attack(threading.Thread):
    """The slow clients: partial headers, one line every `line_every` seconds, reconnecting."""

    def __init__(self, port: int, connections: int, line_every: float):
        super().__init__(daemon=True)
        self.port, self.connections, self.line_every = port, connections, line_every
        self.stop = threading.Event()
        self.opened = self.closed_by_server = self.refused = 0
        self.open_now = 0

    def _open(self, number: int) -> tuple[socket.socket, int] | None:
        try:
            sock = socket.create_connection((HOST, self.port), timeout=2)
            sock.sendall(f"GET /?slow={number} HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        except OSError:
            self.refused += 1
            return None
        self.opened += 1
        return sock, 0

    def run(self) -> None:
        slots: list[tuple[socket.socket, int] | None] = [None] * self.connections
        next_line = time.monotonic()
        while not self.stop.is_set():
            for number, slot in enumerate(slots):
                if self.stop.is_set():
                    break
                if slot is None:
                    slots[number] = self._open(number)
            now = time.monotonic()
            if now >= next_line:
                next_line = now + self.line_every
                for number, slot in enumerate(slots):
                    if slot is None:
                        continue
                    sock, lines = slot
                    try:
                        sock.sendall(f"X-Slow-{lines}: {'a' * 16}\r\n".encode())
                        slots[number] = (sock, lines + 1)
                    except OSError:
                        self.closed_by_server += 1
                        sock.close()
                        slots[number] = None
            # A connection the server closed shows as readable (end of file or an error page).
            for number, slot in enumerate(slots):
                if slot is None:
                    continue
                sock = slot[0]
                sock.setblocking(False)
                try:
                    gone = sock.recv(4096) is not None
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                sock.setblocking(True)
                if gone:
                    self.closed_by_server += 1
                    sock.close()
                    slots[number] = None
            # Reopened at once, before counting: the proxy drops the connections of one burst together
            # (its header timeout), and a probe reading the count in between saw none held.
            for number, slot in enumerate(slots):
                if slot is None and not self.stop.is_set():
                    slots[number] = self._open(number)
            self.open_now = sum(slot is not None for slot in slots)
            self.stop.wait(0.2)
        for slot in slots:
            if slot is not None:
                slot[0].close()


def _ask(port: int, head: str, timeout: float) -> bytes:
    """Send a request head on a fresh connection and return the answer's head (up to the blank line)."""
    started = time.monotonic()
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.settimeout(max(0.01, timeout - (time.monotonic() - started)))
        sock.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n\r\n", 1)[0]


def probe(port: int, timeout: float) -> tuple[float | None, str]:
    """One `/healthz` on a fresh connection: (seconds, status line), or (None, why) when unanswered."""
    started = time.monotonic()
    try:
        answer = _ask(port, f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n", timeout)
    except TimeoutError:
        return None, f"no answer within {timeout:g} s"
    except OSError as error:
        return None, f"{type(error).__name__}: {error}"
    status = answer.split(b"\r\n", 1)[0].decode("latin-1")
    if not status.startswith("HTTP/1.1 200"):
        return None, status or "connection closed without an answer"
    return time.monotonic() - started, status


def wait_for(ports: list[int], seconds: float = 30.0) -> int:
    """Until /healthz answers 200 on each port (a server just started), at most `seconds`."""
    deadline = time.monotonic() + seconds
    for port in ports:
        while (answer := probe(port, 2.0))[0] is None:
            if time.monotonic() > deadline:
                print(f"/healthz on 127.0.0.1:{port} still does not answer after {seconds:g} s: {answer[1]}", file=sys.stderr)
                return 1
            time.sleep(0.2)
    return 0


def proxy_checks(port: int) -> int:
    """What nginx answers itself (deploy/nginx/portal.conf): a body announced over 1 MB is refused
    before it is read; the Server header names no version; the client's Host header reaches Django
    (an unknown host is refused by ALLOWED_HOSTS, not rewritten to an allowed one); sign-in attempts
    are limited per address."""
    checks = [
        ("a body announced over 1 MB: 413 from nginx",
         f"POST /connexion/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         f"Content-Length: {2 * 1024 * 1024}\r\nConnection: close\r\n\r\n",
         "HTTP/1.1 413"),
        ("/healthz: 200, Server header without a version",
         f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n", "HTTP/1.1 200"),
        ("an unknown Host header reaches Django: 400",
         "GET /healthz HTTP/1.1\r\nHost: elsewhere.example\r\nConnection: close\r\n\r\n", "HTTP/1.1 400"),
    ]
    failed = 0
    for what, head, expected in checks:
        answer = _ask(port, head, 5.0).decode("latin-1")
        lines = answer.split("\r\n")
        server = next((line for line in lines if line.lower().startswith("server:")), "Server: (none)")
        ok = lines[0].startswith(expected) and server.lower() == "server: nginx"
        failed += not ok
        print(f"  {'ok' if ok else 'FAILED'}: {what} (got {lines[0]!r}, {server!r})")
    # A flood of sign-in attempts: the first ones reach Django (403: no CSRF token, so no password is
    # hashed), then nginx answers 429 once the burst is spent. Before the attack: the probes are GETs.
    head = f"POST /connexion/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    statuses = [_ask(port, head, 5.0).split(b" ", 2)[1].decode() for _ in range(20)]
    ok = statuses[0] == "403" and "429" in statuses
    failed += not ok
    print(f"  {'ok' if ok else 'FAILED'}: 20 sign-in POSTs at once: {statuses.count('403')} reach Django (403, no CSRF "
          f"token), {statuses.count('429')} refused by nginx (429)")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int)
    parser.add_argument("--wait-for", type=int, action="append", default=[], metavar="PORT")
    parser.add_argument("--proxy-checks", action="store_true")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--line-every", type=float, default=8.0, help="seconds between two header lines")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the attack")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of attack before the first probe")
    parser.add_argument("--probe-every", type=float, default=1.0)
    parser.add_argument("--probe-timeout", type=float, default=5.0)
    parser.add_argument("--max-latency", type=float, default=2.0)
    parser.add_argument("--label", default="")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    if args.wait_for:
        return wait_for(args.wait_for)
    if args.port is None:
        parser.error("--port is required")
    if args.proxy_checks:
        return proxy_checks(args.port)
    label = f"[{args.label}] " if args.label else ""

    before, why = probe(args.port, args.probe_timeout)
    if before is None:
        print(f"{label}/healthz does not answer before the attack: {why}", file=sys.stderr)
        return 1
    print(f"{label}before the attack: /healthz in {before * 1000:.0f} ms")

    attack = Attack(args.port, args.connections, args.line_every)
    attack.start()
    time.sleep(args.warmup)
    print(f"{label}attack: {args.connections} connections, one header line every {args.line_every:g} s, "
          f"for {args.seconds:g} s ({attack.open_now} open after {args.warmup:g} s)")
    latencies: list[float] = []
    failures: list[str] = []
    held: list[int] = []
    end = time.monotonic() + args.seconds - args.warmup
    while time.monotonic() < end:
        started = time.monotonic()
        seconds, status = probe(args.port, args.probe_timeout)
        held.append(attack.open_now)
        at = args.seconds - (end - time.monotonic())
        if seconds is None:
            failures.append(status)
            print(f"{label}  t={at:5.1f} s  /healthz: UNANSWERED ({status})  slow connections open: {attack.open_now}")
        else:
            latencies.append(seconds)
            late = "  TOO SLOW" if seconds > args.max_latency else ""
            print(f"{label}  t={at:5.1f} s  /healthz: {seconds * 1000:6.0f} ms{late}  slow connections open: {attack.open_now}")
        time.sleep(max(0.0, args.probe_every - (time.monotonic() - started)))
    attack.stop.set()
    attack.join(timeout=10)

    slow = [s for s in latencies if s > args.max_latency]
    worst = f"{max(latencies) * 1000:.0f} ms" if latencies else "-"
    median = f"{statistics.median(latencies) * 1000:.0f} ms" if latencies else "-"
    probes = len(latencies) + len(failures)
    print(f"{label}summary: {probes} probes, {len(latencies)} answered (median {median}, worst {worst}), "
          f"{len(failures)} unanswered, {len(slow)} over {args.max_latency:g} s; attacker opened "
          f"{attack.opened} connections, {attack.closed_by_server} closed by the server, "
          f"{attack.refused} refused, at least {min(held) if held else 0} held open at each probe")
    problems = []
    if failures or slow:
        problems.append(f"/healthz missed the bound ({len(failures)} unanswered, {len(slow)} over {args.max_latency:g} s)")
    if not held or min(held) < args.connections // 2:
        problems.append(f"the attack held fewer than {args.connections // 2} connections open at some probe")
    if problems and not args.report_only:
        print(f"{label}FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"{label}" + ("reported only: " + "; ".join(problems) if problems else "passed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
