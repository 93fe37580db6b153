"""How every Regie workflow runs its activities: one timeout and one retry policy for all."""

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.refusals import ActivityFailure

ACTIVITY_TIMEOUT = timedelta(seconds=60)
# Every activity heartbeats while it runs (regie/heartbeats.py): a worker that dies mid-activity
# costs this long, not the whole ACTIVITY_TIMEOUT.
HEARTBEAT_TIMEOUT = timedelta(seconds=10)
# Keep trying through an SMTP or database outage; refuse at once what can never succeed.
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=[f.value for f in ActivityFailure],
)


# A local activity runs on the worker that runs the workflow, inside the same workflow task:
# no round trip through the server. For short database-only bookkeeping, never for mail.
LOCAL_TIMEOUT = timedelta(seconds=15)


async def run_local_activity(activity: Any, arg: Any) -> Any:
    """Run short database-only bookkeeping as a local activity, with Regie's retries."""
    return await workflow.execute_local_activity_method(
        activity, arg, start_to_close_timeout=LOCAL_TIMEOUT, retry_policy=RETRY
    )


async def run_activity(activity: Any, arg: Any) -> Any:
    """Run an activity method with Regie's timeout and retries; call from workflow code."""
    return await workflow.execute_activity_method(
        activity,
        arg,
        start_to_close_timeout=ACTIVITY_TIMEOUT,
        heartbeat_timeout=HEARTBEAT_TIMEOUT,
        retry_policy=RETRY,
    )
