"""Firewall, egress and port-forwarding rules: one async create each, deleted by id.

createFirewallRule: ipaddressid, protocol, startport/endport or icmptype/icmpcode, cidrlist.
createEgressFirewallRule: networkid, protocol, ports or icmp, destcidrlist (the repo's
CIDRs are destinations; cidrlist, the source, stays the network's own CIDR).
createPortForwardingRule: ipaddressid, virtualmachineid, protocol, publicport/publicendport,
privateport/privateendport, cidrlist, openfirewall=false: firewall rules are written in the
repo, and CloudStack's own opening (for 0.0.0.0/0) would widen them or clash with one.
Real CloudStack has deprecated cidrlist on port forwarding in some versions (the firewall
rules filter instead); the sandbox keeps it, and the inventory reads it back.
Rules have no names: one a crash left untagged is adopted instead of created again only when
it repeats the step's journaled request (its address or network, protocol, ports and CIDRs:
``scope`` and ``same``) and provably came from it (app/apply/provenance.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.apply.operations.base import Context
from app.apply.operations.common import KINDS, Delete, Operations, after, on_tier, ports, ref
from app.apply.operations.create import Create
from app.plan.model import Action, Change


def _traffic(fields: dict[str, Any]) -> dict[str, Any]:
    """Protocol with its port range or ICMP type and code, as firewall and egress take them."""
    params: dict[str, Any] = {"protocol": fields["protocol"]}
    if fields.get("ports"):
        params["startport"], params["endport"] = ports(fields["ports"])
    for name in ("icmp_type", "icmp_code"):
        if fields.get(name) is not None:
            params[name.replace("_", "")] = fields[name]
    return params


class CreateFirewall(Create):
    kind_name = "firewall"
    command = "createFirewallRule"
    scope: ClassVar[dict[str, str]] = {"ipaddressid": "ipaddressid"}
    same = ("protocol", "startport", "endport", "cidrlist")
    job_class = "org.apache.cloudstack.api.command.user.firewall.CreateFirewallRuleCmd"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        return {
            "ipaddressid": ref(ctx, "public_ip", fields["ip"], self.command),
            **_traffic(fields),
            "cidrlist": ",".join(fields["cidrs"]),
        }


class CreateEgress(Create):
    kind_name = "egress"
    command = "createEgressFirewallRule"
    scope: ClassVar[dict[str, str]] = {"networkid": "networkid"}
    same = ("protocol", "startport", "endport", "destcidrlist")
    job_class = "org.apache.cloudstack.api.command.user.firewall.CreateEgressFirewallRuleCmd"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        return {
            "networkid": ref(ctx, "network", fields["network"], self.command),
            **_traffic(fields),
            "destcidrlist": ",".join(fields["cidrs"]),
        }


class CreatePortForward(Create):
    kind_name = "port_forward"
    command = "createPortForwardingRule"
    scope: ClassVar[dict[str, str]] = {"ipaddressid": "ipaddressid"}
    same = ("protocol", "publicport", "privateport", "virtualmachineid")
    job_class = "org.apache.cloudstack.api.command.user.firewall.CreatePortForwardingRuleCmd"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        public, private = ports(fields["public_port"]), ports(fields["private_port"])
        cidrs = {"cidrlist": ",".join(fields["cidrs"])} if fields.get("cidrs") else {}
        return {
            "ipaddressid": ref(ctx, "public_ip", fields["ip"], self.command),
            "virtualmachineid": ref(ctx, "instance", fields["instance"], self.command),
            "protocol": fields["protocol"],
            "publicport": public[0],
            "publicendport": public[1],
            "privateport": private[0],
            "privateendport": private[1],
            "openfirewall": "false",
            **cidrs,
            **on_tier(ctx, change, self.command),
        }


OPERATIONS: Operations = {
    ("firewall", Action.CREATE): CreateFirewall(),
    ("firewall", Action.DELETE): Delete(KINDS["firewall"], "deleteFirewallRule"),
    ("egress", Action.CREATE): CreateEgress(),
    ("egress", Action.DELETE): Delete(KINDS["egress"], "deleteEgressFirewallRule"),
    ("port_forward", Action.CREATE): CreatePortForward(),
    ("port_forward", Action.DELETE): Delete(KINDS["port_forward"], "deletePortForwardingRule"),
}
