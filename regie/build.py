"""Which build of Regie a worker runs, as Temporal records it.

Choice: the worker reports its build id through Worker Deployments (`WorkerDeploymentConfig`,
deployment "regie") with versioning *off* (`use_worker_versioning=False`, mode UNVERSIONED).
The build id then shows on every workflow task a worker completes (the history's
WorkflowTaskCompleted `worker_version.build_id`, a workflow's "most recent worker version" in
`temporal workflow describe` and the UI) and on the task queue's pollers, so an operator sees
which release ran which step and when the old workers are gone. Task routing is unchanged: any
worker on the queue takes any task, as the tests and a rolling upgrade need. Running incidents
survive changed workflow code through `workflow.patched` and the replay gate, not through
pinning.

The older `Worker(build_id=...)` is deprecated in the installed SDK; switching on versioning
(pinned or auto-upgrade) would need `temporal worker deployment set-current-version` on every
release before any task moves, a step this deployment does not take. The dev server (1.32)
accepts both modes.

REGIE_BUILD_ID sets the id (the image sets it at build time, e.g. the version and git commit);
otherwise it is the installed package's version.
"""

from importlib.metadata import PackageNotFoundError, version

from temporalio.common import WorkerDeploymentVersion
from temporalio.worker import WorkerDeploymentConfig

from regie.settings import Settings

DEPLOYMENT_NAME = "regie"


def package_build_id() -> str:
    try:
        return version("regie")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_id(settings: Settings) -> str:
    return (settings.regie_build_id or "").strip() or package_build_id()


def deployment_config(build_id: str) -> WorkerDeploymentConfig:
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(deployment_name=DEPLOYMENT_NAME, build_id=build_id),
        use_worker_versioning=False,
    )
