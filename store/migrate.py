"""Schema migrations with yoyo-migrations; safe to run on every start."""

from importlib.resources import files

from yoyo import get_backend, read_migrations


def _yoyo_url(database_url: str) -> str:
    scheme, _sep, rest = database_url.partition("://")
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return database_url


def apply_migrations(database_url: str) -> list[str]:
    """Apply every pending migration; returns the ids applied now."""
    backend = get_backend(_yoyo_url(database_url))
    migrations = read_migrations(str(files("store") / "migrations"))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]
