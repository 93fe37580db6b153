"""Temporal over mutual TLS: the worker connects through a TLS proxy that demands a client
certificate, runs a real workflow and reports its build id; wrong settings get advice.

The dev server speaks plain gRPC, so HAProxy (tests/fixtures/tls.py) terminates TLS in front
of it with certificates made here; `make test` installs HAProxy.
"""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from notifications.catcher import MailCatcher, free_port
from regie.build import build_id
from regie.settings import Settings
from regie.temporal import (
    TemporalSettingsError,
    TemporalUnavailable,
    connect,
    connect_config,
)
from regie.worker import build_worker
from store.db import Pool
from tests.fixtures.keys import TEST_KEY, TEST_KEY_ID
from tests.fixtures.tls import Pki, Proxy, make_pki, tls_proxy
from tests.fixtures.world import make_deps
from workflows.contracts import ErasureReport, RetentionInput
from workflows.retention import RetentionWorkflow

TEMPORAL_VARIABLES = [
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_API_KEY",
    "TEMPORAL_TLS",
    "TEMPORAL_CONFIG_FILE",
    "TEMPORAL_PROFILE",
    "REGIE_BUILD_ID",
] + [
    f"TEMPORAL_TLS_{part}_{form}"
    for part in ("SERVER_CA_CERT", "CLIENT_CERT", "CLIENT_KEY")
    for form in ("PATH", "DATA")
] + ["TEMPORAL_TLS_SERVER_NAME"]  # fmt: skip


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def proxy(
    pki: Pki, dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    target = dev_env.client.service_client.config.target_host
    with tls_proxy(pki, target, tmp_path_factory.mktemp("proxy")) as running:
        yield running


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean slate of Temporal variables; each test sets what an operator would."""
    for name in TEMPORAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


async def test_worker_runs_a_workflow_over_mtls_and_reports_its_build_id(
    pki: Pki, proxy: Proxy, environ: pytest.MonkeyPatch, pool: Pool, mail: MailCatcher
) -> None:
    tag = uuid.uuid4().hex[:8]
    environ.setenv("TEMPORAL_ADDRESS", proxy.address)
    environ.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(pki.ca_cert))
    environ.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(pki.client_cert))
    # The key as PEM in the environment, as a Secret exposed as a variable gives it.
    environ.setenv("TEMPORAL_TLS_CLIENT_KEY_DATA", pki.client_key.read_text())
    environ.setenv("REGIE_BUILD_ID", f"0.1.0+test.{tag}")
    settings = Settings()

    client = await connect(settings)
    task_queue = f"regie-tls-{tag}"
    worker = build_worker(
        client, make_deps(pool, mail), task_queue=task_queue, build_id=build_id(settings)
    )
    async with worker:
        handle = await client.start_workflow(
            RetentionWorkflow.run,
            RetentionInput(dry_run=True),
            id=f"retention-tls-{tag}",
            task_queue=task_queue,
        )
        report = await handle.result()
    assert isinstance(report, ErasureReport) and report.dry_run

    build_ids = {
        event.workflow_task_completed_event_attributes.worker_version.build_id
        async for event in handle.fetch_history_events()
        if event.HasField("workflow_task_completed_event_attributes")
    }
    assert build_ids == {f"0.1.0+test.{tag}"}


async def test_a_client_without_certificate_is_refused_with_advice(
    pki: Pki, proxy: Proxy, environ: pytest.MonkeyPatch
) -> None:
    environ.setenv("TEMPORAL_ADDRESS", proxy.address)
    environ.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(pki.ca_cert))
    before = proxy.refusals()
    with pytest.raises(TemporalUnavailable) as refused:
        await connect(Settings())
    message = str(refused.value)  # the operator is told what to set …
    assert f"Cannot connect to Temporal at {proxy.address}" in message
    assert (
        "it likely requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and"
        " TEMPORAL_TLS_CLIENT_KEY_PATH" in message
    ), message
    # … because the proxy refused the handshake (it logs the connection as it closes).
    for _ in range(100):
        if proxy.refusals() > before:
            break
        await asyncio.sleep(0.05)
    assert proxy.refusals() > before, proxy.log.read_text()


async def test_nothing_listening_names_the_address(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
    environ.setenv("TEMPORAL_TLS", "true")
    with pytest.raises(
        TemporalUnavailable, match=r"Nothing answers at TEMPORAL_ADDRESS=127\.0\.0\.1"
    ):
        await connect(Settings())


async def test_a_server_certificate_from_another_ca_names_the_ca_setting(
    pki: Pki, proxy: Proxy, environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = make_pki(tmp_path / "other")
    environ.setenv("TEMPORAL_ADDRESS", proxy.address)
    environ.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(other.ca_cert))
    environ.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(pki.client_cert))
    environ.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(pki.client_key))
    with pytest.raises(TemporalUnavailable, match="check TEMPORAL_TLS_SERVER_CA_CERT_PATH"):
        await connect(Settings())


async def test_a_profile_in_a_temporal_toml_file_connects(
    pki: Pki, proxy: Proxy, environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    toml = tmp_path / "temporal.toml"
    toml.write_text(
        f'[profile.cluster]\naddress = "{proxy.address}"\nnamespace = "default"\n'
        f'[profile.cluster.tls]\nserver_name = "localhost"\n'
        f'server_ca_cert_path = "{pki.ca_cert}"\n'
        f'client_cert_path = "{pki.client_cert}"\nclient_key_path = "{pki.client_key}"\n'
    )
    environ.setenv(
        "TEMPORAL_ADDRESS", proxy.address
    )  # the commands require it; the file has the rest
    environ.setenv("TEMPORAL_CONFIG_FILE", str(toml))
    environ.setenv("TEMPORAL_PROFILE", "cluster")
    client = await connect(Settings())
    assert await client.service_client.check_health()


def test_settings_that_cannot_work_are_refused_before_connecting(
    pki: Pki, environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environ.setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
    environ.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(tmp_path / "missing.pem"))
    environ.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(pki.client_key))
    with pytest.raises(TemporalSettingsError) as missing:
        connect_config(Settings())
    assert f"TEMPORAL_TLS_CLIENT_CERT_PATH={tmp_path / 'missing.pem'}: there is no such file" in (
        str(missing.value)
    )

    environ.delenv("TEMPORAL_TLS_CLIENT_CERT_PATH")
    with pytest.raises(TemporalSettingsError, match=r"client key is set .* no client certificate"):
        connect_config(Settings())

    environ.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(pki.client_cert))
    environ.setenv("TEMPORAL_TLS_CLIENT_CERT_DATA", pki.client_cert.read_text())
    with pytest.raises(TemporalSettingsError, match=r"either\s+as a file .* or as PEM"):
        connect_config(Settings())

    environ.delenv("TEMPORAL_TLS_CLIENT_CERT_DATA")
    environ.setenv("TEMPORAL_PROFILE", "cluster")
    with pytest.raises(TemporalSettingsError, match="set TEMPORAL_CONFIG_FILE"):
        connect_config(Settings())


def test_without_tls_settings_the_connection_is_plain_and_an_api_key_turns_tls_on(
    environ: pytest.MonkeyPatch,
) -> None:
    environ.setenv("TEMPORAL_ADDRESS", "127.0.0.1:7233")
    plain = connect_config(Settings())
    assert plain == {"target_host": "127.0.0.1:7233", "namespace": "default"}

    environ.setenv("TEMPORAL_NAMESPACE", "regie.a1b2c")
    environ.setenv("TEMPORAL_API_KEY", "key-from-temporal-cloud")
    cloud = connect_config(Settings())
    assert cloud["namespace"] == "regie.a1b2c"
    assert cloud["api_key"] == "key-from-temporal-cloud"
    assert cloud["tls"] is not False


def test_regie_worker_stops_on_a_key_without_certificate_and_says_what_to_set(
    pki: Pki, environ: pytest.MonkeyPatch
) -> None:
    from regie.cli import app

    environ.setenv("REGIE_KEYS", f"{TEST_KEY_ID}:{TEST_KEY}")  # the key the tests run with
    environ.setenv("DATABASE_URL", "postgresql://never-opened.invalid/regie")
    environ.setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
    environ.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(pki.client_key))
    done = CliRunner().invoke(app, ["worker"])
    assert done.exit_code == 2, done.output
    assert "Temporal: A client key is set" in done.output
    assert "set TEMPORAL_TLS_CLIENT_CERT_PATH (or _DATA)" in done.output
