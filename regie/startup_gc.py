"""Keep what a process built at start-up out of the garbage collector's full passes.

A long-running process (the worker, the API) imports and builds most of its objects once: the
modules, the app's routes and schemas, the worker's workflow definitions. Python's full
collection walks all of them every time it runs: 50-100 ms pauses in the worker and the API on
the bench machine, in the middle of whatever answer was under way, which showed as the tail of
the answer-to-e-mail latency (bench/RESULTS.md). Frozen objects are never collected, so this is
called once, when start-up is done; everything created afterwards is collected as before.
"""

import gc


def freeze_startup_objects() -> int:
    """Collects once, then moves every surviving object out of the collector's reach; returns
    how many objects are frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
