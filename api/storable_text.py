"""Text PostgreSQL cannot store, found before a route passes it to the database.

A text column holds no NUL character, and UTF-8 has no code for half of a surrogate pair;
either would reach PostgreSQL (or psycopg's encoder) and fail there with a 500. JSON can carry
both as \\u escapes, a path or a query string a NUL as %00, and a form a NUL as %00.
Percent-decoding never yields a lone surrogate (an invalid byte becomes U+FFFD), so only JSON
needs that check.
"""

import json
import re
from typing import Any, Final

UNSTORABLE: Final = (
    "the request contains a NUL character (\\u0000) or half of a surrogate pair, which no text "
    "can hold; remove it and send the request again"
)

# The \u escapes that could decode to either: looked for first, so that only a body that has
# one is parsed here (JSON spells the escape with a lowercase u; the hex digits in any case).
_SUSPECT_ESCAPE: Final = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def target_has_nul(path: str, query_string: bytes) -> bool:
    """A NUL in the decoded path, or encoded in the raw query string."""
    return "\x00" in path or b"%00" in query_string or b"\x00" in query_string


def body_has_unstorable_text(body: bytes, *, json_body: bool) -> bool:
    if not json_body:
        # A form (the pages post application/x-www-form-urlencoded): a NUL only as %00.
        return b"%00" in body or b"\x00" in body
    if not _SUSPECT_ESCAPE.search(body):
        return False
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON: the route's own parsing answers that
    return _holds_unstorable(document)


def _holds_unstorable(document: Any) -> bool:
    # A stack, not recursion: a fuzzer's JSON can nest deeper than Python's call stack.
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not _storable(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
