"""Schema migrations with yoyo-migrations; safe to run on every start."""

from importlib.resources import files

from psycopg import conninfo
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


def as_url(dsn: str) -> str:
    """yoyo wants a URL; make one from a libpq connection string or URI."""
    params = conninfo.conninfo_to_dict(dsn)
    user = str(params.pop("user", "postgres"))
    password = str(params.pop("password", "") or "")
    host = str(params.pop("host", "") or "")
    port = str(params.pop("port", "") or "")
    dbname = str(params.pop("dbname", ""))
    auth = f"{user}:{password}@" if password else f"{user}@"
    if host.startswith("/"):
        query = "&".join([f"host={host}", *(f"{k}={v}" for k, v in params.items())])
        return f"postgresql://{auth}/{dbname}?{query}"
    netloc = f"{host}:{port}" if port else host
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"postgresql://{auth}{netloc}/{dbname}" + (f"?{query}" if query else "")
