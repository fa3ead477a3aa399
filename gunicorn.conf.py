"""Gunicorn configuration of Mon dossier: `gunicorn --config gunicorn.conf.py`.

Used by the Docker image (docker-compose.yml), by `make bench` and by `make drill-slow-clients`.
Every knob can be overridden from the environment:

    GUNICORN_BIND      address to listen on (default 127.0.0.1:8000; the container sets 0.0.0.0:8000
                       inside its own network namespace, reached only by the proxy: docker-compose.yml
                       publishes the proxy's port, not gunicorn's)
    WEB_CONCURRENCY    worker processes (default 2)
    GUNICORN_WORKER_CLASS  worker class (default gthread, see below)
    GUNICORN_THREADS   threads per worker (default 4)
    GUNICORN_TIMEOUT   seconds before a silent worker is killed and replaced (default 30)
    GUNICORN_SOCKET_TIMEOUT  seconds a connection may stay silent in the middle of a request before it
                       is dropped (default 5; 0 turns it off; see "Slow clients" below)
    GUNICORN_ACCESS_LOG  "-" for an access log on stdout (default: none)
    GUNICORN_REUSE_PORT  "1": each worker listens on a socket of its own (SO_REUSEPORT) and the kernel
                       spreads new connections over them; off by default, see "Reuse port" below

Worker class: gthread. Each request of the file spends part of its time waiting on PostgreSQL and
Redis (session read and write on every request); threads let a worker serve another request
during those waits, and gthread keeps HTTP connections alive, which sync workers do not. With the
GIL the CPU work of one worker still runs on one core at a time, so the worker count follows the
cores (2 here) and the threads cover the I/O waits. On the 2-core machine both classes measured
within noise of each other (`GUNICORN_WORKER_CLASS=sync make bench` to compare): the pages are
CPU-bound there.

Slow clients (issue 16). Gunicorn is meant to sit behind a buffering proxy, and in docker-compose.yml
it does: nginx (deploy/nginx/portal.conf) reads each request whole before passing it on, and reads
each answer at once, so gunicorn only ever talks to a fast client on the same host. Reached directly,
any worker class is at the mercy of slow clients: a thread (gthread) or a whole process (sync) reads a
request's headers with blocking reads and no deadline, so a client sending one header line every 8 s
holds it for as long as it likes, and `timeout` does not help (measured here, 12 such connections,
2 workers: with gthread, 5 probes of /healthz in 9 got no answer within 5 s; with sync, 7 in 14 over
40 s, and no worker was killed for it). gthread at least waits for a connection's first byte 5 s at
most before parking it in the worker's poller, and parks idle kept-alive connections there; sync
does neither: gthread stays.

Defence in depth, for the day gunicorn is reached without the proxy: every connection gets a
receive and send timeout of GUNICORN_SOCKET_TIMEOUT seconds (SO_RCVTIMEO and SO_SNDTIMEO, set on the
listening sockets once each worker starts; Linux gives them to every connection accepted from them),
so a client silent for 5 s in the middle of its headers, its body or while an answer is sent is
dropped and its thread freed. It bounds each wait, not the whole request: a client sending one byte
every 4 s still holds a thread, and attackers that reconnect at once still stall gunicorn (the drill
reports it: with 50 of them, no probe answered within 5 s; through nginx, every probe in a few ms);
only the proxy's client_header_timeout bounds the whole header.
nginx on the same host sends a buffered request in one go, far inside 5 s. The request line, the
number and the size of header fields keep gunicorn's limits, written out below; nginx's header
buffers (8 KB) are larger, so an over-long request line is still refused here (400).
"""
import logging
import os
import socket
import struct

wsgi_app = "ramq_portal.wsgi:application"

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Reuse port. Off in production: nginx opens one short connection per request (deploy/nginx/portal.conf),
# and workers sharing one socket take each from it as soon as they are free; with a socket per worker,
# a worker that ends (killed for a timeout) drops the connections queued on its own. On for `make bench`
# (scripts/bench.sh): wrk keeps its four connections for a whole run, and with one shared socket the
# worker that wins the race to accept them (the one not sharing a core with wrk) takes all four, leaving
# the other idle; the kernel spreads them by address instead.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "") == "1"
SOCKET_TIMEOUT = int(os.environ.get("GUNICORN_SOCKET_TIMEOUT", "5"))

# Gunicorn's own limits on a request's head, written out (see "Slow clients" above).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Logs go to the console (the container's log); no access log unless asked for.
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The heartbeat file of each worker: in memory when /dev/shm exists (containers mount a small
# overlay /tmp on disk, where a stalled write can make the arbiter kill a healthy worker).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# No runtime control socket (gunicornc): nothing uses it, and it would be one more door into the
# process.
control_socket_disable = True


class _SlowClientDropped(logging.Filter):
    """A connection dropped by the socket timeout is logged by gunicorn as "Socket error processing
    request." with a traceback (it sees EAGAIN from a blocking read): one line instead."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, BlockingIOError):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "Dropped a connection silent for %s s in the middle of a request", (SOCKET_TIMEOUT,), None, None)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def post_worker_init(worker):
    """Receive and send timeouts on the listening sockets (shared by the workers: setting them
    again is harmless), inherited by every connection accepted from them."""
    if SOCKET_TIMEOUT <= 0:
        return
    timeval = struct.pack("ll", SOCKET_TIMEOUT, 0)
    for listener in worker.sockets:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
    logging.getLogger("gunicorn.error").addFilter(_SlowClientDropped())
