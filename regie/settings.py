"""Settings from the environment. Unset servers mean: start the embedded one (`regie dev`)."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str | None = Field(default=None, description="PostgreSQL URL")
    temporal_address: str | None = Field(default=None, description="host:port of Temporal")
    temporal_namespace: str = "default"
    # How to reach a Temporal cluster with TLS or Temporal Cloud. The names are Temporal's own
    # (temporalio.envconfig), so the `temporal` CLI and Regie read the same variables; see
    # regie/temporal.py for how they combine. *_PATH names a PEM file, *_DATA holds the PEM.
    temporal_api_key: SecretStr | None = None
    temporal_tls: bool | None = Field(default=None, description="true/false; unset: automatic")
    temporal_tls_server_ca_cert_path: Path | None = None
    temporal_tls_server_ca_cert_data: str | None = None
    temporal_tls_client_cert_path: Path | None = None
    temporal_tls_client_cert_data: str | None = None
    temporal_tls_client_key_path: Path | None = None
    temporal_tls_client_key_data: SecretStr | None = None
    temporal_tls_server_name: str | None = None
    temporal_config_file: Path | None = Field(default=None, description="a temporal.toml")
    temporal_profile: str | None = Field(default=None, description="its profile to use")
    # The worker's build id; the image sets it at build time (see regie/worker.py).
    regie_build_id: str | None = None
    task_queue: str = "regie"
    smtp_url: str | None = Field(default=None, description="smtp://user:pass@host:port")
    mail_from: str = "Regie <regie@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = Field(default="dev-only-secret-change-me", min_length=16)
    regie_home: Path = Path(".regie")
