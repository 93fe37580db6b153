"""deploy/k8s: renders with `kubectl kustomize`, passes the Kubernetes schemas, and holds together.

kubectl comes from the machine (`make kubectl` installs Debian's when it is missing); the
schemas are the ones the `kubernetes-validate` wheel ships, checked strictly (an unknown field,
such as a misspelt probe, fails).
"""

import importlib.util
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_schemas

from api.app import create_app
from regie.settings import Settings
from tests.deploy.entrypoint import DEPLOY, documented_names, resolve

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
    assert seen == {"regie api", "regie worker", "regie migrate", "regie schedules"}


def test_the_migration_job_migrates_before_it_bootstraps_schedules(rendered):
    spec = one(rendered, "Job", "regie-migrate")["spec"]["template"]["spec"]
    (init,) = spec["initContainers"]
    (main,) = spec["containers"]
    assert (init["args"], main["args"]) == (["migrate"], ["schedules"])
    # An empty TEMPORAL_ADDRESS keeps `regie migrate` to the schema alone.
    assert {"name": "TEMPORAL_ADDRESS", "value": ""} in init["env"]


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
