"""Settings from the environment. Unset servers mean: start the embedded one (`regie dev`)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str | None = Field(default=None, description="PostgreSQL URL")
    temporal_address: str | None = Field(default=None, description="host:port of Temporal")
    temporal_namespace: str = "default"
    task_queue: str = "regie"
    smtp_url: str | None = Field(default=None, description="smtp://user:pass@host:port")
    mail_from: str = "Regie <regie@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = Field(default="dev-only-secret-change-me", min_length=16)
    regie_home: Path = Path(".regie")
    # A worker touches this file while it runs; `python -m regie.liveness` probes it.
    regie_alive_file: Path | None = None
