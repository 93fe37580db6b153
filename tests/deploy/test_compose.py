"""deploy/compose.yaml parses, runs only real `regie` subcommands, and starts in a sound order.

There is no Docker engine (nor `docker compose`) on the test machines, so the file is read with
PyYAML, as Compose reads it, and checked for what Compose itself would not catch either.
"""

import importlib.util
import re
from typing import Any

import pytest
import yaml

from api.app import create_app
from regie.settings import Settings
from regie.temporal import connect_config
from tests.deploy.entrypoint import DEPLOY, dockerfile_text, documented_names, resolve
from tests.deploy.variables import compose_interpolate, env_file, load_settings, unread

REGIE_PARTS = {"migrate", "schedules", "api", "worker"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def regie_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services built from deploy/Dockerfile."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def test_has_the_production_shape_on_one_host(compose):
    services = set(compose["services"])
    assert services >= REGIE_PARTS | {"db", "temporal", "temporal-db", "temporal-ui", "mailpit"}
    assert set(regie_services(compose)) == REGIE_PARTS


def test_every_regie_service_runs_a_regie_subcommand(compose):
    commands = {resolve(service["command"]) for service in regie_services(compose).values()}
    assert commands == {f"regie {part}" for part in REGIE_PARTS}
    for service in regie_services(compose).values():
        assert "entrypoint" not in service, "the image's entry point must stay `regie`"


def test_migrate_comes_first_and_the_rest_wait_for_it(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["environment"]["TEMPORAL_ADDRESS"] == "", "the schema alone, no Temporal"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("api", "worker", "schedules"):
        needs = services[name]["depends_on"]
        assert needs["migrate"] == {"condition": "service_completed_successfully"}, name
        assert needs["temporal-namespace"] == {"condition": "service_completed_successfully"}
    assert services["temporal"]["depends_on"]["temporal-schema"] == {
        "condition": "service_completed_successfully"
    }


def test_references_point_at_defined_things(compose):
    services = compose["services"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on unknown {needed}"
        for secret in service.get("secrets", []):
            source = secret["source"] if isinstance(secret, dict) else secret
            assert source in compose["secrets"], f"{name} uses unknown secret {source}"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith("."):
                assert source in compose["volumes"], f"{name} uses unknown volume {source}"
            else:
                assert (DEPLOY / source).exists(), f"{name} mounts missing {source}"


def test_healthchecks_use_what_the_image_has(compose):
    services = compose["services"]
    worker_check = services["worker"]["healthcheck"]["test"]
    assert worker_check[:3] == ["CMD", "python", "-m"]
    assert importlib.util.find_spec(worker_check[3]) is not None
    assert "REGIE_ALIVE_FILE" in services["worker"]["environment"]
    api_check = " ".join(services["api"]["healthcheck"]["test"])
    paths = re.findall(r"http://127\.0\.0\.1:8000(/\w+)", api_check)
    assert paths and set(paths) <= set(create_app().openapi()["paths"])


def test_the_containers_are_locked_down(compose):
    for name, service in regie_services(compose).items():
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "/tmp" in service["tmpfs"], name
        env = service["environment"]
        assert env["REGIE_KEYS_FILE"].startswith("/run/secrets/"), name
        assert "REGIE_KEYS" not in env, "keys come from the secret file, never inline"
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_no_secret_is_committed():
    secrets = {p.name for p in (DEPLOY / "secrets").iterdir()}
    assert secrets <= {"README.txt", ".gitignore"}, secrets
    text = (DEPLOY / "compose.yaml").read_text()
    assert re.search(r"SECRET_KEY: \$\{SECRET_KEY:\?", text), "SECRET_KEY must be required"
    assert not re.search(r"[A-Za-z0-9+/]{43}=", text), "something looks like a committed key"


def test_every_variable_is_documented(compose):
    names = set()
    for service in regie_services(compose).values():
        names |= set(service["environment"])
    names |= set(re.findall(r"\$\{(\w+)", (DEPLOY / "compose.yaml").read_text()))
    missing = names - documented_names()
    assert not missing, f"add these to deploy/README.md, 'Configure': {missing}"


def test_temporal_namespace_retention_matches_the_helm_values(compose):
    """One retention, chosen once (deploy/README.md, 'Temporal'): 30 days in both places."""
    script = " ".join(compose["services"]["temporal-namespace"]["command"])
    assert "--retention 720h" in script and "-n regie" in script
    values = yaml.safe_load((DEPLOY / "helm" / "temporal-values.yaml").read_text())
    config = values["server"]["config"]
    assert config["namespaces"]["create"] is True
    assert {"name": "regie", "retention": "30d"} in config["namespaces"]["namespace"]
    for store in ("default", "visibility"):
        sql = config["persistence"]["datastores"][store]["sql"]
        assert sql["pluginName"] == sql["driverName"] == "postgres12", store
        assert "password" not in sql and sql["existingSecret"], "no password in the values"


def filled_in() -> dict[str, Any]:
    """compose.yaml with deploy/env.example as its .env, as `docker compose config` fills it."""
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    filled: dict[str, Any] = compose_interpolate(loaded, env_file(DEPLOY / "env.example"))
    return filled


def test_every_variable_set_is_one_regie_reads(compose):
    names = set()
    for service in regie_services(compose).values():
        names |= set(service["environment"])
    assert not unread(names), f"nothing in Regie reads {unread(names)}"
    # And everything deploy/.env may hold goes somewhere: a Regie setting or a Compose value.
    used = set(re.findall(r"\$\{(\w+)", (DEPLOY / "compose.yaml").read_text()))
    assert set(env_file(DEPLOY / "env.example")) <= used


def test_every_regie_service_reads_valid_settings(monkeypatch):
    """With env.example filled in, each part starts: Settings and Temporal settings pass."""
    for name, service in regie_services(filled_in()).items():
        env = {key: str(value) for key, value in service["environment"].items()}
        settings = load_settings(monkeypatch, env)
        assert settings.log_format == "json", name
        assert not settings.oidc_enabled, "single sign-on stays off until OIDC_* are filled in"
        if settings.temporal_address:
            connect_config(settings)


def test_single_sign_on_turns_on_from_deploy_env(monkeypatch):
    dotenv = env_file(DEPLOY / "env.example") | {
        "OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
        "OIDC_CLIENT_ID": "regie",
        "OIDC_CLIENT_SECRET": "s3cret",
    }
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    api = compose_interpolate(loaded, dotenv)["services"]["api"]
    settings = load_settings(monkeypatch, {k: str(v) for k, v in api["environment"].items()})
    assert settings.oidc_enabled and "openid" in settings.oidc_scopes.split()


def test_the_worker_metrics_are_published_on_loopback_at_their_port(compose):
    worker = compose["services"]["worker"]
    _host, port = worker["environment"]["WORKER_METRICS_ADDRESS"].rsplit(":", 1)
    assert f"127.0.0.1:{port}:{port}" in worker["ports"]
    assert Settings.model_fields["worker_metrics_address"].default.endswith(f":{port}")
    # Only the worker serves worker metrics: no other service may publish that port.
    for name, service in compose["services"].items():
        if name != "worker":
            assert not [p for p in service.get("ports", []) if str(p).endswith(f":{port}")]


def test_the_build_passes_the_build_id_the_dockerfile_takes(compose):
    args = compose["x-regie"]["build"]["args"]
    assert set(args) <= set(re.findall(r"^ARG (\w+)", dockerfile_text(), flags=re.MULTILINE))
    assert "REGIE_BUILD_ID" in args
