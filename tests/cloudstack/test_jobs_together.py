"""Jobs a client awaits at once are polled together (listAsyncJobs), not one query per job."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pydantic import SecretStr

from app.cloudstack.client import CloudStackClient, Endpoint
from app.sandbox.server import RunningSandbox, apply_knobs
from tests.cloudstack.conftest import API_KEY, SECRET_KEY

JOBS = 8


def _tag_at_once(client: CloudStackClient) -> list[dict[str, object]]:
    project = str(client.list("listProjects", name="payments")[0]["id"])

    def tag(n: int) -> dict[str, object]:
        pair = [{"key": f"k{n}", "value": f"v{n}"}]
        return client.run("createTags", resourcetype="Project", resourceids=project, tags=pair)

    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        return list(pool.map(tag, range(JOBS)))


def _client(sandbox: RunningSandbox) -> CloudStackClient:
    endpoint = Endpoint("dc1", sandbox.url, SecretStr(API_KEY), SecretStr(SECRET_KEY))
    return CloudStackClient(endpoint)  # real sleeps: the polls are what is counted


def test_jobs_awaited_at_once_are_polled_with_one_listing(sandbox: RunningSandbox) -> None:
    client = _client(sandbox)
    apply_knobs(sandbox.api, {"job_seconds": 0.6})
    results = _tag_at_once(client)
    assert [result.get("success") for result in results] == [True] * JOBS
    tags = client.list("listTags", resourcetype="Project", listall=True)
    assert {str(tag["key"]) for tag in tags} >= {f"k{n}" for n in range(JOBS)}
    # one first look per job; every later poll answers for all of them at once
    assert client.calls["queryAsyncJobResult"] == JOBS
    assert 0 < client.calls["listAsyncJobs"] < 3 * JOBS
    client.close()


def test_a_cloud_refusing_the_listing_still_has_every_job_awaited(
    sandbox: RunningSandbox,
) -> None:
    client = _client(sandbox)
    refusal = {"command": "listAsyncJobs", "count": 1000, "errorcode": 432, "errortext": "no"}
    apply_knobs(sandbox.api, {"job_seconds": 0.3, "fail_next": [refusal]})
    results = _tag_at_once(client)
    assert [result.get("success") for result in results] == [True] * JOBS
    assert client.calls["listAsyncJobs"] == 1  # refused once, then each job is queried
    client.close()
