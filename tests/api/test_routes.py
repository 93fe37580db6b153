"""Every route is reached by its own paths, whatever the order the routers are included in.

api/app.py puts the API's routers before the pages' and the busiest first, because routes are
matched in order. That is only safe while no path of one route is also matched by a route
earlier in the list; this holds them to it.
"""

import re
from functools import cache

import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match

from api.app import create_app

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


@cache
def _app() -> FastAPI:
    return create_app(runtime=object())  # type: ignore[arg-type]  # routes only, no requests


def _flat(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes of included routers too (FastAPI keeps an included router as one entry)."""
    flat: list[BaseRoute] = []
    for route in routes:
        inner = getattr(route, "effective_candidates", None)
        flat.extend(_flat(inner()) if inner is not None else [route])
    return flat


def _served(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route a request can reach."""
    served: list[tuple[str, str]] = []
    for route in _flat(app.router.routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path and methods:
            served.extend((method, path) for method in sorted(methods) if method != "HEAD")
    return served


def _first_match(routes: list[BaseRoute], method: str, path: str) -> str | None:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", ""))
    return None


def test_the_routes_are_found_in_the_app() -> None:
    served = _served(_app())
    assert ("GET", "/api/incidents") in served and ("GET", "/incidents/new") in served
    assert len(served) > 40


@pytest.mark.parametrize(("method", "template"), _served(_app()))
def test_a_route_is_the_first_to_match_its_own_paths(method: str, template: str) -> None:
    app = _app()
    # A value no literal path segment uses ("new" is a page of its own: /incidents/new).
    path = _PARAM.sub("x-7f3a", template)
    assert _first_match(_flat(app.router.routes), method, path) == template
