"""Live state by tags, through the real client and the sandbox: what is read, and at what cost."""

from __future__ import annotations

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.inventory import LISTS, RECORDED, read_project, read_projects
from tests.cloudstack.builders import Builder

# A project's read: one list per kind, those the project records (key pairs, affinity groups)
# included, one of the ROOT volumes for the instances' root disk sizes, and one of the tags
# of snapshot policies (which CloudStack lists by volume only; each of the repo's policies
# is then one more call, and these projects have none).
CALLS = len(LISTS) + len(RECORDED) + 2

REPO = "git@example.com:acme/infra"


def _payments(client: CloudStackClient, repo: str = REPO, instances: int = 2) -> Builder:
    build = Builder(client, repo, "payments")
    network = build.network("app-net")
    vms = {f"web-{i}": build.instance(f"web-{i}", network) for i in range(1, instances + 1)}
    build.volume("web-1-data", 100, vms["web-1"])
    ip = build.address("web-ip", network)
    build.firewall("web-ip:tcp:443:0.0.0.0/0", ip, 443)
    build.egress("app-net:tcp:443:0.0.0.0/0", network)
    build.port_forward("web-ip:tcp:22->web-1:22", ip, vms["web-1"])
    build.load_balancer("web-lb", ip, vms)
    build.ssh_key("ops-2026")
    return build


def test_every_kind_is_read_back_in_the_repo_formats_terms(client: CloudStackClient) -> None:
    _payments(client)
    catalog = read_catalog(client)
    live = read_project(client, REPO, catalog.projects["payments"])
    fields = {key: dict(obj.fields) for key, obj in live.objects.items()}
    assert set(fields) == {
        ("network", "app-net"),
        ("instance", "web-1"),
        ("instance", "web-2"),
        ("volume", "web-1-data"),
        ("public_ip", "web-ip"),
        ("firewall", "web-ip:tcp:443:0.0.0.0/0"),
        ("egress", "app-net:tcp:443:0.0.0.0/0"),
        ("port_forward", "web-ip:tcp:22->web-1:22"),
        ("load_balancer", "web-lb"),
        ("ssh_key", "ops-2026"),
    }
    assert fields[("network", "app-net")] == {
        "offering": "DefaultIsolatedNetworkOfferingWithSourceNatService",
        "cidr": "10.1.0.0/24",
        "zone": "zone-a",
        "description": "",
        "state": "Implemented",
    }
    assert fields[("instance", "web-1")] == {
        "offering": "small",
        "template": "debian-12",
        "networks": ["app-net"],
        "ssh_key": None,
        "root_disk_gib": 8,
        "zone": "zone-a",
        "state": "Running",
        "cpu": 1,
        "memory_mib": 2048,
        "user_data_sha": None,
        "affinity_groups": [],
        "security_groups": [],
    }
    assert fields[("volume", "web-1-data")] == {
        "offering": "standard",
        "size_gib": 100,
        "attach_to": "web-1",
        "zone": "zone-a",
        "state": "Ready",
    }
    assert fields[("firewall", "web-ip:tcp:443:0.0.0.0/0")] == {
        "ip": "web-ip",
        "protocol": "tcp",
        "ports": "443",
        "icmp_type": None,
        "icmp_code": None,
        "cidrs": ["0.0.0.0/0"],
    }
    assert fields[("egress", "app-net:tcp:443:0.0.0.0/0")]["network"] == "app-net"
    assert fields[("port_forward", "web-ip:tcp:22->web-1:22")] == {
        "ip": "web-ip",
        "protocol": "tcp",
        "public_port": "22",
        "private_port": "22",
        "instance": "web-1",
        "cidrs": [],
    }
    assert fields[("load_balancer", "web-lb")]["members"] == ["web-1", "web-2"]
    assert fields[("public_ip", "web-ip")]["network"] == "app-net"
    assert live.duplicates == ()


def test_objects_of_other_repos_and_untagged_objects_are_not_ours(client: CloudStackClient) -> None:
    _payments(client)
    other = Builder(client, "git@example.com:someone/else", "payments")
    other.network("their-net", "10.9.0")
    project_id = other.project_id
    offering = other.catalog_id(
        "listNetworkOfferings", "DefaultIsolatedNetworkOfferingWithSourceNatService"
    )
    client.request(
        "createNetwork",
        name="hand-made",
        networkofferingid=offering,
        zoneid=other.zone_id,
        projectid=project_id,
        gateway="10.8.0.1",
        netmask="255.255.255.0",
    )
    live = read_project(client, REPO, read_catalog(client).projects["payments"])
    assert [name for kind, name in live.objects if kind == "network"] == ["app-net"]
    # Kept apart for the plan: the untagged one may be adopted, the other repo's never.
    assert [(o.kind, o.name, o.repo) for o in live.foreign] == [
        ("network", "their-net", "git@example.com:someone/else")
    ]
    untagged = [(o.kind, o.name) for o in live.untagged if o.kind == "network"]
    assert untagged == [("network", "hand-made")]


def test_api_calls_do_not_grow_with_the_number_of_objects(client: CloudStackClient) -> None:
    small = _payments(client, instances=2)
    project = read_catalog(client).projects["payments"]
    before = sum(client.calls.values())
    read_project(client, REPO, project)
    calls_small = sum(client.calls.values()) - before
    for resource_type in (0, 2, 8, 9, 10):  # instances, volumes, cpu, memory, primary storage
        client.request(
            "updateResourceLimit", projectid=small.project_id, resourcetype=resource_type, max=-1
        )
    for i in range(3, 40):
        small.instance(f"web-{i}", client.list("listNetworks", projectid=small.project_id)[0]["id"])
    before = sum(client.calls.values())
    live = read_project(client, REPO, project)
    assert len([kind for kind, _ in live.objects if kind == "instance"]) == 39
    assert sum(client.calls.values()) - before == calls_small == CALLS


def test_a_second_object_under_one_key_is_reported_as_duplicate(client: CloudStackClient) -> None:
    build = _payments(client, instances=1)
    network = client.list("listNetworks", projectid=build.project_id)[0]["id"]
    twin = build.client.run(
        "deployVirtualMachine",
        name="web-1-twin",
        zoneid=build.zone_id,
        projectid=build.project_id,
        serviceofferingid=build.catalog_id("listServiceOfferings", "small"),
        networkids=network,
        templateid=build.catalog_id("listTemplates", "debian-12", templatefilter="executable"),
    )
    build.tag("instance", "UserVm", twin["virtualmachine"]["id"], "web-1")
    live = read_project(client, REPO, read_catalog(client).projects["payments"])
    assert [(d.kind, d.name) for d in live.duplicates] == [("instance", "web-1")]


def test_many_projects_are_read_in_one_sweep_and_each_gets_its_own(
    client: CloudStackClient,
) -> None:
    _payments(client)
    search = Builder(client, REPO, "search")
    network = search.network("search-net", "10.2.0")
    ip = search.address("api-ip", network)
    search.firewall("api-ip:tcp:9200:0.0.0.0/0", ip, 9200)
    search.egress("search-net:tcp:443:0.0.0.0/0", network)
    projects = read_catalog(client).projects
    refs = [projects["payments"], projects["search"], projects["analytics"]]
    before = sum(client.calls.values())
    live = read_projects(client, REPO, refs)
    assert sum(client.calls.values()) - before == CALLS  # the same calls as for one project
    assert sorted(name for _, name in live["search"].objects) == [
        "api-ip",
        "api-ip:tcp:9200:0.0.0.0/0",
        "search-net",
        "search-net:tcp:443:0.0.0.0/0",
    ]
    assert ("firewall", "web-ip:tcp:443:0.0.0.0/0") in live["payments"].objects
    assert live["payments"].objects[("instance", "web-1")].fields["root_disk_gib"] == 8
    assert live["analytics"].objects == {}
    assert live["payments"].objects == read_project(client, REPO, projects["payments"]).objects
