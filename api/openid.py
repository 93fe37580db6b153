"""Single sign-on with OpenID Connect: the provider's client, the sign-in's own short cookie and
the checked e-mail address. One provider per deployment, from the OIDC_* settings.

authlib does the protocol: discovery, the authorization URL with state, nonce and a PKCE
challenge (S256), the code exchange, and the ID token's signature against the provider's
published keys. Its Starlette integration would keep state, nonce and verifier in
`request.session`, which needs SessionMiddleware and a second, long-lived cookie beside Regie's
own session; here they travel in a cookie of their own instead: signed with the secret key,
sent to /login/oidc only, and good for ten minutes.

authlib talks to the provider through httpx2 (its preferred HTTP client; with plain httpx it
warns on every start). Nothing here logs or stores an e-mail address or a token.
"""

import hmac
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError

from regie.settings import Settings

log = logging.getLogger(__name__)

FLOW_COOKIE = "regie_oidc"
FLOW_PATH = "/login/oidc"
CALLBACK_PATH = "/login/oidc/callback"
FLOW_TTL = timedelta(minutes=10)
# Clocks of Regie and the provider may differ this much when checking exp and iat.
CLOCK_LEEWAY_SECONDS = 120
# Each call to the provider (discovery, keys, token, userinfo) may take this long.
PROVIDER_TIMEOUT_SECONDS = 10


class Refusal(Enum):
    """Why the callback signs nobody in; each has a page telling the person what to do."""

    flow_lost = "flow_lost"  # no, expired or forged cookie, or the state does not match it
    provider_said_no = "provider_said_no"  # the provider answered with error=...
    not_confirmed = "not_confirmed"  # the code exchange or the ID token failed a check
    unavailable = "unavailable"  # the provider could not be reached, or is misconfigured
    no_verified_email = "no_verified_email"  # no e-mail claim, or one marked unverified
    unknown_person = "unknown_person"  # no active staff member with a role has this address


class SignInRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class Flow:
    """What the start of a sign-in leaves in the browser for its callback."""

    state: str
    nonce: str
    verifier: str
    next_path: str


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="regie.oidc-flow")


def seal_flow(settings: Settings, flow: Flow) -> str:
    return _serializer(settings).dumps(asdict(flow))


def open_flow(settings: Settings, cookie: str | None, *, returned_state: str | None) -> Flow:
    """The flow this browser started, if the provider's state is the one it was given."""
    if not cookie or not returned_state:
        raise SignInRefused(Refusal.flow_lost)
    try:
        data = _serializer(settings).loads(cookie, max_age=int(FLOW_TTL.total_seconds()))
        flow = Flow(**data)
    except (BadSignature, TypeError):
        raise SignInRefused(Refusal.flow_lost) from None
    if not hmac.compare_digest(flow.state.encode(), returned_state.encode()):
        raise SignInRefused(Refusal.flow_lost)
    return flow


def safe_next(path: str | None) -> str:
    """A path on this site to land on after signing in; anything else lands on 'my tasks'."""
    # Capped: the path rides in the flow cookie, and browsers drop cookies over 4 KB.
    if not path or len(path) > 1000 or not path.startswith("/") or path.startswith(("//", "/\\")):
        return "/"
    return path


class Provider:
    """The deployment's OpenID provider, discovered once and then reused."""

    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret
        self.issuer = settings.oidc_issuer
        self.client_id = settings.oidc_client_id
        self._app: StarletteOAuth2App = OAuth().register(
            name="regie",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=self.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "timeout": PROVIDER_TIMEOUT_SECONDS,
                # authlib opens a client per call; one TLS context (the system's trust store,
                # so a board's own CA works) saves loading the certificates each time.
                "verify": httpx2.create_ssl_context(),
            },
        )

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata: dict[str, Any] = await self._app.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as exc:
            log.warning("OpenID discovery failed: %s", type(exc).__name__)
            raise SignInRefused(Refusal.unavailable) from None
        # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was asked
        # for. Entra ID's shared "common" endpoint does not: configure the tenant's own issuer.
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer.rstrip("/"):
            log.error(
                "OIDC_ISSUER is %s but its discovery document names issuer %s; set OIDC_ISSUER"
                " to the issuer the document names (for Entra ID: the tenant's own)",
                self.issuer,
                metadata.get("issuer"),
            )
            raise SignInRefused(Refusal.unavailable)
        return metadata

    async def start(self, *, redirect_uri: str, next_path: str) -> tuple[str, Flow]:
        """The provider's authorization URL and the flow to keep until the callback."""
        await self._metadata()
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        made = await self._app.create_authorization_url(
            redirect_uri, state=state, nonce=nonce, code_verifier=verifier
        )
        return str(made["url"]), Flow(state, nonce, verifier, safe_next(next_path))

    async def confirmed_email(
        self, flow: Flow, *, redirect_uri: str, code: str | None, returned_issuer: str | None
    ) -> str:
        """The e-mail address the provider vouches for in this sign-in.

        Checked: the code is exchanged with this flow's PKCE verifier; the ID token's signature
        (the provider's keys), iss, aud, exp/iat and nonce; the e-mail's `email_verified` when
        the provider sends it. The address comes from the ID token, or else from the userinfo
        endpoint for the same subject (providers may keep scope claims there).
        """
        metadata = await self._metadata()
        issuer = str(metadata["issuer"])
        # RFC 9207: a provider that names itself in the response must be the one asked.
        if returned_issuer is not None and returned_issuer != issuer:
            raise SignInRefused(Refusal.not_confirmed)
        if not code:
            raise SignInRefused(Refusal.not_confirmed)
        try:
            token = await self._app.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=flow.verifier
            )
            if "id_token" not in token:
                raise SignInRefused(Refusal.not_confirmed)
            claims: dict[str, Any] = await self._app.parse_id_token(
                token,
                nonce=flow.nonce,
                claims_options={
                    "iss": {"essential": True, "value": issuer},
                    "aud": {"essential": True, "value": self.client_id},
                    "sub": {"essential": True},
                    "exp": {"essential": True},
                    "iat": {"essential": True},
                    "nonce": {"essential": True, "value": flow.nonce},
                },
                leeway=CLOCK_LEEWAY_SECONDS,
            )
            if not claims.get("email") and metadata.get("userinfo_endpoint"):
                info: dict[str, Any] = await self._app.userinfo(token=token)
                # OpenID Connect Core 5.3.2: the answer counts only for the ID token's subject.
                if info.get("sub") != claims["sub"]:
                    raise SignInRefused(Refusal.not_confirmed)
                claims = info
        except (OAuthError, JoseError) as exc:
            # The class says what failed (e.g. InvalidClaimError, BadSignatureError); the
            # message could carry a claim's value, so it stays out of the log.
            log.warning("OpenID sign-in not confirmed: %s", type(exc).__name__)
            raise SignInRefused(Refusal.not_confirmed) from None
        except (httpx2.HTTPError, ValueError) as exc:
            # Not reached, or an answer that is not the JSON it must be (ValueError).
            log.warning("OpenID provider unreachable: %s", type(exc).__name__)
            raise SignInRefused(Refusal.unavailable) from None
        return _verified_email(claims)


def _verified_email(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused(Refusal.no_verified_email)
    # Google and SURFconext send email_verified; Entra ID does not (an address in the board's
    # own tenant is the tenant's to vouch for). Sent and not true: refused.
    verified = claims.get("email_verified", True)
    if verified is not True and str(verified).lower() != "true":
        raise SignInRefused(Refusal.no_verified_email)
    return email.strip()
