"""No input makes a 500: generated JSON, and valid examples mutated at random, posted at the API."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES

EXAMPLE_PAYLOADS = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(EXAMPLES).glob("*.json"))]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "0", "-1", "1e400", "2024-02-30", "III/a", "sangat_baik", "\x00", "NaN"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated_examples(draw: st.DrawFn) -> Any:
    payload = copy.deepcopy(draw(st.sampled_from(EXAMPLE_PAYLOADS)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(payload)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return payload


def _check(client: FlaskClient, auth: dict[str, str], route: str, body: Any) -> None:
    response = client.post(route, data=json.dumps(body), headers={**auth, "Content-Type": "application/json"})
    assert response.status_code in (200, 400, 422), (response.status_code, response.get_data())
    if response.status_code != 200:
        assert response.mimetype == "application/problem+json"
        problem = response.json
        assert problem is not None
        if response.status_code == 422:
            assert problem["errors"], problem
            for error in problem["errors"]:
                assert isinstance(error["field"], str)
                assert isinstance(error["message"], str)
                assert error["message"]


@FUZZ_SETTINGS
@given(body=json_values)
def test_arbitrary_json_never_crashes_scores(client: FlaskClient, auth: dict[str, str], body: Any) -> None:
    _check(client, auth, "/api/v1/scores", body)


@FUZZ_SETTINGS
@given(body=mutated_examples())
def test_mutated_examples_never_crash_scores(client: FlaskClient, auth: dict[str, str], body: Any) -> None:
    _check(client, auth, "/api/v1/scores", body)


@FUZZ_SETTINGS
@given(
    body=st.fixed_dictionaries(
        {"regime": st.sampled_from(["pp46_2011", "permenpanrb_8_2021", "permenpanrb_6_2022", "x"])},
        optional={
            "capaian_organisasi": json_values,
            "pegawai": st.lists(
                st.fixed_dictionaries(
                    {"nip": st.text(max_size=20), "predikat": json_values},
                    optional={"nilai": json_values},
                ),
                max_size=5,
            ),
        },
    )
)
def test_unit_check_never_crashes(client: FlaskClient, auth: dict[str, str], body: Any) -> None:
    _check(client, auth, "/api/v1/units/check", body)
