"""Gunicorn configuration of Mon dossier: `gunicorn --config gunicorn.conf.py`.

Used by the Docker image (docker-compose.yml) and by `make bench`. Every knob can be overridden
from the environment:

    GUNICORN_BIND      address to listen on (default 127.0.0.1:8000; the container sets 0.0.0.0:8000
                       inside its own network namespace and publishes it on the host's loopback only)
    WEB_CONCURRENCY    worker processes (default 2)
    GUNICORN_WORKER_CLASS  worker class (default gthread, see below)
    GUNICORN_THREADS   threads per worker (default 4)
    GUNICORN_TIMEOUT   seconds before a silent worker is killed and replaced (default 30)
    GUNICORN_ACCESS_LOG  "-" for an access log on stdout (default: none)

Worker class: gthread. Each request of the file spends part of its time waiting on PostgreSQL and
Redis (session read and write on every request); threads let a worker serve another request
during those waits, and gthread keeps HTTP connections alive, which sync workers do not. A sync
worker is also held for the whole of a slow client's upload or download, so it needs a buffering
proxy in front, which docker-compose.yml does not have. With the GIL the CPU work of one worker
still runs on one core at a time, so the worker count follows the cores (2 here) and the threads
cover the I/O waits. On the 2-core machine both classes measured within noise of each other
(`GUNICORN_WORKER_CLASS=sync make bench` to compare): the pages are CPU-bound there.
"""
import os

wsgi_app = "ramq_portal.wsgi:application"

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

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
