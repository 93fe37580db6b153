"""The worker's Temporal Runtime: its /metrics endpoint and where the SDK core's logs go.

The SDK core serves Prometheus itself at http://{bind_address}/metrics. Regie's worker
counters (activities/metrics.py) are recorded through the same core meter, so one endpoint
shows both: the SDK's temporal_* metrics (task slots, poll and schedule-to-start latencies,
workflow and activity outcomes) and Regie's regie_* counters.
"""

import logging

from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)


def worker_runtime(metrics_address: str | None) -> Runtime:
    """A Runtime serving metrics on `metrics_address` (host:port), or none when it is None.

    Counters end in _total and durations are in seconds, as Prometheus names them, so the
    api's metrics (prometheus_client) and the worker's read alike on one dashboard.
    """
    metrics = (
        PrometheusConfig(
            bind_address=metrics_address,
            counters_total_suffix=True,
            unit_suffix=True,
            durations_as_seconds=True,
        )
        if metrics_address
        else None
    )
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=metrics,
            # The core's own warnings through Python logging, so they are JSON lines too.
            logging=LoggingConfig(
                filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
            ),
        )
    )
