"""Every activity heartbeats while it runs, so Temporal notices a dead worker within seconds.

Without heartbeats, an activity whose worker died (SIGKILL, OOM, a lost node) is retried only
when its start-to-close timeout of a minute runs out, and every incident waiting on it stands
still that long. With a heartbeat timeout (workflows/activity_calls.py) and this interceptor
beating for every running activity, the retry starts after HEARTBEAT_TIMEOUT instead. The
beat comes from the worker's event loop, so it also stops when that loop hangs.
"""

import asyncio
import contextlib
from typing import Any, Final

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

BEAT_SECONDS: Final = 2.0


class _Beating(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        beat = asyncio.create_task(_beat())
        try:
            return await super().execute_activity(input)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat


async def _beat() -> None:
    # The first beat waits: most activities end well within BEAT_SECONDS, and a beat the SDK
    # sends at once would cost each of them a round trip to the server. The server expects
    # the first beat within the heartbeat timeout, which is several beats long.
    # The SDK throttles what it sends after that; beating often here costs nothing.
    while True:
        await asyncio.sleep(BEAT_SECONDS)
        activity.heartbeat()


class Heartbeats(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Beating(next)
