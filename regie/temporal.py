"""Connecting to Temporal with the data converter every part of Regie must share."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime


async def connect(
    address: str, *, namespace: str = "default", runtime: Runtime | None = None
) -> Client:
    """`runtime`: the worker's, which serves its metrics (regie/telemetry.py); else the SDK's."""
    return await Client.connect(
        address, namespace=namespace, data_converter=pydantic_data_converter, runtime=runtime
    )
