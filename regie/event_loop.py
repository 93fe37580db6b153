"""The event loop Regie's long-lived processes run on."""

import asyncio
from collections.abc import Coroutine
from typing import Any


def run_fast(main: Coroutine[Any, Any, None]) -> None:
    """Run a long-lived server on uvloop where it is installed: the same asyncio, less CPU."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)
