"""Settings from the environment. Unset servers mean: start the embedded one (`regie dev`)."""

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Running workflows a worker keeps in memory, about 0.3 MB each (bench/: 1,000 cached
# incidents took the worker from 98 to 376 MB); the others replay from history on demand.
DEFAULT_CACHED_WORKFLOWS = 250
# Activities a worker runs at once. They wait on PostgreSQL and SMTP, not the CPU, so many
# can: when the slots are full, the rest wait in the server's task queue, which does not hand
# them out in order; some waited 40 s while most took 3 (bench/: answer to e-mail p95 17 s
# at 100 slots, 7 s at 400). Inside the worker they wait for a database connection in turn.
DEFAULT_ACTIVITY_SLOTS = 400


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

    # Single sign-on with OpenID Connect beside the e-mail links: one provider per deployment
    # (the board's Entra ID tenant, Google Workspace or SURFconext). Off while unset.
    oidc_issuer: str | None = Field(
        default=None, description="issuer URL; its /.well-known/openid-configuration is read"
    )
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_display_name: str | None = Field(
        default=None,
        description="the provider on the button: 'Microsoft' shows 'Inloggen met Microsoft'",
    )
    oidc_scopes: str = "openid email profile"

    @field_validator(
        "oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_display_name", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # An empty variable (a ConfigMap key left blank) means unset, not an issuer named "".
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @model_validator(mode="after")
    def _oidc_complete(self) -> Self:
        given = [self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret]
        if any(v is not None for v in given) and not all(v is not None for v in given):
            raise ValueError(
                "single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"
                " together; set all three, or none to sign in by e-mail link only"
            )
        if self.oidc_issuer is not None and "openid" not in self.oidc_scopes.split():
            raise ValueError("OIDC_SCOPES must include 'openid' (and 'email')")
        return self

    # Observability (regie/logs.py, regie/telemetry.py, api/metrics.py).
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one object per line; text: for people (regie dev)"
    )
    log_level: str = "INFO"
    worker_cached_workflows: int = Field(
        default=DEFAULT_CACHED_WORKFLOWS,
        ge=1,
        description="running workflows a worker keeps in memory; the rest replay on demand",
    )
    worker_activity_slots: int = Field(
        default=DEFAULT_ACTIVITY_SLOTS,
        ge=1,
        description="activities a worker runs at once (they wait on PostgreSQL and SMTP)",
    )
    worker_sandbox: bool = Field(
        default=False,
        description=(
            "true: run workflow code in Temporal's sandbox, which checks each activation at "
            "run time and costs about a quarter of the worker's CPU; the tests always use it"
        ),
    )
    worker_metrics_address: str | None = Field(
        default="0.0.0.0:9464",
        description="host:port where `regie worker` serves /metrics; empty turns it off",
    )
    metrics_token: str | None = Field(
        default=None, description="when set, the api's /metrics needs `Bearer <token>`"
    )
    # A worker touches this file while it runs; `python -m regie.liveness` probes it.
    regie_alive_file: Path | None = None
