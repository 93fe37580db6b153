"""The `regie` command: run the parts of Regie as a deployment does."""

import asyncio

import typer
from rich.console import Console

from regie.settings import Settings

app = typer.Typer(help="Regie: incident response for school boards.", no_args_is_help=True)
console = Console()


def _require(value: str | None, name: str) -> str:
    if not value:
        console.print(f"[red]{name} is not set.[/red] Set it in the environment, e.g. {name}=...")
        raise typer.Exit(2)
    return value


@app.command()
def migrate() -> None:
    """Apply the database migrations (safe to run twice)."""
    from store.migrate import apply_migrations

    settings = Settings()
    applied = apply_migrations(_require(settings.database_url, "DATABASE_URL"))
    console.print(f"Applied {len(applied)} migration(s).")


@app.command()
def worker() -> None:
    """Run a Temporal worker for incidents (needs DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL)."""
    asyncio.run(_run_worker(Settings()))


async def _run_worker(settings: Settings) -> None:
    from activities.deps import Deps
    from notifications.smtp import SmtpSettings
    from regie.temporal import connect
    from regie.worker import build_worker
    from store.db import open_pool

    pool = await open_pool(_require(settings.database_url, "DATABASE_URL"))
    client = await connect(
        _require(settings.temporal_address, "TEMPORAL_ADDRESS"),
        namespace=settings.temporal_namespace,
    )
    smtp = SmtpSettings.from_url(_require(settings.smtp_url, "SMTP_URL"), sender=settings.mail_from)
    deps = Deps(pool=pool, smtp=smtp, base_url=settings.base_url, secret_key=settings.secret_key)
    console.print(f"Worker on task queue '{settings.task_queue}' at {settings.temporal_address}")
    try:
        await build_worker(client, deps, task_queue=settings.task_queue).run()
    finally:
        await pool.close()
