"""Credentials stored as hashes: tokens, sign-in links and sessions share one scheme.

A credential is `<id>.<secret>`: the id finds the row, the secret is checked against its
SHA-256 hash in constant time. The secrets are 256 random bits, so a fast hash is enough (a
slow password hash such as argon2 protects low-entropy passwords; Regie has none) and a
request pays microseconds, not tens of milliseconds.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    id: str
    secret: str

    def __str__(self) -> str:
        return f"{self.id}.{self.secret}"


def new_credential(prefix: str) -> Credential:
    return Credential(id=f"{prefix}_{secrets.token_hex(8)}", secret=secrets.token_urlsafe(32))


def parse(value: str) -> Credential | None:
    ident, sep, secret = value.strip().partition(".")
    if not sep or not ident or not secret or len(value) > 200:
        return None
    return Credential(id=ident, secret=secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
