"""One sandbox served over real HTTP for the module, fresh ones for tests that need them, and a
small signed-request helper that checks every successful answer against the contract."""

from __future__ import annotations

import base64
import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cs import CloudStack
from ruamel.yaml import YAML

from app.cloudstack.signing import sign
from app.sandbox.launch import build_api
from app.sandbox.seed import DEFAULT_SEED
from app.sandbox.server import RunningSandbox, serve_in_background
from tests.sandbox.shapes import error_problems, problems

API_KEY = "test-key"
SECRET_KEY = "test-secret"
EXAMPLES = Path(__file__).with_name("examples")
_names = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test in this run uses (tests share the module's sandbox)."""
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def ssh_public_key(seed: int) -> str:
    """A well-formed ed25519 public key line, different for every seed."""
    name = b"ssh-ed25519"
    blob = len(name).to_bytes(4, "big") + name + (32).to_bytes(4, "big")
    blob += seed.to_bytes(32, "big")
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} key-{seed}@example"


def tag_params(pairs: list[tuple[str, str | None]]) -> dict[str, str]:
    """``tags[i].key`` / ``tags[i].value`` parameters; a None value leaves ``value`` out."""
    params: dict[str, str] = {}
    for i, (key, value) in enumerate(pairs):
        params[f"tags[{i}].key"] = key
        if value is not None:
            params[f"tags[{i}].value"] = value
    return params


class CloudStackHttp:
    """Signed requests to a sandbox as a plain HTTP client sends them (``requests``)."""

    def __init__(self, url: str, key: str = API_KEY, secret: str = SECRET_KEY) -> None:
        self.url, self.key, self.secret = url, key, secret
        self.session = requests.Session()
        self.seen: list[tuple[str, dict[str, Any]]] = []  # (command, answer) of every success

    def close(self) -> None:
        self.session.close()

    def signed(self, command: str, **params: object) -> dict[str, str]:
        query = {"command": command, "apiKey": self.key, "response": "json"}
        query.update({name: str(value) for name, value in params.items()})
        query["signature"] = sign(query, self.secret)
        return query

    def send(self, query: dict[str, str], post: bool = False) -> requests.Response:
        if post:
            return self.session.post(self.url, data=query, timeout=10)
        return self.session.get(self.url, params=query, timeout=10)

    def call(self, command: str, **params: object) -> requests.Response:
        return self.send(self.signed(command, **params))

    def ok(self, command: str, **params: object) -> dict[str, Any]:
        """The answer inside ``<command>response``; fails the test unless it is a 200 that fits
        the contract."""
        response = self.call(command, **params)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()[f"{command.lower()}response"]
        assert problems(command, answer) == [], answer
        self.seen.append((command, answer))
        return answer

    def fail(self, command: str, **params: object) -> tuple[int, dict[str, Any]]:
        """(HTTP status, error body) of a request the server must refuse."""
        response = self.call(command, **params)
        assert response.status_code != 200, response.text
        body: dict[str, Any] = response.json()[f"{command.lower()}response"]
        assert error_problems(body) == [], body
        assert response.status_code == body["errorcode"]
        return response.status_code, body

    def job(self, job_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """queryAsyncJobResult until the job is no longer pending."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.ok("queryAsyncJobResult", jobid=job_id)
            if job["jobstatus"] != 0 or time.monotonic() > deadline:
                return job
            time.sleep(0.02)

    def run(self, command: str, **params: object) -> dict[str, Any]:
        """Start an async command and return its finished job."""
        return self.job(self.ok(command, **params)["jobid"])

    def done(self, command: str, **params: object) -> dict[str, Any]:
        """The ``jobresult`` of an async command that must succeed."""
        job = self.run(command, **params)
        assert (job["jobstatus"], job["jobresultcode"]) == (1, 0), job
        result: dict[str, Any] = job["jobresult"]
        return result

    def result(self, command: str, **params: object) -> dict[str, Any]:
        """The object a successful async command returns (``jobresult``'s only value)."""
        (value,) = self.done(command, **params).values()
        assert isinstance(value, dict), value
        return value

    def items(self, command: str, **params: object) -> list[dict[str, Any]]:
        """The items of a list answer (``[]`` for the empty answer)."""
        answer = self.ok(command, **params)
        listed = [value for key, value in answer.items() if key != "count"]
        return listed[0] if listed else []

    def one(self, command: str, **params: object) -> dict[str, Any]:
        (item,) = self.items(command, **params)
        return item


class JavaSignedCloudStack(CloudStack):
    """``cs`` leaves ``~`` unencoded where Java's URLEncoder writes %7E; sign as the server."""

    def _sign(self, data: dict[str, str]) -> None:
        if self.secret:
            data["signature"] = sign(data, self.secret)


def signed_cs(sandbox: RunningSandbox, **options: Any) -> Iterator[Any]:
    """``cs`` on ``sandbox``, signing as CloudStack checks, on one session; for fixtures."""
    with requests.Session() as session:
        yield JavaSignedCloudStack(
            endpoint=sandbox.url, key=API_KEY, secret=SECRET_KEY, session=session, **options
        )


@pytest.fixture(scope="module")
def cs(sandbox: RunningSandbox) -> Iterator[Any]:
    """The ``cs`` client (the one Ansible's collection uses) on the module's sandbox."""
    yield from signed_cs(sandbox, poll_interval=0.02)


class Catalog:
    """Ids of the seeded zone-a catalog, looked up once through the API."""

    def __init__(self, api: CloudStackHttp) -> None:
        self.zone = api.one("listZones", name="zone-a")["id"]
        offerings = {o["name"]: o["id"] for o in api.items("listServiceOfferings")}
        self.small, self.medium = offerings["small"], offerings["medium"]
        self.dynamic = offerings["medium-dynamic"]
        disks = {o["name"]: o["id"] for o in api.items("listDiskOfferings")}
        self.custom_disk, self.fixed_disk = disks["custom"], disks["small-50"]
        templates = api.items("listTemplates", templatefilter="executable", zoneid=self.zone)
        self.template = next(t["id"] for t in templates if t["name"] == "ubuntu-22.04")
        network_offerings = api.items("listNetworkOfferings", guestiptype="Isolated")
        self.isolated = network_offerings[0]["id"]
        self.tier = next(o["id"] for o in network_offerings if o["forvpc"])
        self.vpc_offering = api.one("listVPCOfferings", name="Default VPC offering")["id"]


def start_without_cks(
    tmp_path: Path, api_key: str = API_KEY, secret_key: str = SECRET_KEY
) -> RunningSandbox:
    """A sandbox whose cloud has the Kubernetes Service off: its seed lists no versions."""
    seed = YAML(typ="safe").load(DEFAULT_SEED)
    del seed["kubernetes_versions"]
    path = tmp_path / "seed.yaml"
    YAML(typ="safe").dump(seed, path)
    return serve_in_background(build_api(path, api_key=api_key, secret_key=secret_key))


def start(job_seconds: float = 0.0) -> RunningSandbox:
    api = build_api(api_key=API_KEY, secret_key=SECRET_KEY, job_seconds=job_seconds)
    return serve_in_background(api)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    running = start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def api(sandbox: RunningSandbox) -> Iterator[CloudStackHttp]:
    client = CloudStackHttp(sandbox.url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def catalog(api: CloudStackHttp) -> Catalog:
    return Catalog(api)


@pytest.fixture
def knobs(sandbox: RunningSandbox, api: CloudStackHttp) -> Callable[..., None]:
    """Sets the module sandbox's test knobs: failures to inject, the CKS scanner's period."""
    url = sandbox.url.replace("/client/api", "/sandbox/knobs")

    def set_knobs(**settings: object) -> None:
        assert api.session.post(url, json=settings, timeout=10).ok

    return set_knobs


@pytest.fixture
def project(api: CloudStackHttp) -> dict[str, Any]:
    """A new project of this test's own, with CloudStack's default project limits."""
    return api.result("createProject", name=unique("prj"), displaytext="conformance")


def _own(job_seconds: float) -> Iterator[CloudStackHttp]:
    running = start(job_seconds)
    client = CloudStackHttp(running.url)
    yield client
    client.close()
    running.stop()


@pytest.fixture
def fresh() -> Iterator[CloudStackHttp]:
    """A sandbox of this test's own, for tests that create lots of state."""
    yield from _own(0.0)


@pytest.fixture
def fresh_slow() -> Iterator[CloudStackHttp]:
    """A sandbox of this test's own whose async jobs take half a second."""
    yield from _own(0.5)


def deploy(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], **params: object
) -> dict[str, Any]:
    """A running VM in ``project`` (zone-a, small, ubuntu), from its finished deploy job."""
    options: dict[str, object] = {
        "zoneid": catalog.zone,
        "serviceofferingid": catalog.small,
        "templateid": catalog.template,
        "projectid": project["id"],
        "name": unique("vm"),
    }
    options.update(params)
    return api.result("deployVirtualMachine", **options)


ClusterParams = Callable[..., dict[str, object]]


def kubernetes_params(
    catalog: Catalog, project_id: str, version_id: str, offering_id: str, **params: object
) -> dict[str, object]:
    """createKubernetesCluster's parameters: a new name, zone-a, one worker, ``params`` over."""
    options: dict[str, object] = {
        "name": unique("k8s"),
        "zoneid": catalog.zone,
        "kubernetesversionid": version_id,
        "serviceofferingid": offering_id,
        "projectid": project_id,
        "size": 1,
    }
    options.update(params)
    return options


@pytest.fixture(scope="module")
def versions(api: CloudStackHttp) -> dict[str, dict[str, Any]]:
    """The Kubernetes versions the seed offers, by name."""
    return {v["name"]: v for v in api.items("listKubernetesSupportedVersions")}


@pytest.fixture(scope="module")
def offerings(api: CloudStackHttp) -> dict[str, str]:
    """Service offering ids by name."""
    return {o["name"]: o["id"] for o in api.items("listServiceOfferings")}


@pytest.fixture
def cluster_params(
    catalog: Catalog,
    project: dict[str, Any],
    versions: dict[str, dict[str, Any]],
    offerings: dict[str, str],
) -> ClusterParams:
    """``kubernetes_params`` for a cluster in this test's project, by version and offering name
    (v1.27.3 on medium unless told)."""

    def params(
        version: str = "v1.27.3", offering: str = "medium", **more: object
    ) -> dict[str, object]:
        chosen = versions[version]["id"]
        return kubernetes_params(catalog, project["id"], chosen, offerings[offering], **more)

    return params
