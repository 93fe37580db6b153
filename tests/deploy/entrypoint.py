"""What the image's entry point accepts: a container's arguments resolved against `regie`.

The image runs `regie <args>` (deploy/Dockerfile, ENTRYPOINT ["regie"]), so a container's
command is right exactly when typer's command tree can resolve and parse it as a `regie`
subcommand. Parsing only: nothing is run.
"""

import re
from pathlib import Path
from typing import Any

import typer
import typer.core

from regie.cli import app

# Typer carries its own copy of click and exports only some of its classes; UsageError (a bad
# command, option or argument) is the base of the exported BadParameter.
UsageError: type[Exception] = next(
    cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError"
)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def resolve(args: list[str]) -> str:
    """The full name of the `regie` subcommand `args` runs; UsageError if there is none."""
    command: Any = typer.main.get_command(app)
    context = typer.Context(command, info_name="regie")
    rest = list(args)
    names = ["regie"]
    while isinstance(command, typer.core.TyperGroup):
        if not rest:
            raise UsageError(f"`{' '.join(names)}` needs a subcommand")
        name, found, rest = command.resolve_command(context, rest)
        if found is None or name is None:
            raise UsageError(f"no such command {rest[:1]}")
        names.append(name)
        context = typer.Context(found, info_name=name, parent=context)
        command = found
    # Parses options and arguments as the real run would, without invoking the command.
    command.make_context(names[-1], rest, parent=context.parent)
    return " ".join(names)


def dockerfile_entrypoint() -> list[str]:
    """The exec-form ENTRYPOINT of deploy/Dockerfile's last stage."""
    import json

    entrypoints = re.findall(r"^ENTRYPOINT\s+(\[.*\])\s*$", _dockerfile(), flags=re.MULTILINE)
    assert entrypoints, "deploy/Dockerfile has no exec-form ENTRYPOINT"
    value: Any = json.loads(entrypoints[-1])
    return [str(part) for part in value]


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def dockerfile_text() -> str:
    return _dockerfile()


def documented_names() -> set[str]:
    """Every `NAME` in back-quotes in deploy/README.md that looks like an environment variable."""
    text = (DEPLOY / "README.md").read_text()
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", text))
