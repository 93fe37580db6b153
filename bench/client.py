"""The simulated staff's HTTP client: aiohttp behind the few calls the bench makes.

The bench measures the API from the outside, so its own client's cost lands in every figure:
in the overhead runs it shares the two cores with the servers, and in the reads it is part of
each timed request. httpx spent about 3 ms of CPU per request here (its pool and anyio
checks); aiohttp's C parser spends a fraction of that.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp

# What a request that never got an answer raises: refused, reset, timed out.
TransportError = (aiohttp.ClientError, asyncio.TimeoutError)


class StatusError(Exception):
    """The API answered with a 4xx or 5xx."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(f"HTTP {reply.status_code}: {reply.body[:200]!r}")
        self.reply = reply


@dataclass(frozen=True)
class Reply:
    status_code: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise StatusError(self)


class Client:
    """Keeps up to `connections` connections to `base_url` open for reuse."""

    def __init__(self, base_url: str, *, connections: int = 100, timeout: float = 60.0) -> None:
        self._session = aiohttp.ClientSession(
            base_url=base_url,
            connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=60),
            timeout=aiohttp.ClientTimeout(total=timeout),
        )

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Reply:
        async with self._session.get(path, headers=headers) as response:
            return Reply(response.status, await response.read())

    async def post(
        self, path: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        async with self._session.post(path, json=json, headers=headers) as response:
            return Reply(response.status, await response.read())

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._session.close()
