"""Security group rules (SecurityGroupManagerImpl): authorize and revoke ingress and egress
rules by CIDR or by another group (``usersecuritygrouplist``), in the job."""

from __future__ import annotations

import ipaddress

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.securitygroups import group_by_id_or_name
from app.sandbox.errors import INTERNAL_ERROR, ApiError, invalid_parameter, runtime_error
from app.sandbox.security_groups import group_view, rules_of
from app.sandbox.store import Row

PROTOCOLS = ("tcp", "udp", "icmp", "all")  # NetUtils.isValidSecurityGroupProto


def _ports(ctx: Ctx, protocol: str) -> tuple[int, int]:
    """authorizeSecurityGroupRule's checks of the ports, or the ICMP type and code."""
    start, end = ctx.request.number("startport"), ctx.request.number("endport")
    if protocol == "icmp":
        kind, code = ctx.request.number("icmptype", -1), ctx.request.number("icmpcode", -1)
        assert kind is not None and code is not None
        if kind == -1 and code != -1:
            raise runtime_error("Invalid icmp code")
        if kind != -1 and code == -1:
            raise runtime_error("Invalid icmp code: need non-negative icmp code ")
        if not (-1 <= kind <= 255 and -1 <= code <= 255):
            raise runtime_error("Invalid icmp type/code ")
        return kind, code
    if protocol == "all":
        if start is not None or end is not None:
            raise invalid_parameter(
                "Cannot specify startPort or endPort without specifying protocol"
            )
        return 0, 0
    if start is None or end is None:
        shown = ["null" if port is None else port for port in (start, end)]  # Java's text
        raise invalid_parameter(
            f"Invalid port range specified, startPort = {shown[0]}, endPort = {shown[1]}"
        )
    end = 65535 if start == 0 and end == 0 else end
    if start > end:
        raise invalid_parameter(f"Invalid port range {start}:{end}")
    if start > 65535 or end > 65535 or start < -1 or end < -1:
        raise invalid_parameter(f"Invalid port numbers {start}:{end}")
    if start < 0 or end < 0:
        raise invalid_parameter(f"Invalid port range {start}:{end}")
    return start, end


def _protocol(ctx: Ctx) -> str:
    protocol = (ctx.request.get("protocol") or "all").strip().lower()
    if protocol.isdigit():
        number = int(protocol)
        if number > 255:
            raise invalid_parameter(f"Invalid protocol number: {number}")
        return "icmp" if number == 1 else protocol
    if protocol not in PROTOCOLS:
        raise invalid_parameter(f"Invalid protocol {protocol}")
    return protocol


def _allowed_groups(ctx: Ctx, group: Row, protocol: str, ports: tuple[int, int]) -> list[Row]:
    """``usersecuritygrouplist``: groups by name in an account of the group's domain."""
    found = []
    for entry in ctx.request.maps.get("usersecuritygrouplist", []):
        name, account = entry.get("group"), entry.get("account")
        if name is None or account is None:
            raise invalid_parameter(
                "Invalid user group specified, fields 'group' and 'account' cannot be null, "
                "please specify groups in the form:  userGroupList[0].group=XXX&userGroupList"
                "[0].account=YYY"
            )
        if account not in _account_names(ctx):  # AccountDao.findActiveAccount
            raise invalid_parameter(
                f"Nonexistent account: {account} when trying to authorize security group rule  "
                f"for {group['_number']}:{protocol}:{ports[0]}:{ports[1]}"
            )
        by_name = [
            g
            for g in ctx.state.table("security_groups")
            if g["account"] == account and g["name"] == name
        ]
        if not by_name:
            raise invalid_parameter(
                f"Nonexistent group {name} for account {account}/"
                f"{_domain_number(ctx, group)} is given, unable to authorize security group rule."
            )
        found.append(by_name[0])
    return found


def _account_names(ctx: Ctx) -> set[str]:
    state = ctx.state
    names = {row["name"] for row in state.table("accounts")}
    return names | {project["projectaccountname"] for project in state.table("projects")}


def _domain_number(ctx: Ctx, group: Row) -> int:
    domain = ctx.state.table("domains").get(group["domainid"]) or {}
    return int(domain.get("_number", 1))


def _authorize(ctx: Ctx, kind: str) -> Answer:
    """SecurityGroupManagerImpl.authorizeSecurityGroupRule, in the job; a rule that exists
    already is not added again, and a request that adds none fails."""
    group = group_by_id_or_name(  # getSecurityGroupId (the egress command's text says
        ctx,  # authorizeSecurityGroupIngress too)
        ("securitygroupid", "securitygroupname"),
        (
            "securityGroupId and securityGroupName parameters are mutually exclusive",
            "Unable to find security group {} for account id={}",
            "Either securityGroupId or securityGroupName is required by "
            "authorizeSecurityGroupIngress command",
        ),
    )
    cidrs = ctx.request.ids("cidrlist")

    def run() -> tuple[str, Row]:
        if not cidrs and "usersecuritygrouplist" not in ctx.request.maps:
            raise invalid_parameter(
                "At least one cidr or at least one security group needs to be specified"
            )
        for cidr in cidrs:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise invalid_parameter(f"Invalid cidr {cidr}") from None
        protocol = _protocol(ctx)
        ports = _ports(ctx, protocol)
        sources: list[Row] = [
            {"_allowed": g["id"]} for g in _allowed_groups(ctx, group, protocol, ports)
        ]
        sources += [{"_cidr": cidr} for cidr in cidrs]
        existing = rules_of(ctx.state, group)
        added = []
        for source in sources:
            rule: Row = {"_type": kind, "protocol": protocol, "_start": ports[0], "_end": ports[1]}
            rule.update(source)
            if any(all(old.get(k) == v for k, v in rule.items()) for old in existing):
                continue
            rule.update(id=ctx.state.new_id(), _group=group["id"], tags=[])
            rule["_number"] = ctx.state.next_number("security_group_rules")
            rule["_project"] = group.get("projectid", "")
            added.append(ctx.state.table("security_group_rules").add(rule))
        if not added:  # the command's ServerApiException
            raise ApiError(INTERNAL_ERROR, f"Failed to authorize security group {kind} rule(s)")
        return "securitygroup", group_view(ctx.state, group, only=added)

    return ctx.submit(run, ("SecurityGroup", group))


@command("authorizeSecurityGroupIngress")
def authorize_security_group_ingress(ctx: Ctx) -> Answer:
    return _authorize(ctx, "ingress")


@command("authorizeSecurityGroupEgress")
def authorize_security_group_egress(ctx: Ctx) -> Answer:
    return _authorize(ctx, "egress")


def _revoke(ctx: Ctx, kind: str) -> Answer:
    """SecurityGroupManagerImpl.revokeSecurityGroupRule, in the job: the rule's type must match."""
    rule = ctx.entity("security_group_rules", "id")

    def run() -> None:
        if rule["_type"] != kind:
            raise invalid_parameter(f"Mismatch in rule type for security rule {_rule_text(rule)}")
        ctx.state.table("security_group_rules").remove(rule["id"])

    return ctx.submit(run)


def _rule_text(rule: Row) -> str:
    """SecurityGroupRuleVO.toString (ReflectionToStringBuilderUtils, JSON style)."""
    return (
        f'SecurityGroupRule {{"id":{rule["_number"]},"uuid":"{rule["id"]}",'
        f'"type":"{rule["_type"]}"}}'
    )


@command("revokeSecurityGroupIngress")
def revoke_security_group_ingress(ctx: Ctx) -> Answer:
    return _revoke(ctx, "ingress")


@command("revokeSecurityGroupEgress")
def revoke_security_group_egress(ctx: Ctx) -> Answer:
    return _revoke(ctx, "egress")
