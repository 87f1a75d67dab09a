"""A plan's reads are sent side by side (issue 20, round trips), through the real client and
the sandbox: the same objects, catalog and calls as one request at a time, the same error,
and the sandbox sees the requests overlap, never more at once than the cloud's bound."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pytest
from pydantic import SecretStr

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.clouds import Clouds
from app.cloudstack.directory import read_directory, read_members
from app.cloudstack.errors import ApiError
from app.cloudstack.inventory import LISTS, RECORDED, read_project, read_projects
from app.cloudstack.live import read_live
from app.cloudstack.model import ProjectRef
from app.config import CloudSettings, Settings
from app.sandbox.server import RunningSandbox, apply_knobs
from tests.cloudstack.builders import Builder
from tests.cloudstack.conftest import API_KEY, SECRET_KEY, make_client
from tests.cloudstack.test_inventory import REPO, _payments

# The lists of one read in the order their rows are filed (the ROOT volumes first).
COMMANDS = ["listVolumes", *(command for command, _ in LISTS.values()), "listTags"]
COMMANDS += [command for _, command, _, _ in RECORDED]


def _rich(client: CloudStackClient) -> Mapping[str, ProjectRef]:
    """Two projects with every kind the builders make, another repo's network and one made by
    hand: rules that name networks and addresses filed before them, foreign and untagged."""
    _payments(client)
    other = Builder(client, "git@example.com:someone/else", "payments")
    other.network("their-net", "10.9.0")
    search = Builder(client, REPO, "search")
    network = search.network("search-net", "10.2.0")
    ip = search.address("api-ip", network)
    search.firewall("api-ip:tcp:9200:0.0.0.0/0", ip, 9200)
    search.egress("search-net:tcp:443:0.0.0.0/0", network)
    client.request(
        "createNetwork",
        name="hand-made",
        networkofferingid=search.catalog_id(
            "listNetworkOfferings", "DefaultIsolatedNetworkOfferingWithSourceNatService"
        ),
        zoneid=search.zone_id,
        projectid=search.project_id,
        gateway="10.8.0.1",
        netmask="255.255.255.0",
    )
    return read_catalog(client).projects


def _answers_in_reverse(sandbox: RunningSandbox) -> None:
    """The later a list is filed, the sooner it is answered, so the answers arrive out of the
    order their rows are filed in."""
    latency = {command: 0.01 * (len(COMMANDS) - i) for i, command in enumerate(COMMANDS)}
    apply_knobs(sandbox.api, {"latency": latency})


def test_lists_answered_out_of_order_read_the_same_as_one_at_a_time(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    projects = _rich(client)
    one_at_a_time = make_client(sandbox, concurrency=1)
    wanted = [projects["payments"], projects["search"]]
    swept = [*wanted, projects["analytics"]]  # more than PER_PROJECT_MAX: one sweep
    alone = read_projects(one_at_a_time, REPO, wanted), read_projects(one_at_a_time, REPO, swept)
    _answers_in_reverse(sandbox)
    sandbox.api.most_in_flight = 0
    side_by_side = read_projects(client, REPO, wanted), read_projects(client, REPO, swept)
    assert side_by_side == alone
    assert sandbox.api.most_in_flight > 1
    payments, search = alone[0]["payments"], alone[0]["search"]
    assert ("port_forward", "web-ip:tcp:22->web-1:22") in payments.objects
    assert [o.name for o in payments.foreign] == ["their-net"]
    assert ("network", "hand-made") in [(o.kind, o.name) for o in search.untagged]
    assert search.objects[("firewall", "api-ip:tcp:9200:0.0.0.0/0")].fields["ip"] == "api-ip"


def test_a_read_makes_the_same_calls_as_before(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    project = _rich(client)["payments"]
    before, served = Counter(client.calls), Counter(sandbox.api.calls)
    read_project(client, REPO, project)
    sent = Counter(client.calls) - before
    assert sent == Counter(COMMANDS)  # one call per list, none lost to a race on the counter
    assert Counter(sandbox.api.calls) - served == sent


def test_a_list_that_fails_fails_the_read_with_its_own_error(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    project = _rich(client)["payments"]
    refusal = {"errorcode": 431, "errortext": "Unable to execute API command listfirewallrules"}
    apply_knobs(
        sandbox.api, {"fail_next": [{"command": "listFirewallRules", "count": 1, **refusal}]}
    )
    with pytest.raises(ApiError) as raised:
        read_project(client, REPO, project)
    assert (raised.value.command, raised.value.errorcode) == ("listFirewallRules", 431)
    assert read_project(client, REPO, project).objects  # the next read is whole again


def test_of_two_failing_lists_the_one_filed_first_is_reported(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    """As when the lists were sent in turn: the networks' failure, though it is answered
    after the port forwards' (theirs would have been sent only once the networks were read)."""
    project = _rich(client)["payments"]
    fail = [
        {"command": command, "count": 1, "errorcode": 431, "errortext": f"{command} refused"}
        for command in ("listNetworks", "listPortForwardingRules")
    ]
    apply_knobs(sandbox.api, {"fail_next": fail, "latency": {"listNetworks": 0.3}})
    with pytest.raises(ApiError) as raised:
        read_project(client, REPO, project)
    assert raised.value.command == "listNetworks"


def test_requests_overlap_but_never_beyond_the_clouds_bound(sandbox: RunningSandbox) -> None:
    setup = make_client(sandbox)
    projects = _rich(setup)
    apply_knobs(sandbox.api, {"latency": {"*": 0.05}})
    seen = {}
    for bound in (1, 3):
        sandbox.api.most_in_flight = 0
        read_projects(
            make_client(sandbox, concurrency=bound),
            REPO,
            [projects["payments"], projects["search"]],
        )
        seen[bound] = sandbox.api.most_in_flight
    assert seen[1] == 1
    assert 1 < seen[3] <= 3


def test_the_catalog_is_read_side_by_side_and_the_same(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    alone = read_catalog(make_client(sandbox, concurrency=1))
    apply_knobs(sandbox.api, {"latency": {"listZones": 0.2, "*": 0.02}})  # zones answer last
    sandbox.api.most_in_flight = 0
    assert read_catalog(client) == alone
    assert sandbox.api.most_in_flight > 1


def test_a_cloud_that_refuses_the_domain_list_still_has_its_projects_read(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    """The domains are read beside the catalog now, but their refusal (a key whose role may
    not list domains) is reported as when they were read last: after everything else."""
    _payments(client)
    refusal = {"errorcode": 432, "errortext": "The given command does not exist"}
    apply_knobs(sandbox.api, {"fail_next": [{"command": "listDomains", "count": 1, **refusal}]})
    cloud = CloudSettings(
        url=sandbox.url, api_key=SecretStr(API_KEY), secret_key=SecretStr(SECRET_KEY)
    )
    with Clouds(Settings(clouds={"dc1": cloud})) as clouds:
        live = read_live(clouds, REPO, {"dc1": ["payments"]}, outages_raise=False)
    assert "listDomains" in live.unreachable["dc1"] and live.domains == {}
    assert list(live.catalogs) == ["dc1"]
    assert ("instance", "web-1") in live.projects["payments"].objects


def test_a_lists_later_pages_are_sent_together_and_kept_in_order(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    project = client.list("listProjects", name="payments")[0]["id"]
    tags = [{"key": f"team-{i:04}", "value": "x"} for i in range(1001)]  # pages of 500, 500, 1
    client.run("createTags", resourcetype="Project", resourceids=project, tags=tags)
    alone = make_client(sandbox, concurrency=1).list("listTags", resourceid=project)
    apply_knobs(sandbox.api, {"latency": {"listTags": 0.3}})
    sandbox.api.most_in_flight, before = 0, client.calls["listTags"]
    assert client.list("listTags", resourceid=project) == alone
    assert len(alone) == 1001 and client.calls["listTags"] - before == 3
    assert sandbox.api.most_in_flight == 2  # the first page alone, then the other two at once


def test_a_bound_above_ten_keeps_a_connection_for_each_request(
    sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """urllib3 keeps 10 connections to a host unless told more: past that, each request's
    connection was dropped after it (with a warning) and the next one connected again."""
    setup = make_client(sandbox)
    projects = _rich(setup)
    apply_knobs(sandbox.api, {"latency": {"*": 0.3}})  # room for 11 at once
    sandbox.api.most_in_flight = 0
    with caplog.at_level("WARNING", logger="urllib3.connectionpool"):
        read_projects(make_client(sandbox, concurrency=16), REPO, [*projects.values()][:2])
    assert sandbox.api.most_in_flight > 10
    assert [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage()] == []


def test_the_members_of_several_projects_are_read_side_by_side_and_the_same(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    projects = [(ref.name, ref.id) for ref in read_catalog(client).projects.values()]
    alone = read_members(make_client(sandbox, concurrency=1), projects), read_directory(client)
    apply_knobs(sandbox.api, {"latency": {"*": 0.05}})
    sandbox.api.most_in_flight = 0
    assert (read_members(client, projects), read_directory(client)) == alone
    assert len(projects) > 1 and sandbox.api.most_in_flight > 1


def test_once_a_read_fails_the_reads_not_yet_sent_are_not_sent(
    sandbox: RunningSandbox,
) -> None:
    """As when the lists went in turn, a cloud refusing every list is asked a few of them, not
    all eighteen (a read already waiting for its place may still go)."""
    one_at_a_time = make_client(sandbox, concurrency=1)
    project = _rich(one_at_a_time)["payments"]
    refusal = {"count": 1, "errorcode": 431, "errortext": "refused"}
    fail = [{"command": command, **refusal} for command in set(COMMANDS)]
    apply_knobs(sandbox.api, {"fail_next": fail})
    before = sum(one_at_a_time.calls.values())
    with pytest.raises(ApiError):
        read_project(one_at_a_time, REPO, project)
    assert sum(one_at_a_time.calls.values()) - before < len(COMMANDS) // 2
