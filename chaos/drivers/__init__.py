"""Fault drivers: each one file, each registering its `from_spec` under its name.

proxy-toxic, proxy-disable   Toxiproxy HTTP API (proxy.py); fallback: recreate the proxy
all-of                       several drivers as one fault (composite.py)
process                      SIGKILL / SIGTERM / SIGSTOP, restart on revert (process.py)
redis-kill, redis-failover,  the Redis primary, Sentinel, a replica's link (redis.py)
redis-replica-cut
command                      argv lists, no shell (command.py)
http                         webhooks (http.py)
"""

from chaos.drivers import command, composite, http, process, proxy, redis  # noqa: F401
