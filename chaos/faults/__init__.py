"""The fault catalog: one named fault per module, each registering itself in `FAULTS`.

Third-party faults join through the `livefire.faults` entry points (`chaos.plugins`).
"""

from chaos.faults import (  # noqa: F401
    cdn_region_blackhole,
    chat_node_kill,
    command,
    database_partition,
    edge_latency,
    gift_payment_timeout,
    origin_brownout,
    payment_latency,
    process_kill,
    process_pause,
    proxy_toxic,
    redis_failover,
    redis_primary_kill,
    redis_replica_cut,
    transcoder_node_kill,
    webhook,
)
