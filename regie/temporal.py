"""Connecting to Temporal: one settings path for every part of Regie, one data converter.

The api, the worker, `regie migrate|schedules` and `regie dev` all connect through `connect()`.
The settings use Temporal's own variable names and are combined by `temporalio.envconfig`,
exactly as the `temporal` CLI combines them:

- TEMPORAL_ADDRESS (host:port) and TEMPORAL_NAMESPACE;
- TEMPORAL_TLS_SERVER_CA_CERT_PATH / _DATA: the CA that signed the server's certificate (unset:
  the system's CAs), TEMPORAL_TLS_SERVER_NAME: the name to check it against (unset: the host of
  TEMPORAL_ADDRESS);
- TEMPORAL_TLS_CLIENT_CERT_PATH / _DATA and TEMPORAL_TLS_CLIENT_KEY_PATH / _DATA: the client
  certificate and key for mTLS (a self-hosted cluster, or Temporal Cloud with certificates);
- TEMPORAL_API_KEY: a Temporal Cloud API key (turns TLS on with the system's CAs);
- TEMPORAL_TLS=true|false: TLS without any of the above, or off despite them;
- TEMPORAL_CONFIG_FILE (+ TEMPORAL_PROFILE): a temporal.toml whose profile supplies any of the
  above; the variables win over the file. Unlike the CLI, Regie reads no file unless it is
  named, so a server runs on what it is given and nothing from a home folder.

*_PATH names a PEM file (a mounted Secret), *_DATA holds the PEM itself. The commands still
require TEMPORAL_ADDRESS itself: unset, it means "`regie dev` starts its own Temporal".
"""

from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfigProfile, ClientConfigTLS, ClientConnectConfig
from temporalio.runtime import Runtime
from temporalio.service import RPCError, TLSConfig

from regie.settings import Settings


class TemporalSettingsError(ValueError):
    """The Temporal settings are incomplete or contradict each other; says what to set."""


class TemporalUnavailable(RuntimeError):
    """Temporal did not answer or refused us; says which settings to check."""


# (setting name, TOML key) per certificate part, for messages that name what to fix.
_CA = ("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "tls.server_ca_cert")
_CERT = ("TEMPORAL_TLS_CLIENT_CERT_PATH", "tls.client_cert")
_KEY = ("TEMPORAL_TLS_CLIENT_KEY_PATH", "tls.client_key")


def _environment(settings: Settings) -> dict[str, str]:
    """The settings as the variables envconfig reads; only those actually set."""
    env: dict[str, str] = {}

    def put(name: str, value: object) -> None:
        if value is not None and value != "":
            env[name] = str(value)

    put("TEMPORAL_ADDRESS", settings.temporal_address)
    # The namespace has a default; let a config file's namespace stand unless one was set.
    if "temporal_namespace" in settings.model_fields_set or settings.temporal_config_file is None:
        put("TEMPORAL_NAMESPACE", settings.temporal_namespace)
    if settings.temporal_api_key is not None:
        put("TEMPORAL_API_KEY", settings.temporal_api_key.get_secret_value())
    if settings.temporal_tls is not None:
        put("TEMPORAL_TLS", "true" if settings.temporal_tls else "false")
    put("TEMPORAL_TLS_SERVER_CA_CERT_PATH", settings.temporal_tls_server_ca_cert_path)
    put("TEMPORAL_TLS_SERVER_CA_CERT_DATA", settings.temporal_tls_server_ca_cert_data)
    put("TEMPORAL_TLS_CLIENT_CERT_PATH", settings.temporal_tls_client_cert_path)
    put("TEMPORAL_TLS_CLIENT_CERT_DATA", settings.temporal_tls_client_cert_data)
    put("TEMPORAL_TLS_CLIENT_KEY_PATH", settings.temporal_tls_client_key_path)
    key_data = settings.temporal_tls_client_key_data
    if key_data is not None:
        put("TEMPORAL_TLS_CLIENT_KEY_DATA", key_data.get_secret_value())
    put("TEMPORAL_TLS_SERVER_NAME", settings.temporal_tls_server_name)
    return env


def _check_tls(tls: ClientConfigTLS) -> None:
    if tls.disabled:
        return
    for source, (setting, key) in (
        (tls.server_root_ca_cert, _CA),
        (tls.client_cert, _CERT),
        (tls.client_private_key, _KEY),
    ):
        if isinstance(source, Path) and not source.is_file():
            raise TemporalSettingsError(
                f"{setting}={source}: there is no such file. Put the PEM file there (e.g. mount"
                f" the Secret), correct the path, or give the PEM itself in"
                f" {setting.removesuffix('_PATH')}_DATA (in a config file: {key}.path/.data)."
            )
    if tls.client_private_key is not None and tls.client_cert is None:
        raise TemporalSettingsError(
            "A client key is set (TEMPORAL_TLS_CLIENT_KEY_PATH/_DATA) but no client certificate:"
            " set TEMPORAL_TLS_CLIENT_CERT_PATH (or _DATA) to the certificate that goes with it."
        )
    if tls.client_cert is not None and tls.client_private_key is None:
        raise TemporalSettingsError(
            "A client certificate is set (TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA) but no key: set"
            " TEMPORAL_TLS_CLIENT_KEY_PATH (or _DATA) to its private key."
        )


def connect_config(settings: Settings) -> ClientConnectConfig:
    """The arguments for `Client.connect` the settings describe, checked before any network use."""
    if settings.temporal_profile and settings.temporal_config_file is None:
        raise TemporalSettingsError(
            f"TEMPORAL_PROFILE={settings.temporal_profile} names a profile, but no file holds it:"
            " set TEMPORAL_CONFIG_FILE to the temporal.toml, or unset TEMPORAL_PROFILE."
        )
    if settings.temporal_config_file is not None and not settings.temporal_config_file.is_file():
        raise TemporalSettingsError(
            f"TEMPORAL_CONFIG_FILE={settings.temporal_config_file}: there is no such file."
            " Correct the path or unset TEMPORAL_CONFIG_FILE."
        )
    try:
        profile = ClientConfigProfile.load(
            profile=settings.temporal_profile,
            config_source=settings.temporal_config_file,
            disable_file=settings.temporal_config_file is None,
            override_env_vars=_environment(settings),
        )
    except RuntimeError as error:  # envconfig's ConfigError: both _PATH and _DATA, bad TOML
        raise TemporalSettingsError(
            f"The Temporal settings do not fit together: {error}. Set each certificate either"
            " as a file (_PATH) or as PEM (_DATA), not both."
        ) from error
    if profile.tls is not None:
        _check_tls(profile.tls)
    config = profile.to_client_connect_config()
    if not config.get("target_host"):
        raise TemporalSettingsError(
            "TEMPORAL_ADDRESS is not set: set it to the Temporal frontend's host:port, e.g."
            " temporal-frontend:7233 or <namespace>.<account>.tmprl.cloud:7233."
        )
    config.setdefault("namespace", settings.temporal_namespace)
    return config


def _client_certificate_set(config: ClientConnectConfig) -> bool:
    tls = config.get("tls", False)
    return isinstance(tls, TLSConfig) and tls.client_cert is not None


def _advice(config: ClientConnectConfig, detail: str) -> str:
    """What to check, from the settings in use and the error text of the gRPC stack.

    A server that demands a client certificate closes the connection right after the TLS 1.3
    handshake; whether the client then reads its alert or only a closed connection is a race,
    so the advice goes by the settings rather than by the alert alone.
    """
    address = config.get("target_host", "")
    text = detail.lower().replace(" ", "")
    if any(word in text for word in ("connectionrefused", "tcpconnecterror", "dnserror")):
        return (
            f"Nothing answers at TEMPORAL_ADDRESS={address}: check the host and port of the"
            " Temporal frontend and that it is reachable from here."
        )
    if config.get("tls", False) is False:
        return (
            f"Check TEMPORAL_ADDRESS={address} (host and port of the Temporal frontend). If that"
            " server expects TLS, set TEMPORAL_TLS=true, and for mTLS"
            " TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH."
        )
    if any(word in text for word in ("invalidcertificate", "unknownissuer", "notvalidforname")):
        return (
            "The server's certificate was not accepted: check TEMPORAL_TLS_SERVER_CA_CERT_PATH"
            " (the CA that signed it) and TEMPORAL_TLS_SERVER_NAME (a name in that certificate;"
            f" unset, the host of TEMPORAL_ADDRESS={address} is used)."
        )
    if not _client_certificate_set(config):
        return (
            "The server closed the connection during or right after the TLS handshake; it"
            " likely requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH"
            " and TEMPORAL_TLS_CLIENT_KEY_PATH (or _DATA), or TEMPORAL_API_KEY for Temporal"
            f" Cloud. If it does not, check that TEMPORAL_ADDRESS={address} is its TLS port."
        )
    return (
        "The server refused the TLS handshake or closed the connection: check that"
        " TEMPORAL_TLS_CLIENT_CERT_PATH holds a current certificate signed by a CA the server"
        " trusts and TEMPORAL_TLS_CLIENT_KEY_PATH its key; then TEMPORAL_TLS_SERVER_NAME, and"
        f" that TEMPORAL_ADDRESS={address} is the TLS port of the frontend."
    )


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """A client with Regie's pydantic data converter, connected as the settings say.

    `runtime`: the worker's, which serves its metrics (regie/telemetry.py); else the SDK's.
    Raises TemporalSettingsError before connecting when the settings are wrong, and
    TemporalUnavailable when the server cannot be reached or refuses the TLS handshake.
    """
    config = connect_config(settings)
    try:
        return await Client.connect(
            **config, data_converter=pydantic_data_converter, runtime=runtime
        )
    except (RuntimeError, RPCError) as error:  # the core's connect error, or the first call's
        detail = str(error)
        raise TemporalUnavailable(
            f"Cannot connect to Temporal at {config.get('target_host')}"
            f" (namespace {config.get('namespace')}): {detail}. {_advice(config, detail)}"
        ) from error


def for_local_server(settings: Settings, address: str) -> Settings:
    """The settings for a Temporal dev server started here: plain gRPC at `address`.

    `regie dev` starts one when TEMPORAL_ADDRESS is unset; TLS settings meant for a cluster
    must not be tried against it.
    """
    return settings.model_copy(
        update={
            "temporal_address": address,
            "temporal_tls": False,
            "temporal_api_key": None,
            "temporal_tls_server_ca_cert_path": None,
            "temporal_tls_server_ca_cert_data": None,
            "temporal_tls_client_cert_path": None,
            "temporal_tls_client_cert_data": None,
            "temporal_tls_client_key_path": None,
            "temporal_tls_client_key_data": None,
            "temporal_tls_server_name": None,
            "temporal_config_file": None,
            "temporal_profile": None,
        }
    )
