"""The image: one entry point for every part, a non-root user, and every package copied in."""

import re
import tomllib

import pytest

from regie.settings import Settings
from tests.deploy.entrypoint import (
    ROOT,
    UsageError,
    dockerfile_entrypoint,
    dockerfile_text,
    resolve,
)


def test_the_entry_point_is_the_regie_command():
    assert dockerfile_entrypoint() == ["regie"]


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["api"], "regie api"),
        (["worker"], "regie worker"),
        (["migrate"], "regie migrate"),
        (["schedules"], "regie schedules"),
        (["keys", "rotate", "--batch-size", "100"], "regie keys rotate"),
    ],
)
def test_the_parts_are_regie_subcommands(args, command):
    assert resolve(args) == command


@pytest.mark.parametrize(
    "args", [["wroker"], ["keys"], ["retention", "--dry-runn"], ["api", "extra"], []]
)
def test_a_wrong_command_is_refused(args):
    with pytest.raises(UsageError):
        resolve(args)


def test_runs_as_a_fixed_non_root_user():
    users = re.findall(r"^USER\s+(\S+)", dockerfile_text(), flags=re.MULTILINE)
    assert users, "the image must not run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "a numeric user lets runAsNonRoot verify it"


def test_builds_on_python_3_11_slim_in_stages():
    text = dockerfile_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, flags=re.MULTILINE)
    assert len(re.findall(r"^FROM ", text, flags=re.MULTILINE)) >= 2


def test_copies_every_package_the_project_installs():
    """A new top-level package in pyproject.toml must be copied into the image too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+)/ \1/$", dockerfile_text(), flags=re.MULTILINE))
    assert copied == packages
    readme = project["project"]["readme"]
    assert re.search(rf"^COPY pyproject\.toml {re.escape(readme)} \./$", dockerfile_text(), re.M)


def test_listens_on_all_interfaces_in_a_container():
    text = dockerfile_text()
    assert "REGIE_HOST=0.0.0.0" in text
    port = re.search(r"REGIE_API_PORT=(\d+)", text)
    assert port and re.search(rf"^EXPOSE {port.group(1)}$", text, flags=re.MULTILINE)


def test_the_build_id_is_set_at_build_time_in_the_last_stage():
    """REGIE_BUILD_ID: an ARG of the final stage (an ARG before FROM would not reach ENV)."""
    last_stage = dockerfile_text().rsplit("\nFROM ", 1)[1]
    assert re.search(r"^ARG REGIE_BUILD_ID\b", last_stage, flags=re.MULTILINE)
    assert re.search(r"REGIE_BUILD_ID=\$\{?REGIE_BUILD_ID\}?", last_stage)
    assert re.search(r"LOG_FORMAT=json", last_stage)


def test_exposes_the_worker_metrics_port():
    default = Settings.model_fields["worker_metrics_address"].default
    port = default.rsplit(":", 1)[1]
    assert re.search(rf"^EXPOSE {port}$", dockerfile_text(), flags=re.MULTILINE)
