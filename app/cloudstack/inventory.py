"""The live state stackgate manages: tagged objects, read with one paginated list per kind.

Every object stackgate creates carries ``stackgate.repo`` and ``stackgate.key`` (kind/name).
A project is read with a handful of list calls — never one call per object — and each object
is described in the repo format's terms (names and units, not ids). The lists carry no tag
filter: the rows no repo tagged are what a plan may adopt, and the rows another repo tagged
what it must not, so both are kept beside the repo's own. SSH key pairs and affinity groups
take no tags (ResourceTag.ResourceObjectType lists neither), nor do Kubernetes clusters; the
project records the ones stackgate made in ``stackgate.sshkey.<name>``,
``stackgate.affinity.<name>`` and ``stackgate.kubernetes.<name>`` tags (value: the repo).

Other tools tag the same objects (a backup tool's ``backup=daily``). Only the tags stackgate
wrote are its own: the ``stackgate.*`` tags, and the labels whose keys it recorded writing in
``stackgate.labels``. An object without that record (tagged by an older stackgate) has its
other tags handed to the plan as ``unrecorded``: the ones the repo names as labels are taken
as stackgate's, the rest are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from app.cloudstack.backup_reading import BackupReading, policy_rows
from app.cloudstack.catalog import GIB, UNSUPPORTED_ACTION, tag_map
from app.cloudstack.cks_reading import CksReading
from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import ApiError
from app.cloudstack.model import LiveObject, LiveProject, ProjectRef
from app.cloudstack.rule_reading import RuleReading, cidrs
from app.cloudstack.sg_reading import SecurityGroupReading

TAG_REPO = "stackgate.repo"
TAG_KEY = "stackgate.key"
TAG_COMMIT = "stackgate.commit"
TAG_MEMBERS = "stackgate.members"
TAG_PROTECTED = "stackgate.protected"
TAG_USERDATA = "stackgate.userdata"
TAG_LABELS = "stackgate.labels"  # the label keys stackgate wrote, sorted, comma-separated
SSHKEY_TAG = "stackgate.sshkey."
AFFINITY_TAG = "stackgate.affinity."
KUBERNETES_TAG = "stackgate.kubernetes."  # + a cluster's name → the repo that made it
# + a record tag's rest ("kubernetes.<name>"): "true" when that object is protected
PROTECTED_RECORD = "stackgate.protected."
OWN_PREFIX = "stackgate."
OWN_TAGS = (TAG_REPO, TAG_KEY, TAG_COMMIT, TAG_MEMBERS, TAG_PROTECTED, TAG_USERDATA, TAG_LABELS)

Row = Mapping[str, Any]


def label_keys(tags: Mapping[str, str]) -> frozenset[str] | None:
    """The label keys stackgate recorded writing on an object; None without a record."""
    record = tags.get(TAG_LABELS)
    return None if record is None else frozenset(key for key in record.split(",") if key)


@dataclass
class Reading(CksReading, RuleReading, SecurityGroupReading, BackupReading):
    """Cross references filled while reading a project, in dependency order; the import reads
    untagged rows through the same descriptions, so both see an object alike."""

    def filed(self, kind: str, row: Row) -> Row:
        return self.cluster_filed(row) if kind == "kubernetes_cluster" else super().filed(kind, row)

    def kept(self, kind: str, row: Row) -> bool:
        return self.not_cks(kind, row) and self.first_zone(kind, row) and super().kept(kind, row)

    def network(self, row: Row) -> dict[str, Any]:
        self.network_names[row["id"]] = row["name"]
        text = row.get("displaytext") or ""
        return {
            "offering": row.get("networkofferingname"),
            "cidr": row.get("cidr"),
            "zone": row.get("zonename"),
            "description": "" if text == row["name"] else text,
            "state": row.get("state"),
            **self.tier(row),
        }

    def instance(self, row: Row) -> dict[str, Any]:
        nics = sorted(
            row.get("nic", []), key=lambda nic: (not nic.get("isdefault"), nic.get("deviceid", 0))
        )
        keys = [key for key in str(row.get("keypairs") or "").split(",") if key]
        return {
            "offering": row.get("serviceofferingname"),
            "template": row.get("templatename"),
            "networks": [nic.get("networkname") for nic in nics if nic.get("type") != "Shared"],
            "ssh_key": keys[0] if keys else None,
            "root_disk_gib": self.root_gib.get(row["id"]),
            "zone": row.get("zonename"),
            "state": row.get("state"),
            "cpu": row.get("cpunumber"),
            "memory_mib": row.get("memory"),
            "user_data_sha": tag_map(row).get(TAG_USERDATA),
            "affinity_groups": sorted(str(g.get("name")) for g in row.get("affinitygroup") or []),
            "security_groups": sorted(str(g.get("name")) for g in row.get("securitygroup") or []),
        }

    def volume(self, row: Row) -> dict[str, Any]:
        self.disk(row)
        return {
            "offering": row.get("diskofferingname"),
            "size_gib": int(row.get("size", 0)) // GIB,
            "attach_to": row.get("vmname"),
            "zone": row.get("zonename"),
            "state": row.get("state"),
        }

    def public_ip(self, row: Row) -> dict[str, Any]:
        return {
            "network": row.get("associatednetworkname"),
            "address": row.get("ipaddress"),
            "source_nat": bool(row.get("issourcenat")),  # CloudStack never releases it in use
            "static_nat": row.get("virtualmachinename") if row.get("isstaticnat") else None,
            **self.vpc_of(row),
        }

    @staticmethod
    def affinity_group(row: Row) -> dict[str, Any]:
        text = row.get("description") or ""
        return {"type": row.get("type"), "description": "" if text == row["name"] else text}

    def load_balancer(self, row: Row) -> dict[str, Any]:
        members = tag_map(row).get(TAG_MEMBERS, "")
        return {
            "ip": self.ip(row.get("publicipid"), row.get("publicip")),
            "algorithm": row.get("algorithm"),
            "protocol": str(row.get("protocol") or "tcp").lower(),
            "public_port": int(row.get("publicport", 0)),
            "private_port": int(row.get("privateport", 0)),
            "members": sorted(m for m in members.split(",") if m),
            "cidrs": cidrs(row.get("cidrlist")),
            **self.on_tier(row, self.network_names),
        }


# kind → (list command, extra parameters); read in this order so references resolve
LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "vpc": ("listVPCs", {}),
    "network_acl": ("listNetworkACLLists", {}),
    "network_acl_rule": ("listNetworkACLs", {}),
    "security_group": ("listSecurityGroups", {}),
    "network": ("listNetworks", {}),
    "public_ip": ("listPublicIpAddresses", {}),
    "kubernetes_cluster": ("listKubernetesClusters", {}),  # before the instances: its nodes
    "instance": ("listVirtualMachines", {}),
    "volume": ("listVolumes", {"type": "DATADISK"}),
    "firewall": ("listFirewallRules", {}),
    "egress": ("listEgressFirewallRules", {}),
    "port_forward": ("listPortForwardingRules", {}),
    "load_balancer": ("listLoadBalancerRules", {}),
    "template": ("listTemplates", {"templatefilter": "self"}),
}


PER_PROJECT_MAX = 2  # up to this many projects, lists per project cost no more than a sweep
Scope = dict[str, str]


def read_projects(
    client: CloudStackClient, repo: str, refs: Sequence[ProjectRef]
) -> dict[str, LiveProject]:
    """The objects of ``repo`` in the given projects.

    A few projects are read one by one (``projectid=<id>``); more are read in one sweep
    across projects (``projectid=-1``), so the number of calls grows with pages of results,
    not with the number of projects or objects.
    """
    if len(refs) <= PER_PROJECT_MAX:
        return _read(client, repo, [([ref], {"projectid": ref.id}) for ref in refs])
    return _read(client, repo, [(refs, {"projectid": "-1", "listall": "true"})])


def read_project(client: CloudStackClient, repo: str, project: ProjectRef) -> LiveProject:
    """One project's objects: about fifteen paginated list calls, sent side by side."""
    return _read(client, repo, [([project], {"projectid": project.id})])[project.name]


ROOTS = "root_volumes"  # the ROOT disks, for the instances' root disk sizes
POLICIES = "snapshot_policies"  # not listed by project: see backup_reading
Listed = dict[str, Sequence[Row]]  # one read's rows: by kind, and ROOTS


def _calls(
    client: CloudStackClient, repo: str, scope: Scope
) -> dict[str, Callable[[], Sequence[Row]]]:
    """One read's calls by what they list, in the order their rows are filed (a kind's
    references to earlier kinds resolve as it is filed); none needs another's answer."""
    return {
        ROOTS: partial(client.list, "listVolumes", type="ROOT", **scope),
        **{
            kind: partial(list_kind, client, command, {**scope, **extra})
            for kind, (command, extra) in LISTS.items()
        },
        POLICIES: partial(policy_rows, client, scope, repo),
        **{kind: partial(client.list, command, **scope) for kind, command, _, _ in RECORDED},
    }


def _read(
    client: CloudStackClient, repo: str, reads: Sequence[tuple[Sequence[ProjectRef], Scope]]
) -> dict[str, LiveProject]:
    """Every call of every read sent at once (``gather``: as many in flight as the cloud's
    bound allows, a list's pages in order), then each read's rows filed in the table's
    order, as when the calls went one after another: the same objects, the same calls."""
    calls = [_calls(client, repo, scope) for _refs, scope in reads]
    answers = iter(client.gather([call for read in calls for call in read.values()]))
    found: dict[str, LiveProject] = {}
    for (refs, _scope), read in zip(reads, calls, strict=True):
        found.update(_filed(repo, refs, {what: next(answers) for what in read}, client.cloud))
    return found


def _filed(
    repo: str, refs: Sequence[ProjectRef], listed: Listed, cloud: str
) -> dict[str, LiveProject]:
    """Each kind listed once without a tag filter, its rows partitioned: this repo's, no
    repo's (the plan may adopt them) and another repo's (never adopted). Same calls as a
    filtered read, so the count stays one per kind, not one per object."""
    by_id = {ref.id: ref for ref in refs}
    reading = Reading(project_tags={ref.id: ref.tags for ref in refs})
    for root in listed[ROOTS]:
        reading.disk(root)
        if root.get("virtualmachineid"):
            reading.root_gib[str(root["virtualmachineid"])] = int(root.get("size", 0)) // GIB
    reading.cks_rules.learn(listed["kubernetes_cluster"])  # its rules are on earlier kinds
    found = {ref.id: _Found() for ref in refs}
    owner_of: dict[str, str] = {}  # network or address id → project id (rules do not show theirs)
    for kind in LISTS:
        describe: Callable[[Row], dict[str, Any]] = getattr(reading, kind)
        for each in listed[kind]:
            row = reading.filed(kind, each)
            project_id = str(row.get("projectid") or _owner(row, owner_of))
            if project_id not in by_id or not reading.kept(kind, row):
                continue
            owner_of[str(row["id"])] = project_id
            ours = found[project_id].take(kind, row, repo, describe)
            if kind == "public_ip" and ours is not None:
                reading.ip_names[ours.id] = ours.name
    for row in listed[POLICIES]:
        if str(row.get("projectid")) in by_id:
            found[str(row["projectid"])].take("snapshot_policy", row, repo, reading.snapshot_policy)
    for project_id, obj in _recorded(refs, listed):
        bucket = found[project_id]
        if obj.repo == repo:
            bucket.objects[(obj.kind, obj.name)] = replace(obj, repo="")
        else:
            (bucket.foreign if obj.repo else bucket.untagged).append(obj)
    return {
        ref.name: LiveProject(
            ref.name,
            ref.id,
            found[ref.id].objects,
            tuple(found[ref.id].duplicates),
            cloud=cloud,
            untagged=tuple(found[ref.id].untagged),
            foreign=tuple(found[ref.id].foreign),
        )
        for ref in refs
    }


@dataclass
class _Found:
    """One project's rows, sorted by who tagged them."""

    objects: dict[tuple[str, str], LiveObject] = field(default_factory=dict)
    duplicates: list[LiveObject] = field(default_factory=list)
    untagged: list[LiveObject] = field(default_factory=list)
    foreign: list[LiveObject] = field(default_factory=list)

    def take(
        self, kind: str, row: Row, repo: str, describe: Callable[[Row], dict[str, Any]]
    ) -> LiveObject | None:
        """File the row; the object when it is this repo's."""
        tags = tag_map(row)
        if TAG_REPO not in tags and TAG_KEY not in tags:
            others = {key: value for key, value in tags.items() if key not in OWN_TAGS}
            name = str(row.get("name") or row["id"])  # addresses and rules have no name
            self.untagged.append(
                LiveObject(kind, name, str(row["id"]), describe(row), unrecorded=others)
            )
            return None
        if tags.get(TAG_REPO) != repo:
            tagged_kind, _, name = tags.get(TAG_KEY, "").partition("/")
            if TAG_REPO in tags and tagged_kind == kind and name:
                self.foreign.append(
                    LiveObject(kind, name, str(row["id"]), {}, repo=tags.get(TAG_REPO, ""))
                )
            return None
        ours = _managed(kind, row, repo, describe)
        if ours is None:
            return None
        if (kind, ours.name) in self.objects:
            self.duplicates.append(ours)
        else:
            self.objects[(kind, ours.name)] = ours
        return ours


def list_kind(client: CloudStackClient, command: str, params: Scope) -> list[dict[str, Any]]:
    """Every row of a kind; none where the cloud has no Kubernetes Service (its plugin off,
    CloudStack answers 432 for listKubernetesClusters as for a command it does not know)."""
    try:
        return client.list(command, **params)
    except ApiError as exc:
        if command == "listKubernetesClusters" and exc.errorcode == UNSUPPORTED_ACTION:
            return []
        raise


def _owner(row: Row, owner_of: dict[str, str]) -> str:
    for column in ("ipaddressid", "publicipid", "networkid", "vpcid", "aclid"):
        if str(row.get(column)) in owner_of:
            return owner_of[str(row.get(column))]
    return ""


def _managed(
    kind: str, row: Row, repo: str, describe: Callable[[Row], dict[str, Any]]
) -> LiveObject | None:
    tags = tag_map(row)
    tagged_kind, _, name = tags.get(TAG_KEY, "").partition("/")
    if tags.get(TAG_REPO) != repo or tagged_kind != kind or not name:
        return None
    keys = label_keys(tags)
    others = {key: value for key, value in tags.items() if key not in OWN_TAGS}
    labels = {key: value for key, value in others.items() if key in (keys or ())}
    return LiveObject(
        kind,
        name,
        str(row["id"]),
        describe(row),
        labels,
        tags.get(TAG_COMMIT),
        tags.get(TAG_PROTECTED) == "true",
        unrecorded=others if keys is None else {},
    )


def managed_projects(projects: Mapping[str, ProjectRef], repo: str) -> set[str]:
    """Projects stackgate has managed for ``repo``: it tags a project when it first changes it."""
    return {name for name, project in projects.items() if project.tags.get(TAG_REPO) == repo}


# Kinds that take no tags: (kind, list command, the project's record tag, description)
RECORDED: tuple[tuple[str, str, str, Callable[[Row], dict[str, Any]]], ...] = (
    ("ssh_key", "listSSHKeyPairs", SSHKEY_TAG, lambda row: {"fingerprint": row.get("fingerprint")}),
    ("affinity_group", "listAffinityGroups", AFFINITY_TAG, Reading.affinity_group),
)


def _recorded(refs: Sequence[ProjectRef], listed: Listed) -> list[tuple[str, LiveObject]]:
    """Every key pair and affinity group of the projects, each one list call, its ``repo``
    the one the project's record names (empty: no repo made it)."""
    by_id = {ref.id: ref for ref in refs}
    return [
        (
            str(row.get("projectid")),
            LiveObject(
                kind,
                row["name"],
                str(row["id"]),
                describe(row),
                repo=by_id[str(row.get("projectid"))].tags.get(prefix + row["name"], ""),
            ),
        )
        for kind, _command, prefix, describe in RECORDED
        for row in listed[kind]
        if str(row.get("projectid")) in by_id
    ]
