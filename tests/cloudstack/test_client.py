"""stackgate's CloudStack client against the sandbox over HTTP: paging, jobs, retries, errors."""

from __future__ import annotations

import logging
import re
import socket
import time

import pytest
from pydantic import SecretStr

from app.cloudstack.client import CloudStackClient, Endpoint
from app.cloudstack.errors import ApiError, JobFailed, JobTimedOut, OutcomeUnknown, Unreachable
from app.sandbox.server import RunningSandbox, apply_knobs
from tests.cloudstack.builders import PUBLIC_KEY
from tests.cloudstack.conftest import API_KEY, SECRET_KEY, make_client


def _project(client: CloudStackClient) -> str:
    return str(client.list("listProjects", name="payments")[0]["id"])


def test_list_reads_every_page_with_one_call_per_page(client: CloudStackClient) -> None:
    project = _project(client)
    for i in range(1203):
        client.request(
            "registerSSHKeyPair", name=f"key-{i}", publickey=PUBLIC_KEY, projectid=project
        )
    keys = client.list("listSSHKeyPairs", projectid=project)
    assert sorted(k["name"] for k in keys) == sorted(f"key-{i}" for i in range(1203))
    assert client.calls["listSSHKeyPairs"] == 3


def test_an_empty_list_is_an_empty_list(client: CloudStackClient) -> None:
    assert client.list("listSSHKeyPairs", projectid=_project(client)) == []


def test_values_with_tilde_are_signed_as_the_server_expects(client: CloudStackClient) -> None:
    project = _project(client)
    client.request("registerSSHKeyPair", name="a~b c+d", publickey=PUBLIC_KEY, projectid=project)
    assert [
        k["name"] for k in client.list("listSSHKeyPairs", projectid=project, name="a~b c+d")
    ] == ["a~b c+d"]


def test_run_awaits_the_job_and_returns_its_result_with_the_new_id(
    client: CloudStackClient,
) -> None:
    project = _project(client)
    network = client.list(
        "listNetworkOfferings", name="DefaultIsolatedNetworkOfferingWithSourceNatService"
    )[0]
    zone = client.list("listZones", name="zone-a")[0]
    created = client.request(
        "createNetwork",
        name="n",
        networkofferingid=network["id"],
        zoneid=zone["id"],
        projectid=project,
    )
    result = client.run("associateIpAddress", networkid=created["network"]["id"], projectid=project)
    assert result["id"] == result["ipaddress"]["id"]
    assert result["ipaddress"]["state"] == "Allocated"


def test_an_api_error_keeps_cloudstacks_codes_and_text(client: CloudStackClient) -> None:
    with pytest.raises(ApiError) as caught:
        client.request(
            "registerSSHKeyPair", name="k", publickey="not a key", projectid=_project(client)
        )
    assert (caught.value.errorcode, caught.value.http_status, caught.value.errortext) == (
        431,
        431,
        "Public key is invalid",
    )
    assert client.calls["registerSSHKeyPair"] == 1


def test_reads_are_retried_through_transient_errors(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    apply_knobs(
        sandbox.api,
        {
            "fail_next": [
                {"command": "listZones", "count": 2, "errorcode": 530, "errortext": "db hiccup"}
            ]
        },
    )
    assert len(client.list("listZones")) == 3  # zone-a, zone-b, zone-sg
    assert client.calls["listZones"] == 3


def test_a_create_is_never_blindly_retried(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    apply_knobs(
        sandbox.api,
        {
            "fail_next": [
                {
                    "command": "registerSSHKeyPair",
                    "count": 1,
                    "errorcode": 530,
                    "errortext": "Internal error executing command",
                }
            ]
        },
    )
    with pytest.raises(ApiError) as caught:
        client.request(
            "registerSSHKeyPair", name="k", publickey=PUBLIC_KEY, projectid=_project(client)
        )
    assert caught.value.errorcode == 530
    assert client.calls["registerSSHKeyPair"] == 1


def test_an_outage_is_retried_then_reported_as_unreachable(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    apply_knobs(sandbox.api, {"outage_rate": 1.0})
    with pytest.raises(Unreachable, match="HTTP 503"):
        client.list("listZones")
    assert client.calls["listZones"] == 4


def test_a_503_before_the_server_acted_lets_a_create_be_retried(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    project = _project(client)
    apply_knobs(sandbox.api, {"outage_next": 2})
    client.request("registerSSHKeyPair", name="k", publickey=PUBLIC_KEY, projectid=project)
    assert client.calls["registerSSHKeyPair"] == 3
    assert len(client.list("listSSHKeyPairs", projectid=project)) == 1


def test_a_create_whose_answer_is_lost_is_outcome_unknown(sandbox: RunningSandbox) -> None:
    client = make_client(sandbox, timeout=1)
    project = _project(client)
    apply_knobs(sandbox.api, {"latency": {"registerSSHKeyPair": 1.5}})
    with pytest.raises(OutcomeUnknown):
        client.request("registerSSHKeyPair", name="slow", publickey=PUBLIC_KEY, projectid=project)
    assert client.calls["registerSSHKeyPair"] == 1
    sandbox.api.knobs.latency.clear()
    # the server did act, a little later: retrying blindly would have created it twice
    deadline = time.monotonic() + 5
    while not client.list("listSSHKeyPairs", projectid=project) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [k["name"] for k in client.list("listSSHKeyPairs", projectid=project)] == ["slow"]
    client.close()


def test_a_refused_connection_is_unreachable_after_retries() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = Endpoint(
        "dc1", f"http://127.0.0.1:{port}/client/api", SecretStr(API_KEY), SecretStr(SECRET_KEY)
    )
    client = CloudStackClient(endpoint, sleep=lambda _seconds: None)
    with pytest.raises(Unreachable, match="connection failed"):
        client.request("deployVirtualMachine", zoneid="z")
    assert client.calls["deployVirtualMachine"] == 4  # never sent, so safe to retry even a create
    client.close()


def test_a_failed_job_says_what_cloudstack_said(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    apply_knobs(
        sandbox.api,
        {
            "fail_next": [
                {
                    "command": "createTags",
                    "count": 1,
                    "errorcode": 533,
                    "errortext": "Insufficient capacity",
                    "in_job": True,
                }
            ]
        },
    )
    with pytest.raises(JobFailed) as caught:
        client.run(
            "createTags",
            resourcetype="Project",
            resourceids=_project(client),
            tags=[{"key": "a", "value": "b"}],
        )
    assert (caught.value.errorcode, caught.value.errortext) == (533, "Insufficient capacity")


def test_a_job_that_runs_too_long_times_out(sandbox: RunningSandbox) -> None:
    client = make_client(sandbox, job_timeout=0.3)
    apply_knobs(sandbox.api, {"job_seconds": 60})
    with pytest.raises(JobTimedOut):
        client.run(
            "createTags",
            resourcetype="Project",
            resourceids=_project(client),
            tags=[{"key": "a", "value": "b"}],
        )
    client.close()


def test_errors_and_logs_never_show_keys_or_signatures(
    sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = Endpoint("dc1", sandbox.url, SecretStr(API_KEY), SecretStr("a-wrong-secret-value"))
    client = CloudStackClient(wrong, sleep=lambda _seconds: None)
    with pytest.raises(ApiError) as caught:
        client.list("listZones")
    client.close()
    assert caught.value.errorcode == 401
    error = caught.value
    shown = f"{error} {error!r} {error.__cause__} {error.__context__} {caplog.text}"
    for secret in (API_KEY, "a-wrong-secret-value"):
        assert secret not in shown
    assert "signature=***" in caplog.text  # urllib3's request line, redacted
    assert re.search(r"signature=(?!\*\*\*)", shown) is None
    assert "listZones" in caplog.text
