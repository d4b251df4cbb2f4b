"""The API under fuzz: its OpenAPI document is valid, and schemathesis' generated requests get no 500.

A bounded run (a few examples per operation, derandomized so CI sees the same requests each time)
against the WSGI app on a copy of the demo database, as a supervisor with a personal token.
"""

from __future__ import annotations

import collections
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.integration.support import token_for

EXAMPLES = 6  # per operation and generation mode: about 430 requests, 25 s on an idle machine
#: A new token replaces the caller's, and DELETE revokes it: every later request would be a 401.
SKIPPED = {"createToken", "revokeToken"}


@pytest.fixture
def spec(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_openapi_document_is_valid(spec):
    validate(spec)
    ids = collections.Counter(op.get("operationId") for _path, _method, op in operations(spec))
    assert None not in ids and [i for i, n in ids.items() if n > 1] == []
    tags = {tag for _path, _method, op in operations(spec) for tag in op["tags"]}
    assert (
        tags
        == {t["name"] for t in spec["tags"]}
        == {
            "Public",
            "Staff: tasks",
            "Staff: requests and files",
            "Staff: token and notifications",
            "Supervisors",
        }
    )
    upload = spec["paths"]["/api/v1/instances/{instance_id}/attachments"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"] and "parameters" not in upload
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["$ref"].endswith("/Upload")
    assert spec["components"]["schemas"]["Upload"]["required"] == ["file"]
    for path, method, op in operations(spec):
        responses = set(op["responses"])
        if op["tags"] != ["Public"]:
            assert "401" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if op["tags"] == ["Supervisors"] and "/monitor/" in path:
            assert "403" in responses, (method, path)
    complete = spec["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(complete)


def test_generated_requests_get_no_server_error(app):
    headers = token_for(app, "deputy")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    counts: collections.Counter = collections.Counter()
    failures: list[str] = []
    cpu = time.process_time()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case):
                counts[case.operation.label] += 1
                # The test app propagates a view's exception rather than answering 500: both are failures.
                try:
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=[not_a_server_error])
                except Exception as exc:
                    failures.append(f"{case.operation.label}: {exc!r}\n{case.as_curl_command()}")

            try:
                fuzz()
            except Unsatisfiable:  # nothing in the operation can be made invalid (no parameters, no body)
                assert mode == GenerationMode.NEGATIVE
    seconds = time.process_time() - cpu
    print(f"schemathesis: {sum(counts.values())} requests over {len(counts)} operations, {seconds:.0f} s CPU")
    assert failures == []
    assert len(counts) >= 30 and sum(counts.values()) >= 300
