"""Security headers on every response, and whether a request came in over TLS.

The pages use no inline script or style, so the policy can forbid both: an injected `<script>`
does not run even if escaping ever failed. Only the OpenAPI pages (/docs, /redoc) load FastAPI's
Swagger UI and ReDoc from their CDN with an inline start-up script, so they get a policy of their
own. HSTS is sent only when the request came over TLS (directly or via a proxy that says so in
X-Forwarded-Proto): sent over plain http to 127.0.0.1 it would be ignored at best and pin a
development host to https at worst.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net;"
    " style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net;"
    " img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly;"
    " worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def scope_is_tls(scope: Scope) -> bool:
    """https itself, or a TLS-terminating proxy's X-Forwarded-Proto: https.

    Trusting the header from anyone is safe here: it only adds HSTS and the cookie's Secure
    flag, which a client claiming https can only impose on itself.
    """
    if scope.get("scheme") in ("https", "wss"):
        return True
    forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def is_tls(connection: HTTPConnection) -> bool:
    return scope_is_tls(connection.scope)


def security_headers(path: str, *, tls: bool) -> dict[str, str]:
    docs = path.startswith(DOCS_PATHS)
    headers = {
        "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY
        if docs
        else CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # For browsers older than CSP's frame-ancestors.
        "X-Frame-Options": "DENY",
    }
    if tls:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware), so streamed and error responses get the headers too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(str(scope.get("path", "")), tls=scope_is_tls(scope))
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
                # Pages and API answers hold personal data: no copy in a shared computer's
                # cache or behind the back button. The stylesheet may be cached.
                if not static and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
