"""`api.storable_text`: which bodies and targets hold text no database column can hold."""

import json

from api.storable_text import body_has_unstorable_text, target_has_nul


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def test_json_with_a_nul_or_half_a_surrogate_pair_anywhere() -> None:
    for bad in ("\x00", "\ud800", "\udfff", "a\udc00b"):
        for document in (
            {"text": bad},
            {bad: "key"},
            {"answers": [{"persons": [{"name": f"x{bad}"}]}]},
        ):
            assert body_has_unstorable_text(_json(document), json_body=True), document


def test_json_that_only_looks_like_it() -> None:
    documents: tuple[dict[str, object], ...] = (
        {"text": "\\u0000 is how JSON writes a NUL"},  # a backslash, then text
        {"text": "camera \U0001f4f7, escaped as a whole surrogate pair"},
        {"text": "plain Dutch: één leerling"},
        {"n": 0, "flag": None, "list": []},
    )
    for document in documents:
        assert not body_has_unstorable_text(_json(document), json_body=True), document


def test_deeply_nested_json_is_walked_without_recursion() -> None:
    deep = "[" * 5000 + '"\\u0000"' + "]" * 5000
    # Too deep for json.loads itself: left to the route, which refuses it as it would.
    assert not body_has_unstorable_text(deep.encode(), json_body=True)
    nested: object = "\x00"
    for _ in range(500):
        nested = [nested]
    assert body_has_unstorable_text(_json(nested), json_body=True)


def test_a_form_or_a_target_with_an_encoded_nul() -> None:
    assert body_has_unstorable_text(b"csrf=x&summary=a%00b", json_body=False)
    assert not body_has_unstorable_text(b"csrf=x&summary=a%20b", json_body=False)
    assert target_has_nul("/api/tasks/\x00", b"")
    assert target_has_nul("/api/incidents", b"school_id=x%00")
    assert not target_has_nul("/api/incidents", b"school_id=x%20y")
