"""The `regie` command: the whole product (`regie dev`) or its parts, as a deployment runs them."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from regie.event_loop import run_fast
from regie.settings import Settings

if TYPE_CHECKING:
    from temporalio.client import Client
    from temporalio.runtime import Runtime

    from regie.replay import ReplayReport
    from store.db import Pool

app = typer.Typer(help="Regie: incident response for school boards.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff and their roles.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys for personal data.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(staff_app, name="staff")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
console = Console()
errors = Console(stderr=True)

T = TypeVar("T")


def _require(value: str | None, name: str) -> str:
    if not value:
        errors.print(f"[red]{name} is not set.[/red] Set it in the environment, e.g. {name}=...")
        raise typer.Exit(2)
    return value


def _database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded PostgreSQL of a `regie dev` running in REGIE_HOME."""
    if settings.database_url:
        return settings.database_url
    from regie.devstack import dev_database_url

    url = dev_database_url(settings.regie_home)
    if url is None:
        errors.print(
            "[red]DATABASE_URL is not set[/red] and no `regie dev` is running in"
            f" {settings.regie_home}. Start `regie dev` (in another terminal, same folder) or"
            " set DATABASE_URL=postgresql://...",
            highlight=False,
        )
        raise typer.Exit(2)
    return url


def _configure_keys(settings: Settings) -> None:
    """Load the encryption keys now, so a missing key stops the command before it starts.

    Next to a running `regie dev` (no DATABASE_URL), its development key in REGIE_HOME is used.
    """
    from regie.devstack import dev_key_file
    from store import crypto

    fallback = None if settings.database_url else dev_key_file(settings.regie_home)
    try:
        crypto.configure(crypto.from_environment(fallback_file=fallback))
    except crypto.KeyConfigError as error:
        errors.print(f"[red]Encryption keys:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _configure_logging(settings: Settings) -> None:
    from regie.logs import configure_logging

    configure_logging(log_format=settings.log_format, level=settings.log_level)


async def _with_pool(database_url: str, work: Callable[..., Awaitable[T]]) -> T:
    from store.db import open_pool

    pool = await open_pool(database_url, max_size=2)
    try:
        return await work(pool)
    finally:
        await pool.close()


@app.command()
def dev() -> None:
    """Run the whole product on this machine, with a demo board.

    PostgreSQL, Temporal (with its UI), a mail catcher, the API and a worker. Ctrl-C stops it
    all; the data stays in REGIE_HOME (default ./.regie) for the next start.
    """
    from regie.devstack import run_dev

    raise typer.Exit(run_dev(console))


@app.command()
def api() -> None:
    """Run the HTTP API (needs DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL).

    It listens on REGIE_HOST (default 127.0.0.1) and REGIE_API_PORT (default 8000).
    """
    import os

    import uvicorn

    from api.app import create_app

    settings = Settings()
    for name, value in (
        ("DATABASE_URL", settings.database_url),
        ("TEMPORAL_ADDRESS", settings.temporal_address),
        ("SMTP_URL", settings.smtp_url),
    ):
        _require(value, name)
    _configure_keys(settings)
    _configure_logging(settings)
    host = os.environ.get("REGIE_HOST", "").strip() or "127.0.0.1"
    raw_port = os.environ.get("REGIE_API_PORT", "").strip() or "8000"
    if not raw_port.isdigit():
        errors.print(f"[red]REGIE_API_PORT={raw_port!r} is not a port number.[/red] Use e.g. 8000")
        raise typer.Exit(2)
    # uvicorn's access log would write the raw path with its query string: the app logs one
    # line per request itself (api/metrics.py), by route template.
    uvicorn.run(
        create_app(settings=settings),
        host=host,
        port=int(raw_port),
        log_config=None,
        access_log=False,
        # Longer than the idle timeout of the proxies and clients in front of it (nginx 60 s,
        # httpx 5 s), so the API never closes a kept-alive connection just as a request is
        # sent on it (bench/ load: a ReadError with uvicorn's default of 5 s).
        timeout_keep_alive=75,
    )


@app.command()
def migrate() -> None:
    """Apply the database migrations (safe to run twice)."""
    from regie.devstack import migration_url_for
    from store.migrate import apply_migrations

    settings = Settings()
    applied = apply_migrations(migration_url_for(_require(settings.database_url, "DATABASE_URL")))
    console.print(f"Applied {len(applied)} migration(s).")
    if settings.temporal_address:
        count = asyncio.run(_bootstrap_schedules(settings))
        console.print(
            f"Policy review schedules in step for {count} school(s); daily retention schedule too."
        )
    else:
        console.print("TEMPORAL_ADDRESS is not set: run `regie schedules` once it is.")


@app.command()
def schedules() -> None:
    """Create or update every school's yearly policy review schedule (safe to run twice)."""
    settings = Settings()
    _require(settings.temporal_address, "TEMPORAL_ADDRESS")
    count = asyncio.run(_bootstrap_schedules(settings))
    console.print(
        f"Policy review schedules in step for {count} school(s); daily retention schedule too."
    )


async def _connect(settings: Settings, runtime: "Runtime | None" = None) -> "Client":
    """Connect to Temporal as the settings say; a wrong setting stops the command with advice."""
    from regie.temporal import TemporalSettingsError, TemporalUnavailable, connect

    try:
        return await connect(settings, runtime=runtime)
    except (TemporalSettingsError, TemporalUnavailable) as error:
        errors.print(f"[red]Temporal:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


async def _bootstrap_schedules(settings: Settings) -> int:
    from regie import schedules as review_schedules
    from store.db import open_pool

    pool = await open_pool(_require(settings.database_url, "DATABASE_URL"))
    try:
        client = await _connect(settings)
        return await review_schedules.bootstrap(client, pool, task_queue=settings.task_queue)
    finally:
        await pool.close()


@app.command()
def worker() -> None:
    """Run a Temporal worker for incidents (needs DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL)."""
    settings = Settings()
    _configure_keys(settings)
    _configure_logging(settings)
    run_fast(_run_worker(settings))


async def _run_worker(settings: Settings) -> None:
    from activities.deps import Deps
    from notifications.smtp import SmtpSettings
    from regie.build import build_id
    from regie.liveness import beating, stop_on_signals
    from regie.startup_gc import freeze_startup_objects
    from regie.telemetry import worker_runtime
    from regie.worker import build_worker
    from store.db import open_pool

    database_url = _require(settings.database_url, "DATABASE_URL")
    # A wrong Temporal setting stops us before the pool opens.
    client = await _connect(settings, worker_runtime(settings.worker_metrics_address))
    pool = await open_pool(database_url)
    if settings.worker_metrics_address:
        console.print(f"Worker metrics on http://{settings.worker_metrics_address}/metrics")
    smtp = SmtpSettings.from_url(_require(settings.smtp_url, "SMTP_URL"), sender=settings.mail_from)
    deps = Deps(pool=pool, smtp=smtp, base_url=settings.base_url, secret_key=settings.secret_key)
    console.print(
        f"Worker (build {build_id(settings)}) on task queue '{settings.task_queue}'"
        f" at {settings.temporal_address}"
    )
    worker = build_worker(
        client,
        deps,
        task_queue=settings.task_queue,
        build_id=build_id(settings),
        max_cached_workflows=settings.worker_cached_workflows,
        activity_slots=settings.worker_activity_slots,
        sandboxed=settings.worker_sandbox,
    )
    # SIGTERM (how Kubernetes and systemd stop a process) shuts the worker down properly, so
    # the server hands its cached workflows' next tasks to another worker at once instead of
    # waiting out the sticky queue's timeout; REGIE_ALIVE_FILE feeds the container's probes.
    stop_on_signals(worker)
    freeze_startup_objects()
    try:
        async with beating(settings.regie_alive_file):
            await worker.run()
    finally:
        await deps.smtp_connections.close()
        await pool.close()


@app.command()
def replay(
    histories: Annotated[
        list[Path] | None,
        typer.Argument(help="history JSON files or folders; without them: the running workflows"),
    ] = None,
    query: Annotated[
        str,
        typer.Option(
            "--query",
            help="which workflows to replay (a Temporal visibility query); default: Regie's"
            " running workflows",
        ),
    ] = "",
    limit: Annotated[int | None, typer.Option("--limit", help="replay at most this many")] = None,
) -> None:
    """Replay workflow histories on this build's code: the gate before a deploy.

    Run it with the new image against the production namespace before rolling out workers;
    it exits 1, naming the workflow ids, if any running incident would not replay.
    """
    from regie.replay import RUNNING, replay_files, replay_running

    if histories:
        files = [f for h in histories for f in (sorted(h.rglob("*.json")) if h.is_dir() else [h])]
        report = asyncio.run(replay_files(files))
    else:
        settings = Settings()

        async def from_cluster() -> "ReplayReport":
            client = await _connect(settings)
            return await replay_running(client, query=query or RUNNING, limit=limit)

        report = asyncio.run(from_cluster())
    for workflow_id, reason in report.failures:
        errors.print(f"[red]does not replay[/red] {workflow_id}: {reason}", highlight=False)
    if not report.ok:
        errors.print(
            f"{len(report.failures)} of {report.replayed} workflow(s) would not replay on this"
            " build. Do not deploy it: put the change behind workflow.patched (README, 'Changing"
            " the workflow') and try again."
        )
        raise typer.Exit(1)
    console.print(f"All {report.replayed} workflow(s) replay on this build.")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option("--email", help="the staff member's e-mail address")],
    label: Annotated[str, typer.Option("--label", help="what the token is for")] = "",
) -> None:
    """Create a personal API token for a staff member; it is shown once."""
    from store import tokens

    async def work(pool: "Pool") -> tuple[str, str] | None:
        async with pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "SELECT id, name FROM staff WHERE lower(email) = lower(%s) AND active",
                (email.strip(),),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            token = await tokens.create_token(conn, staff_id=str(row["id"]), label=label)
            return str(row["name"]), token

    made = asyncio.run(_with_pool(_database_url(Settings()), work))
    if made is None:
        errors.print(
            f"[red]No active staff member has the e-mail {email}.[/red] Check the address, or"
            " add the person with `regie staff import FILE.csv`.",
            highlight=False,
        )
        raise typer.Exit(1)
    name, token = made
    errors.print(
        f"Token for {name} <{email}>. It is shown only this once; keep it somewhere safe."
        f" Revoke it with `regie token revoke {token.partition('.')[0]}`.",
        highlight=False,
    )
    # The token alone on stdout, so `TOKEN=$(regie token create --email ...)` works.
    print(token)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="the token's id (the part before the dot)")],
) -> None:
    """Revoke a personal API token; requests with it are refused from now on."""
    from store import tokens

    ident = token_id.strip().partition(".")[0]

    async def work(pool: "Pool") -> bool:
        async with pool.connection() as conn, conn.transaction():
            return await tokens.revoke(conn, token_id=ident)

    if not asyncio.run(_with_pool(_database_url(Settings()), work)):
        errors.print(
            f"[red]No active token has the id {ident}.[/red] It may be revoked already; the id"
            " is the part of the token before the dot (rgt_...).",
            highlight=False,
        )
        raise typer.Exit(1)
    console.print(f"Revoked {ident}.")


@staff_app.command("import")
def staff_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with a header naam,email,school,rol,taal (or name,email,school,role,"
            "language)",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    board: Annotated[
        str | None,
        typer.Option("--board", help="the board's id; may be left out when there is one board"),
    ] = None,
) -> None:
    """Import staff and their roles; nothing is written unless every row is right."""
    from regie.staff_import import ImportRejected, ImportResult, import_staff

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(f"{phase} rows", total=total)
            bar.update(tasks[phase], completed=done)

        async def work(pool: "Pool") -> ImportResult:
            return await import_staff(pool, file, board_id=board, progress=progress)

        try:
            result = asyncio.run(_with_pool(_database_url(Settings()), work))
        except ImportRejected as rejected:
            bar.stop()
            errors.print(
                f"[red]Nothing was imported.[/red] Fix these {len(rejected.errors)} problem(s)"
                f" in {file} and run the import again:",
                highlight=False,
            )
            for error in rejected.errors:
                where = f"line {error.line}" if error.line else "file"
                errors.print(f"  {where}: {error.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    console.print(
        f"Imported {result.rows} row(s) into board {result.board_id}: {result.staff_created} new"
        f" staff member(s), {result.roles_granted} role(s) granted,"
        f" {result.roles_already_held} already held.",
        highlight=False,
    )
    for kept in result.names_kept:
        console.print(f"  kept the existing name of {kept}", highlight=False)


@audit_app.command("verify")
def audit_verify(
    board: Annotated[
        str | None, typer.Option("--board", help="check this board's chain only")
    ] = None,
) -> None:
    """Walk each board's hash chain and name the first broken link; exit 1 if there is one."""
    from store.audit_chain import Verification, verify

    with Progress(
        TextColumn("checking audit events"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
    ) as bar:
        task = bar.add_task("verify", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        async def work(pool: "Pool") -> Verification:
            return await verify(pool, board_id=board, progress=progress)

        result = asyncio.run(_with_pool(_database_url(Settings()), work))
    if not result.intact:
        for broken in result.broken:
            console.print(f"[red]Broken:[/red] {broken.describe()}", highlight=False)
        errors.print(
            f"[red]The audit log was changed[/red] after it was written: {len(result.broken)}"
            f" of {len(result.boards)} board chain(s) broken. Everything from the named event"
            " on cannot be relied on; restore it from a backup and find out who changed it.",
            highlight=False,
        )
        raise typer.Exit(1)
    console.print(
        f"Intact: {result.events} audit event(s) in {len(result.boards)} board chain(s).",
        highlight=False,
    )


@app.command()
def retention(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list what would be erased, erase nothing")
    ] = False,
) -> None:
    """Erase the personal details of incidents past their board's retention term, now.

    The daily Schedule `retention-daily` does the same at 03:00. Lists incident references
    and counts only, never a name.
    """
    from datetime import UTC, datetime

    from store import retention as store_retention

    settings = Settings()
    _configure_keys(settings)
    now = datetime.now(UTC)

    async def work(pool: "Pool") -> tuple[list[store_retention.Due], int]:
        async with pool.connection() as conn:
            due = await store_retention.due_details(conn, now=now)
            if not dry_run:
                for item in due:
                    await store_retention.erase_incident(conn, incident_id=item.incident_id, at=now)
            orphans = await store_retention.discard_orphan_answers(conn, now=now, dry_run=dry_run)
        return due, orphans

    due, orphans = asyncio.run(_with_pool(_database_url(settings), work))
    for item in due:
        c = item.counts
        console.print(
            f"{item.reference}  closed {item.closed_at:%Y-%m-%d}  persons {c.persons}, answers"
            f" {c.answers}, notes {c.notes}, documents {c.documents}, lessons {c.lessons}",
            highlight=False,
        )
    verb = "would be erased (dry run)" if dry_run else "erased"
    console.print(f"{len(due)} incident(s) {verb}.")
    console.print(f"{orphans} answer(s) never taken by their closed task {verb}.")


@keys_app.command("new")
def keys_new(
    key_id: Annotated[str, typer.Argument(help="the new key's id, e.g. k2")] = "k1",
) -> None:
    """Print a fresh random key as an entry for REGIE_KEYS (or a line of REGIE_KEYS_FILE)."""
    from store import crypto

    entry = f"{key_id}:{crypto.new_key()}"
    try:
        crypto.parse_keys(entry)
    except crypto.KeyConfigError as error:
        errors.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(2) from None
    print(entry)


@keys_app.command("status")
def keys_status() -> None:
    """How many personal values each key encrypts, and which key is active."""
    from store import crypto, rotation

    settings = Settings()
    _configure_keys(settings)
    counts = asyncio.run(_with_pool(_database_url(settings), rotation.keys_in_use))
    active = crypto.keyring().active
    for key_id, count in sorted(counts.items()):
        mark = " (active)" if key_id == active else ""
        console.print(f"{key_id}{mark}: {count} value(s)", highlight=False)
    if not counts:
        console.print("No personal values stored yet.")


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=10_000, help="values per transaction")
    ] = 500,
) -> None:
    """Re-encrypt every personal value with the active key, while Regie keeps running.

    First give every API and worker process both keys, the new one active (REGIE_KEYS=old:...,
    new:... and REGIE_ACTIVE_KEY=new) and restart them; then run this. Each batch is its own
    short transaction; running it again after an interruption finishes the job. When it is
    done, the old key may be removed from REGIE_KEYS.
    """
    from store import crypto, rotation

    settings = Settings()
    _configure_keys(settings)
    keys = crypto.keyring()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
    ) as bar:
        shown: dict[str, TaskID] = {}

        def progress(column: "rotation.Column", done: int, total: int) -> None:
            if column.name not in shown:
                shown[column.name] = bar.add_task(column.name, total=total)
            bar.update(shown[column.name], completed=done, total=total)

        async def work(pool: "Pool") -> dict[str, int]:
            return await rotation.rotate_all(
                pool, keys=keys, batch_size=batch_size, progress=progress
            )

        try:
            rewritten = asyncio.run(_with_pool(_database_url(settings), work))
        except (crypto.KeyConfigError, crypto.DecryptionError) as error:
            bar.stop()
            errors.print(
                f"[red]Rotation stopped:[/red] {error}. What was re-encrypted so far stays so;"
                " fix the keys and run `regie keys rotate` again.",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None
    console.print(
        f"Re-encrypted {sum(rewritten.values())} value(s) with key {keys.active}. Every value"
        " is under it now; other keys may be removed from REGIE_KEYS.",
        highlight=False,
    )


if __name__ == "__main__":
    app()
