"""The variables the deploy files set, checked against what Regie (and uvicorn) really read.

A variable set in a manifest that nothing reads is a setting silently lost (a typo, or a name
a refactor changed); so every name must be a field of Settings or one of the few variables read
elsewhere, and those are looked up in the code that reads them.
"""

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import uvicorn.config

from regie.settings import Settings
from tests.deploy.entrypoint import DEPLOY, ROOT

# Read outside Settings: name -> the file that reads it (os.environ / env.get).
EXTERNAL: dict[str, Path] = {
    "REGIE_KEYS": ROOT / "store" / "crypto.py",
    "REGIE_KEYS_FILE": ROOT / "store" / "crypto.py",
    "REGIE_ACTIVE_KEY": ROOT / "store" / "crypto.py",
    "REGIE_HOST": ROOT / "regie" / "cli.py",
    "REGIE_API_PORT": ROOT / "regie" / "cli.py",
    "FORWARDED_ALLOW_IPS": Path(uvicorn.config.__file__),
}


def settings_names() -> set[str]:
    return {field.upper() for field in Settings.model_fields}


def unread(names: set[str]) -> set[str]:
    """The names that neither Settings nor the reader named in EXTERNAL reads."""
    return {
        name
        for name in names - settings_names()
        if name not in EXTERNAL or f'"{name}"' not in EXTERNAL[name].read_text()
    }


def readme_secrets() -> dict[str, set[str]]:
    """The Secrets deploy/README.md tells the operator to make, with their keys.

    Read from its `kubectl ... create secret generic NAME --from-literal=KEY=... --from-file=
    [KEY=]PATH` commands, as kubectl would name the keys.
    """
    text = (DEPLOY / "README.md").read_text().replace("\\\n", " ")
    secrets: dict[str, set[str]] = {}
    for line in text.splitlines():
        if "create secret generic" not in line:
            continue
        words = shlex.split(line[line.index("kubectl") :].split("&&")[0], comments=True)
        name = words[words.index("generic") + 1]
        keys = secrets.setdefault(name, set())
        for word in words:
            if word.startswith("--from-literal="):
                keys.add(word.removeprefix("--from-literal=").split("=", 1)[0])
            elif word.startswith("--from-file="):
                source = word.removeprefix("--from-file=")
                keys.add(source.split("=", 1)[0] if "=" in source else Path(source).name)
    return secrets


def load_settings(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> Settings:
    """Settings as a process with exactly `env` (of Regie's variables) would read them."""
    for name in settings_names() | set(EXTERNAL):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def compose_interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """`value` (parsed YAML) with ${NAME}, ${NAME:-default} and ${NAME:?error} filled in from
    `env`, as Compose does after parsing: `KEY: ${UNSET:-}` is "", not null."""

    def fill(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        found = env.get(name, "")
        if op == ":-" and not found:
            return arg
        if op == ":?" and not found:
            raise AssertionError(f"{name} is required: {arg}")
        return found

    if isinstance(value, dict):
        return {key: compose_interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [compose_interpolate(item, env) for item in value]
    if isinstance(value, str):
        text = re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", fill, value.replace("$$", "\0"))
        return text.replace("\0", "$")
    return value


def env_file(path: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {name.strip(): value for name, value in pairs}
