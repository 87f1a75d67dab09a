# Exposure: SSH and RDP open to the whole internet are denied; anything else opened to the
# whole internet is allowed but called out. A static NAT address maps every port its firewall
# rules open straight to its instance: turning one on is called out, and denied when a
# firewall rule on the address (in the repo, changed or not) opens SSH or RDP to everyone.
# A security group's ingress rules are judged as firewall rules, in the same fields, each when
# it is added (an update judges only the rules it adds); so are a VPC network ACL's allow
# rules for ingress, unless a lower-numbered deny in the same list catches the port first
# (CloudStack applies a list's rules in number order, the first match wins).
package stackgate

import data.stackgate.lib

admin_ports := {22, 3389}

everyone(cidrs) if "0.0.0.0/0" in cidrs

everyone(cidrs) if "::/0" in cidrs

covers(ports, port) if {
	parts := split(ports, "-")
	to_number(parts[0]) <= port
	port <= to_number(parts[count(parts) - 1])
}

# SSH and RDP are TCP services; a rule without ports opens every port, these included.
opened(change) := {port |
	change.kind == "firewall"
	port := admin_open(change.after)[_]
}

# The admin ports a firewall rule's fields open (to whichever CIDRs it names).
admin_open(rule) := {port |
	rule.protocol == "tcp"
	port := admin_ports[_]
	reaches(rule.ports, port)
}

forwarded(change) := {port |
	change.kind == "port_forward"
	object.get(change.after, "protocol", "tcp") == "tcp"
	port := admin_ports[_]
	covers(change.after.public_port, port)
}

reaches(ports, _) if ports == null

reaches(ports, port) if {
	ports != null
	covers(ports, port)
}

# A port forward is open to everyone when it names no sources or names the whole internet.
from_anywhere(cidrs) if count(cidrs) == 0

from_anywhere(cidrs) if everyone(cidrs)

# A rule (firewall, port forward, ACL rule) is judged when it is made, adopted or changed: an
# update that changes only its labels or protection leaves what it opens as it was judged.
rule_judged(change) if {
	lib.applied(change)
	not retagged(change)
}

retagged(change) if {
	change.action in {"update", "update-stop"}
	changed := object.get(change, "changed", [])
	count(changed) > 0
	count([f | some f in changed; not f.field in {"labels", "protected"}]) == 0
}

open_admin_ports(doc) := {finding |
	change := doc.changes[_]
	rule_judged(change)
	change.kind == "firewall"
	everyone(change.after.cidrs)
	port := opened(change)[_]
	finding := {
		"msg": sprintf("%s opens port %v to the whole internet; allow your own networks instead", [change.address, port]),
		"resource": change.address,
		"rule": "exposure/admin-ports",
	}
}

forwarded_admin_ports(doc) := {finding |
	change := doc.changes[_]
	rule_judged(change)
	change.kind == "port_forward"
	from_anywhere(change.after.cidrs)
	port := forwarded(change)[_]
	finding := {
		"msg": sprintf("%s forwards port %v from anywhere; add cidrs", [change.address, port]),
		"resource": change.address,
		"rule": "exposure/admin-ports",
	}
}

public(doc) := {finding |
	change := doc.changes[_]
	rule_judged(change)
	change.kind == "firewall"
	everyone(change.after.cidrs)
	count(opened(change)) == 0
	finding := {
		"msg": sprintf("%s is reachable from the whole internet", [change.address]),
		"resource": change.address,
		"rule": "exposure/public",
	}
}

# An address whose static NAT is turned on, or moved to another instance, by this change.
static_nat_to(change) := change.after.static_nat if {
	change.kind == "public_ip"
	object.get(change.after, "static_nat", null) != null
	was_nat(change) != change.after.static_nat
}

# The static NAT the address had (null for a new one, whose before is null).
was_nat(change) := object.get(change.before, "static_nat", null) if is_object(object.get(change, "before", null))

else := null

static_nat_admin_ports(doc) := {finding |
	change := doc.changes[_]
	lib.applied(change)
	instance := static_nat_to(change)
	some rule in object.get(doc, ["projects", change.project, "resources", "firewall"], {})
	rule.ip == change.name
	everyone(rule.cidrs)
	port := admin_open(rule)[_]
	finding := {
		"msg": sprintf("%s maps port %v of %s to the whole internet (static NAT, and a firewall rule on the address opens it); allow your own networks instead", [change.address, port, instance]),
		"resource": change.address,
		"rule": "exposure/admin-ports",
	}
}

static_nat_public(doc) := {finding |
	change := doc.changes[_]
	lib.applied(change)
	instance := static_nat_to(change)
	finding := {
		"msg": sprintf("%s is public exposure of %s: static NAT maps every port %s to the instance", [change.address, instance, nat_filter(change)]),
		"resource": change.address,
		"rule": "exposure/static-nat",
	}
}

# What decides which ports reach a static NAT instance: on a VPC its tier's network ACL, as a
# VPC's addresses take no firewall rules; elsewhere the address's firewall rules.
nat_filter(change) := "its tier's network ACL lets in" if object.get(change.after, "vpc", null) != null

else := "its firewall rules open"

# The admin ports a security group's rule opens: protocol all opens every port.
group_opened(rule) := admin_ports if rule.protocol == "all"

else := admin_open(rule)

# The ingress rules a group had before an update: they were judged when they were added, so
# an update is judged on the rules it adds, as a firewall rule is judged when it is made. A
# create, replace or adopt has none: every rule of the group is new to the repo.
kept_ingress(change) := object.get(change.before, "ingress", []) if {
	change.action in {"update", "update-stop"}
	is_object(object.get(change, "before", null))
}

else := []

# Ingress rules that the groups a change makes, changes or adopts add, open to the whole internet.
group_open_rules(doc) := {[change, rule] |
	change := doc.changes[_]
	lib.applied(change)
	change.kind == "security_group"
	some rule in object.get(change.after, "ingress", [])
	everyone(rule.cidrs)
	not rule in kept_ingress(change)
}

group_admin_ports(doc) := {finding |
	some [change, rule] in group_open_rules(doc)
	port := group_opened(rule)[_]
	finding := {
		"msg": sprintf("%s lets port %v in from the whole internet; allow your own networks instead", [change.address, port]),
		"resource": change.address,
		"rule": "exposure/admin-ports",
	}
}

group_public(doc) := {finding |
	some [change, rule] in group_open_rules(doc)
	count(group_opened(rule)) == 0
	finding := {
		"msg": sprintf("%s lets %v %v in from the whole internet", [change.address, rule.protocol, object.get(rule, "ports", null)]),
		"resource": change.address,
		"rule": "exposure/public",
	}
}

# An ACL rule's fields as a rule the admin-port helpers read: no cidrs is everyone, as
# CreateNetworkACLCmd's sourcecidrlist defaults to 0.0.0.0/0.
acl_rule(fields) := {
	"protocol": object.get(fields, "protocol", "all"),
	"ports": object.get(fields, "ports", null),
	"cidrs": object.get(fields, "cidrs", []),
}

acl_ingress_from_anywhere(fields, action) if {
	fields.action == action
	fields.traffic == "ingress"
	from_anywhere(acl_rule(fields).cidrs)
}

# A deny numbered before the rule, in its list, from everyone, for this port.
acl_denied_first(doc, change, port) if {
	some rule in object.get(doc, ["projects", change.project, "resources", "network_acl_rule"], {})
	rule.acl == change.after.acl
	rule.number < change.after.number
	acl_ingress_from_anywhere(rule, "deny")
	port in group_opened(acl_rule(rule))
}

acl_open_rules(doc) := {change |
	change := doc.changes[_]
	rule_judged(change)
	change.kind == "network_acl_rule"
	acl_ingress_from_anywhere(change.after, "allow")
}

acl_admin_ports(doc) := {finding |
	some change in acl_open_rules(doc)
	port := group_opened(acl_rule(change.after))[_]
	not acl_denied_first(doc, change, port)
	finding := {
		"msg": sprintf("%s lets port %v in from the whole internet; allow your own networks instead, or deny it in a rule numbered before it", [change.address, port]),
		"resource": change.address,
		"rule": "exposure/admin-ports",
	}
}

acl_public(doc) := {finding |
	some change in acl_open_rules(doc)
	count(group_opened(acl_rule(change.after))) == 0
	finding := {
		"msg": sprintf("%s lets %v %v in from the whole internet", [change.address, acl_rule(change.after).protocol, acl_rule(change.after).ports]),
		"resource": change.address,
		"rule": "exposure/public",
	}
}

deny contains finding if some finding in acl_admin_ports(input)

warn contains finding if some finding in acl_public(input)

deny contains finding if some finding in open_admin_ports(input)

deny contains finding if some finding in group_admin_ports(input)

warn contains finding if some finding in group_public(input)

deny contains finding if some finding in static_nat_admin_ports(input)

warn contains finding if some finding in static_nat_public(input)

deny contains finding if some finding in forwarded_admin_ports(input)

warn contains finding if some finding in public(input)
