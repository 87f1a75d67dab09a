"""The members of the untagged load balancers a repo declares, read from the cloud.

A managed load balancer's members are read from stackgate's own tag, at no call. An untagged
one has no such tag, and CloudStack lists a rule's instances only per rule
(listLoadBalancerRuleInstances takes the rule's id; neither the rule's nor a VM's response
names the other), so the plan reads them for the rules it may adopt, one call each, and for
no other: a plan of a managed cloud makes none.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from functools import partial

from app.cloudstack.client import CloudStackClient
from app.cloudstack.model import LiveObject, LiveProject


def with_members(
    client: CloudStackClient,
    projects: Mapping[str, LiveProject],
    declared: Mapping[str, Collection[str]],
) -> dict[str, LiveProject]:
    """``projects`` with the members of each untagged load balancer whose name ``declared``
    (project → load balancer names) holds for its project; the rules are read side by side."""
    wanted = [
        (project, obj)
        for name, project in projects.items()
        for obj in project.untagged
        if _wanted(obj, declared.get(name, ()))
    ]
    read = client.gather([partial(_read, client, project, obj) for project, obj in wanted])
    members = {
        (project.name, obj.id): got for (project, obj), got in zip(wanted, read, strict=True)
    }
    return {
        name: replace(
            project,
            untagged=tuple(members.get((name, obj.id), obj) for obj in project.untagged),
        )
        for name, project in projects.items()
    }


def _wanted(obj: LiveObject, names: Collection[str]) -> bool:
    return obj.kind == "load_balancer" and obj.name in names


def _read(client: CloudStackClient, project: LiveProject, obj: LiveObject) -> LiveObject:
    listed = client.list("listLoadBalancerRuleInstances", id=obj.id, projectid=project.id)
    members = sorted(str(vm["name"]) for vm in listed)
    return replace(obj, fields={**obj.fields, "members": members})
