"""Personal data encrypted at rest: AES-256-GCM with named keys, one value at a time.

A value is stored as `enc:v1:<key id>:<base64url of nonce + ciphertext + tag>` in the column's
own text (or as `{"enc": "<that>"}` in a jsonb column), so a database dump or backup holds no
readable name, free text or letter. Each value has a fresh 96-bit random nonce; the associated
data is the table and column, so a value copied into another column fails to decrypt instead of
showing up where it does not belong.

The key id stored with every value lets several keys be configured at once: new values use the
active key, old ones decrypt with the key they name. That is what makes rotation work without
downtime (`regie keys rotate`, store/rotation.py). A value without the `enc:` prefix is
plaintext written before encryption existed and is read as it is.

Keys come from the environment, so the database never holds them:

- `REGIE_KEYS=k1:<base64 of 32 bytes>,k2:<...>` and `REGIE_ACTIVE_KEY=k2` (default: the last key
  listed), or
- `REGIE_KEYS_FILE=/path` with one `<id>:<base64>` per line (`#` comments allowed), with
  `REGIE_ACTIVE_KEY` or an `active=<id>` line choosing the active key.
"""

import base64
import binascii
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
KEY_BYTES = 32  # AES-256
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

HOW_TO_CONFIGURE = (
    "set REGIE_KEYS=k1:<base64 of 32 random bytes> and REGIE_ACTIVE_KEY=k1, or"
    " REGIE_KEYS_FILE=/path/to/keys (lines of <id>:<base64>); `regie keys new k1` prints a fresh"
    " key. `regie dev` makes and keeps one in REGIE_HOME by itself."
)


class KeyConfigError(RuntimeError):
    """No key, a malformed key, or a value under a key this process does not have."""


class DecryptionError(RuntimeError):
    """A value that does not decrypt: the wrong key, altered, or moved from another column."""


@dataclass(frozen=True)
class Keyring:
    keys: Mapping[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyConfigError(
                f"the active key {self.active!r} is not among the configured keys"
                f" ({', '.join(sorted(self.keys)) or 'none'}); {HOW_TO_CONFIGURE}"
            )
        for key_id, key in self.keys.items():
            if not _KEY_ID.match(key_id):
                raise KeyConfigError(
                    f"key id {key_id!r} may hold only letters, digits, - and _ (at most 32)"
                )
            if len(key) != KEY_BYTES:
                raise KeyConfigError(
                    f"key {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}"
                    " (base64 of 32 random bytes, e.g. from `regie keys new`)"
                )

    # --- text columns -----------------------------------------------------------------------

    def encrypt(self, plaintext: str, *, table: str, column: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = _aesgcm(self.keys[self.active]).encrypt(
            nonce, plaintext.encode(), _associated(table, column)
        )
        encoded = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}{self.active}:{encoded}"

    def decrypt(self, stored: str, *, table: str, column: str) -> str:
        if not is_encrypted(stored):
            return stored  # written before encryption; rotation encrypts it
        key_id, _sep, encoded = stored[len(PREFIX) :].partition(":")
        key = self.keys.get(key_id)
        if key is None:
            raise KeyConfigError(
                f"{table}.{column} holds a value encrypted with key {key_id!r}, which this"
                f" process does not have (it has {', '.join(sorted(self.keys))}). Add that key"
                " to REGIE_KEYS (or REGIE_KEYS_FILE) until `regie keys rotate` has moved every"
                " value to the active key."
            )
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as error:
            raise DecryptionError(f"{table}.{column} holds a damaged encrypted value") from error
        from cryptography.exceptions import InvalidTag

        try:
            plain = _aesgcm(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(table, column)
            )
        except InvalidTag:
            raise DecryptionError(
                f"cannot decrypt a value of {table}.{column} with key {key_id!r}: that key is not"
                " the one the value was written with (check REGIE_KEYS), or the value was altered"
                " or copied from another column"
            ) from None
        return plain.decode()

    def key_of(self, stored: str) -> str | None:
        """The key id a stored value names; None for plaintext."""
        if not is_encrypted(stored):
            return None
        return stored[len(PREFIX) :].partition(":")[0]

    # --- jsonb columns ----------------------------------------------------------------------

    def encrypt_json(self, value: Any, *, table: str, column: str) -> dict[str, str]:
        return {"enc": self.encrypt(json.dumps(value), table=table, column=column)}

    def decrypt_json(self, stored: Any, *, table: str, column: str) -> Any:
        if isinstance(stored, dict) and set(stored) == {"enc"} and is_encrypted(stored["enc"]):
            return json.loads(self.decrypt(stored["enc"], table=table, column=column))
        return stored  # plaintext JSON from before encryption


def _aesgcm(key: bytes) -> "AESGCM":
    # Imported on first use, not with the module: tests import the store next to workflow
    # code, and Temporal's workflow sandbox cannot re-import cryptography's native extension.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def is_encrypted(stored: object) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def _associated(table: str, column: str) -> bytes:
    return f"regie:{table}.{column}".encode()


def new_key() -> str:
    """A fresh key, base64 as REGIE_KEYS wants it."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def parse_keys(text: str, *, active: str | None = None) -> Keyring:
    """`id:base64` entries separated by commas or lines; `active=<id>` picks the active key.

    Without an explicit active key the last one listed is active, so adding a key at the end
    and restarting is the first step of a rotation.
    """
    keys: dict[str, bytes] = {}
    chosen: str | None = None
    for raw in re.split(r"[,\n]", text):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        if entry.startswith("active="):
            chosen = entry.removeprefix("active=").strip()
            continue
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id:
            raise KeyConfigError(f"a key must look like <id>:<base64>, not {entry[:12]!r}…")
        try:
            keys[key_id] = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise KeyConfigError(f"key {key_id!r} is not valid base64") from None
    if not keys:
        raise KeyConfigError(f"no encryption key is configured: {HOW_TO_CONFIGURE}")
    return Keyring(keys=keys, active=active or chosen or list(keys)[-1])


def from_environment(
    environ: Mapping[str, str] | None = None, *, fallback_file: Path | None = None
) -> Keyring:
    """REGIE_KEYS, else REGIE_KEYS_FILE, else `fallback_file` (a `regie dev` home's key file)."""
    env = os.environ if environ is None else environ
    active = env.get("REGIE_ACTIVE_KEY", "").strip() or None
    inline = env.get("REGIE_KEYS", "").strip()
    if inline:
        return parse_keys(inline, active=active)
    named = env.get("REGIE_KEYS_FILE", "").strip()
    path = Path(named).expanduser() if named else fallback_file
    if path is not None:
        try:
            text = path.read_text()
        except OSError as error:
            if named:
                raise KeyConfigError(
                    f"REGIE_KEYS_FILE={named} cannot be read ({error.strerror})"
                ) from error
        else:
            return parse_keys(text, active=active)
    raise KeyConfigError(f"no encryption key is configured: {HOW_TO_CONFIGURE}")


def ensure_key_file(path: Path) -> Path:
    """Make a key file with one fresh key if there is none (`regie dev`); readable by us only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(
                "# Regie's development encryption key; losing it loses the data it encrypts.\n"
                f"dev1:{new_key()}\n"
            )
    return path


# --- the process's keyring ------------------------------------------------------------------
# The store's functions encrypt and decrypt without their callers passing keys, so the keyring
# is per process: configured once at start (`regie api`, `worker`, `dev`, the tests) or, if
# nobody did, read from the environment on first use.

_keyring: Keyring | None = None


def configure(keyring: Keyring | None) -> None:
    """Use this keyring from now on; None reads the environment again on next use."""
    global _keyring
    _keyring = keyring


def keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = from_environment()
    return _keyring


def seal(plaintext: str, *, table: str, column: str) -> str:
    return keyring().encrypt(plaintext, table=table, column=column)


def unseal(stored: str, *, table: str, column: str) -> str:
    return keyring().decrypt(stored, table=table, column=column)


def seal_json(value: Any, *, table: str, column: str) -> dict[str, str]:
    return keyring().encrypt_json(value, table=table, column=column)


def unseal_json(stored: Any, *, table: str, column: str) -> Any:
    return keyring().decrypt_json(stored, table=table, column=column)
