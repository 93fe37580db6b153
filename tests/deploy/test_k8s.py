"""deploy/k8s: renders with `kubectl kustomize`, passes the Kubernetes schemas, and holds together.

kubectl comes from the machine (`make kubectl` installs Debian's when it is missing); the
schemas are the ones the `kubernetes-validate` wheel ships, checked strictly (an unknown field,
such as a misspelt probe, fails).
"""

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_schemas

from api.app import create_app
from api.metrics import metrics
from regie.settings import Settings
from regie.temporal import connect_config
from tests.deploy.entrypoint import DEPLOY, documented_names, resolve
from tests.deploy.variables import load_settings, readme_secrets, settings_names, unread

# The oldest Kubernetes these manifests promise to work on (deploy/README.md), and the newest
# whose schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ["1.29.0", str(kubernetes_schemas.latest_version())]
REGIE_IMAGE = "registry.example.org/regie"

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def rendered() -> list[Doc]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is not installed: run `make kubectl` (Debian's kubernetes-client)")
    result = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "k8s")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def one(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_specs(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield doc, doc["spec"]["template"]["spec"]


def containers(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc, spec in pod_specs(docs):
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            yield doc, container


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_passes_the_schema(rendered, version):
    for doc in rendered:
        kubernetes_schemas.validate(doc, version, strict=True)


def test_the_schema_check_catches_a_misspelt_field(rendered):
    broken = yaml.safe_load(yaml.safe_dump(one(rendered, "Deployment", "regie-api")))
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_schemas.ValidationError):
        kubernetes_schemas.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_has_the_parts_of_a_deployment(rendered):
    kinds = {(d["kind"], d["metadata"]["name"]) for d in rendered}
    assert kinds >= {
        ("Namespace", "regie"),
        ("ConfigMap", "regie-config"),
        ("Deployment", "regie-api"),
        ("Deployment", "regie-worker"),
        ("Job", "regie-migrate"),
        ("Service", "regie-api"),
        ("Ingress", "regie-api"),
        ("PodDisruptionBudget", "regie-api"),
        ("PodDisruptionBudget", "regie-worker"),
        ("HorizontalPodAutoscaler", "regie-worker"),
    }
    assert all(d["metadata"].get("namespace", "regie") == "regie" for d in rendered)


def test_no_secret_values_are_in_the_manifests(rendered):
    assert not [d for d in rendered if d["kind"] == "Secret"]
    data = one(rendered, "ConfigMap", "regie-config")["data"]
    for secret in ("DATABASE_URL", "SMTP_URL", "SECRET_KEY", "REGIE_KEYS"):
        assert secret not in data


def test_every_container_runs_a_regie_subcommand_through_the_entry_point(rendered):
    seen = set()
    for _doc, container in containers(rendered):
        assert container["image"].startswith(REGIE_IMAGE + ":")
        # No `command`: the image's ENTRYPOINT (regie) stays, and args pick the subcommand.
        assert "command" not in container
        seen.add(resolve(container["args"]))
    assert seen == {
        "regie api",
        "regie worker",
        "regie migrate",
        "regie schedules",
        "regie replay",
    }


def test_the_job_replays_then_migrates_then_bootstraps_schedules(rendered):
    spec = one(rendered, "Job", "regie-migrate")["spec"]["template"]["spec"]
    replay, migrate = spec["initContainers"]
    (main,) = spec["containers"]
    # The gate first: a history that does not replay stops the Job before the schema changes.
    args = [c["args"] for c in (replay, migrate, main)]
    assert args == [["replay"], ["migrate"], ["schedules"]]
    # Without arguments `regie replay` replays the running workflows of the namespace in use.
    assert "TEMPORAL_ADDRESS" not in {e["name"] for e in replay.get("env", [])}
    # An empty TEMPORAL_ADDRESS keeps `regie migrate` to the schema alone.
    assert {"name": "TEMPORAL_ADDRESS", "value": ""} in migrate["env"]


def test_pods_run_as_non_root_on_a_read_only_root(rendered):
    for doc, spec in pod_specs(rendered):
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] != 0, doc["metadata"]["name"]
        assert pod["seccompProfile"]["type"] == "RuntimeDefault"
        assert spec["automountServiceAccountToken"] is False
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, "REGIE_HOME and the alive file need /tmp"
            assert container["resources"]["requests"]["memory"]
            assert container["resources"]["limits"]["memory"]


def test_deployments_have_probes_that_exist(rendered):
    routes = set(create_app().openapi()["paths"])
    for name in ("regie-api", "regie-worker"):
        spec = one(rendered, "Deployment", name)["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            action = container[probe]
            if "httpGet" in action:
                assert action["httpGet"]["path"] in routes, (name, probe)
                ports = {p["name"] for p in container["ports"]}
                assert action["httpGet"]["port"] in ports
            else:
                python, flag, module, *rest = action["exec"]["command"]
                assert (python, flag) == ("python", "-m")
                assert importlib.util.find_spec(module) is not None, module
                from regie.liveness import main

                # The probe's own arguments parse; with no alive file it reports "not alive".
                assert main([*rest, "--file", "/nonexistent/alive"]) == 1
                env = {e["name"]: e.get("value") for e in container["env"]}
                assert env["REGIE_ALIVE_FILE"].startswith("/tmp/")


def test_every_reference_points_at_something_rendered_or_a_named_secret(rendered):
    config_maps = {d["metadata"]["name"] for d in rendered if d["kind"] == "ConfigMap"}
    secret_keys: dict[str, set[str]] = {}
    for _doc, spec in pod_specs(rendered):
        assert spec["serviceAccountName"] in {
            d["metadata"]["name"] for d in rendered if d["kind"] == "ServiceAccount"
        }
        for volume in spec["volumes"]:
            if "secret" in volume:
                secret_keys.setdefault(volume["secret"]["secretName"], set())
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps
                else:
                    secret_keys.setdefault(source["secretRef"]["name"], set())
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    secret_keys.setdefault(ref["name"], set()).add(ref["key"])
    # The Secrets an operator creates: each is named in deploy/README.md with its keys.
    readme = (DEPLOY / "README.md").read_text()
    for name, keys in secret_keys.items():
        assert f"`{name}`" in readme, f"deploy/README.md does not say how to make {name}"
        for key in keys:
            assert f"{key}=" in readme, f"deploy/README.md does not show {name}'s {key}"


def test_service_ingress_budgets_and_autoscaler_select_the_right_pods(rendered):
    def labels(name: str) -> dict[str, str]:
        return dict(one(rendered, "Deployment", name)["spec"]["template"]["metadata"]["labels"])

    def selects(selector: dict[str, str], name: str) -> bool:
        return selector.items() <= labels(name).items()

    service = one(rendered, "Service", "regie-api")
    assert selects(service["spec"]["selector"], "regie-api")
    assert not selects(service["spec"]["selector"], "regie-worker")
    (port,) = service["spec"]["ports"]
    api = one(rendered, "Deployment", "regie-api")["spec"]["template"]["spec"]["containers"][0]
    assert port["targetPort"] in {p["name"] for p in api["ports"]}
    backend = one(rendered, "Ingress", "regie-api")["spec"]["rules"][0]["http"]["paths"][0]
    assert backend["backend"]["service"]["name"] == "regie-api"
    assert backend["backend"]["service"]["port"]["name"] == port["name"]
    for name in ("regie-api", "regie-worker"):
        budget = one(rendered, "PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"]
        assert selects(budget, name)
    target = one(rendered, "HorizontalPodAutoscaler", "regie-worker")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "regie-worker")
    worker = one(rendered, "Deployment", "regie-worker")["spec"]
    assert "replicas" not in worker, "the HPA owns the worker count"


def test_the_prepare_stage_holds_all_the_job_needs(rendered):
    """`kubectl apply -k deploy/k8s -l regie/stage=prepare` must be enough to run the Job."""
    prepare = {
        (d["kind"], d["metadata"]["name"])
        for d in rendered
        if d["metadata"].get("labels", {}).get("regie/stage") == "prepare"
    }
    assert ("Job", "regie-migrate") in prepare
    assert ("Namespace", "regie") in prepare
    spec = one(rendered, "Job", "regie-migrate")["spec"]["template"]["spec"]
    assert ("ServiceAccount", spec["serviceAccountName"]) in prepare
    for container in [*spec["initContainers"], *spec["containers"]]:
        for source in container["envFrom"]:
            if "configMapRef" in source:
                assert ("ConfigMap", source["configMapRef"]["name"]) in prepare
    assert not {kind for kind, _ in prepare} & {"Deployment", "HorizontalPodAutoscaler"}


def test_every_setting_is_documented(rendered):
    """deploy/README.md's table names every setting Regie reads and every variable set here."""
    names = {field.upper() for field in Settings.model_fields}
    names |= set(one(rendered, "ConfigMap", "regie-config")["data"])
    for _doc, container in containers(rendered):
        names |= {var["name"] for var in container.get("env", [])}
    missing = names - documented_names()
    assert not missing, f"add these to the table in deploy/README.md, 'Configure': {missing}"


def container_env(docs: list[Doc], container: Doc) -> dict[str, str | None]:
    """The variables a container gets: its ConfigMaps, then its own `env` (which wins).

    A value from a Secret is None: its content is the operator's.
    """
    env: dict[str, str | None] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(one(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    for var in container.get("env", []):
        env[var["name"]] = var.get("value")
    return env


def secret_mounts(spec: Doc, container: Doc) -> dict[str, str]:
    """Mount path -> Secret name, for the Secret volumes this container mounts."""
    secrets = {v["name"]: v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
    return {
        m["mountPath"]: secrets[m["name"]]
        for m in container.get("volumeMounts", [])
        if m["name"] in secrets
    }


def test_every_variable_set_is_one_regie_reads(rendered):
    names = set(one(rendered, "ConfigMap", "regie-config")["data"])
    for _doc, container in containers(rendered):
        names |= {var["name"] for var in container.get("env", [])}
    secrets = readme_secrets()
    for _doc, container in containers(rendered):
        for source in container.get("envFrom", []):
            if "secretRef" in source:
                names |= secrets[source["secretRef"]["name"]]
    assert not unread(names), f"nothing in Regie reads {unread(names)}"
    assert unread({"REGIE_KEY_FILE"}) == {"REGIE_KEY_FILE"}, "the check must catch a typo"


def test_secrets_are_made_with_the_keys_the_pods_use(rendered):
    """deploy/README.md's `kubectl create secret` commands make what the manifests read."""
    made = readme_secrets()
    for doc, spec in pod_specs(rendered):
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            where = f"{doc['metadata']['name']}/{container['name']}"
            env = container_env(rendered, container)
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in made.get(ref["name"], set()), (where, ref)
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    # Each key becomes a variable: it must be a setting (not e.g. a file name).
                    keys = made[source["secretRef"]["name"]]
                    assert keys and keys <= settings_names(), (where, keys)
            for path, secret in secret_mounts(spec, container).items():
                assert made.get(secret), f"{where} mounts {secret}, which the README never makes"
                if secret == "regie-keys":
                    (key,) = made[secret]
                    assert env["REGIE_KEYS_FILE"] == f"{path}/{key}", where


def test_the_worker_serves_metrics_where_prometheus_looks(rendered):
    worker_doc = one(rendered, "Deployment", "regie-worker")["spec"]["template"]
    (worker,) = worker_doc["spec"]["containers"]
    address = container_env(rendered, worker).get("WORKER_METRICS_ADDRESS")
    assert address is not None, "set WORKER_METRICS_ADDRESS on the worker, next to its port"
    host, port = address.rsplit(":", 1)
    assert host == "0.0.0.0", "127.0.0.1 would hide the metrics from Prometheus"
    ports = {p["name"]: p["containerPort"] for p in worker["ports"]}
    assert ports["metrics"] == int(port)
    annotations = worker_doc["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == port
    assert annotations["prometheus.io/path"] == "/metrics"
    service = one(rendered, "Service", "regie-worker-metrics")["spec"]
    assert service["clusterIP"] == "None", "one target per worker, not one balanced address"
    assert service["selector"].items() <= worker_doc["metadata"]["labels"].items()
    assert [p["targetPort"] for p in service["ports"]] == ["metrics"]
    policy = one(rendered, "NetworkPolicy", "regie-worker")["spec"]
    assert [p["port"] for rule in policy["ingress"] for p in rule["ports"]] == ["metrics"]


def test_the_api_metrics_are_scraped_from_a_route_that_exists(rendered):
    api_doc = one(rendered, "Deployment", "regie-api")["spec"]["template"]
    (api,) = api_doc["spec"]["containers"]
    annotations = api_doc["metadata"]["annotations"]
    # /metrics is left out of the OpenAPI schema: ask the app where its endpoint is served.
    assert annotations["prometheus.io/path"] == create_app().url_path_for(metrics.__name__)
    ports = {p["name"]: p["containerPort"] for p in api["ports"]}
    assert int(annotations["prometheus.io/port"]) == ports["http"]
    assert int(container_env(rendered, api)["REGIE_API_PORT"] or 0) == ports["http"]
    # The token is optional (the Secret key may be absent), and never a plain value.
    (token,) = [var for var in api["env"] if var["name"] == "METRICS_TOKEN"]
    assert token["valueFrom"]["secretKeyRef"]["optional"] is True
    policy = one(rendered, "NetworkPolicy", "regie-api")["spec"]
    assert {p["port"] for rule in policy["ingress"] for p in rule["ports"]} == {"http"}


def test_logs_are_json_everywhere(rendered):
    for doc, container in containers(rendered):
        assert container_env(rendered, container).get("LOG_FORMAT") == "json", doc["metadata"]


def test_every_container_reads_valid_settings(rendered, monkeypatch):
    """The ConfigMap and env pass Settings and the Temporal connection check, as at start."""
    placeholders = {
        "DATABASE_URL": "postgresql://regie:x@db:5432/regie",
        "SMTP_URL": "smtp://relay:25",
        "SECRET_KEY": "x" * 32,
        "METRICS_TOKEN": "y" * 32,
    }
    for doc, container in containers(rendered):
        env = {
            name: value if value is not None else placeholders[name]
            for name, value in container_env(rendered, container).items()
        }
        settings = load_settings(monkeypatch, env)
        if settings.temporal_address:
            connect_config(settings)  # raises TemporalSettingsError with what to fix
        elif container["args"] != ["migrate"]:
            pytest.fail(f"{doc['metadata']['name']}/{container['name']} has no TEMPORAL_ADDRESS")


@pytest.fixture(scope="module")
def with_mtls(tmp_path_factory) -> list[Doc]:
    """deploy/k8s with components/temporal-mtls, as an operator's overlay would use it."""
    overlay = tmp_path_factory.mktemp("overlay")
    base = os.path.relpath(DEPLOY / "k8s", overlay)  # kustomize refuses absolute paths
    (overlay / "kustomization.yaml").write_text(
        yaml.safe_dump({"resources": [base], "components": [f"{base}/components/temporal-mtls"]})
    )
    kubectl = shutil.which("kubectl")
    assert kubectl is not None
    result = subprocess.run(
        [kubectl, "kustomize", str(overlay)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_the_mtls_component_points_at_the_mounted_secret(rendered, with_mtls):
    tls_paths = {
        "TEMPORAL_TLS_CLIENT_CERT_PATH",
        "TEMPORAL_TLS_CLIENT_KEY_PATH",
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
    }
    # Without the component no path is set: a pod without the Secret must still start.
    assert not tls_paths & set(one(rendered, "ConfigMap", "regie-config")["data"])
    config = one(with_mtls, "ConfigMap", "regie-config")["data"]
    assert tls_paths <= set(config)
    made = readme_secrets()
    connecting = 0
    for doc, spec in pod_specs(with_mtls):
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            env = container_env(with_mtls, container)
            if not env.get("TEMPORAL_ADDRESS"):
                continue  # `regie migrate` with the schema alone never connects
            connecting += 1
            mounts = secret_mounts(spec, container)
            for name in tls_paths:
                folder, key = env[name].rsplit("/", 1)  # type: ignore[union-attr]
                where = f"{doc['metadata']['name']}/{container['name']}: {name}"
                assert mounts.get(folder) == "regie-temporal-tls", where
                assert key in made["regie-temporal-tls"], where
    assert connecting == 4, "api, worker, replay and schedules all talk to Temporal"
    for version in KUBERNETES_VERSIONS[-1:]:
        for doc in with_mtls:
            kubernetes_schemas.validate(doc, version, strict=True)
