"""Mount the pages on the app: routes, static files, sign-in redirects and HTML errors."""

from importlib.resources import files
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web import board_pages, incident_pages, pages, privacy_pages
from api.web.i18n import t
from api.web.session import SignInRequired
from api.web.templating import language, render

JSON_PREFIXES = ("/api/", "/auth/", "/healthz", "/readyz", "/dev/mail.json", "/docs", "/openapi")


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(files("api") / "web" / "static")), name="static")
    app.include_router(pages.router)
    # After pages: its /incidents/new must match before /incidents/{incident_id}.
    app.include_router(incident_pages.router)
    app.include_router(board_pages.router)
    app.include_router(privacy_pages.router)

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def html_errors(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(JSON_PREFIXES) or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return await http_exception_handler(request, exc)
        lang = language(request)
        heading = t("no_access", lang) if exc.status_code in (403, 404) else "Regie"
        return render(
            request,
            "error.html",
            lang=lang,
            status_code=exc.status_code,
            user=None,
            csrf="",
            heading=heading,
            message=str(exc.detail),
        )
