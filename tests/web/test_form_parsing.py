"""Whatever a browser (or anyone) posts to a task page, reading the form ends in an answer the
form's model accepts or refuses with a ValidationError, and in a bounded number of rows.

Schemathesis does not see the pages; these properties cover the forms of every task kind and
of the yearly review, with the row numbers and text a hand-made POST can carry.
"""

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from api.web.forms import SPARE_ROWS, Choices, FieldSpec, fields_of, parse, row_count
from domain.policy import REVIEW_FORMS
from domain.steps import TASK_KINDS

FORMS: list[type[BaseModel]] = [kind.form for kind in TASK_KINDS.values()]
FORMS += list(REVIEW_FORMS.values())
CHOICES = Choices(schools=[("school-2", "De Linde")], staff=[("staff-1", "Anna de Vries")])

# What a posted value can hold: any text a form can encode (never half a surrogate pair).
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
ROW_NUMBERS = st.one_of(
    st.integers(0, 3).map(str),
    st.integers(0, 10**12).map(str),
    st.sampled_from(["²", "٣", "-1", "", "01", "1e3", " 1", "9" * 5000]),
)


def _keys(specs: list[FieldSpec]) -> st.SearchStrategy[str]:
    names = [spec.name for spec in specs]
    rows = [spec for spec in specs if spec.kind == "rows"]
    row_keys = [
        st.builds(
            lambda number, sub, spec=spec: f"{spec.name}.{number}.{sub}",
            ROW_NUMBERS,
            st.sampled_from([s.name for s in spec.sub] + ["x"]),
        )
        for spec in rows
    ]
    return st.one_of(st.sampled_from(names), TEXT, *row_keys)


def _form(specs: list[FieldSpec]) -> st.SearchStrategy[dict[str, list[str]]]:
    return st.dictionaries(_keys(specs), st.lists(TEXT, min_size=1, max_size=3), max_size=12)


@pytest.mark.parametrize("model", FORMS, ids=lambda model: model.__name__)
def test_any_posted_form_reads_as_an_answer_the_model_judges(model: type[BaseModel]) -> None:
    specs = fields_of(model, "nl", CHOICES)
    rows = [spec for spec in specs if spec.kind == "rows"]

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_form(specs))
    def check(form: dict[str, list[str]]) -> None:
        answer: dict[str, Any] = parse(specs, form)
        # Refused with field errors the page shows, or taken: nothing else may come of it.
        with contextlib.suppress(ValidationError):
            model.model_validate(answer)
        for spec in rows:
            assert row_count(spec, form) <= spec.max_rows + SPARE_ROWS

    check()


def test_each_list_on_a_form_takes_its_models_maximum() -> None:
    maxima = {
        (model.__name__, spec.name): spec.max_rows
        for model in FORMS
        for spec in fields_of(model, "nl", CHOICES)
        if spec.kind == "rows"
    }
    assert maxima[("AssessAnswer", "persons")] == 100
    assert maxima[("InformAnswer", "letters")] == 4
    assert all(0 < n <= 100 for n in maxima.values()), maxima
