package stackgate_test.exposure

import data.stackgate

firewall(ports, cidrs) := {"changes": [{"action": "create", "kind": "firewall", "project": "p", "name": "r", "address": "p/firewall/r", "after": {"ports": ports, "cidrs": cidrs, "protocol": "tcp"}}]}

test_ssh_to_the_internet_is_denied if {
	count(stackgate.open_admin_ports(firewall("22", ["0.0.0.0/0"]))) == 1
}

test_rdp_inside_a_range_is_denied if {
	count(stackgate.open_admin_ports(firewall("3000-4000", ["0.0.0.0/0"]))) == 1
}

test_ssh_from_a_private_range_passes if {
	count(stackgate.open_admin_ports(firewall("22", ["10.0.0.0/8"]))) == 0
	count(stackgate.public(firewall("22", ["10.0.0.0/8"]))) == 0
}

test_https_to_the_internet_is_a_warning if {
	count(stackgate.open_admin_ports(firewall("443", ["0.0.0.0/0"]))) == 0
	count(stackgate.public(firewall("443", ["0.0.0.0/0"]))) == 1
}

test_a_port_forward_of_ssh_without_cidrs_is_denied if {
	forward := {"changes": [{"action": "create", "kind": "port_forward", "project": "p", "name": "f", "address": "p/port_forward/f", "after": {"public_port": "22", "cidrs": []}}]}
	count(stackgate.forwarded_admin_ports(forward)) == 1
}

test_a_port_forward_of_ssh_from_the_internet_is_denied if {
	forward := {"changes": [{"action": "create", "kind": "port_forward", "project": "p", "name": "f", "address": "p/port_forward/f", "after": {"public_port": "22", "cidrs": ["0.0.0.0/0"]}}]}
	count(stackgate.forwarded_admin_ports(forward)) == 1
}

test_all_ports_open_to_the_internet_is_denied if {
	count(stackgate.open_admin_ports(firewall(null, ["0.0.0.0/0"]))) == 2
}

test_udp_to_port_22_is_not_ssh if {
	udp := {"changes": [{"action": "create", "kind": "firewall", "project": "p", "name": "r", "address": "p/firewall/r", "after": {"ports": "22", "cidrs": ["0.0.0.0/0"], "protocol": "udp"}}]}
	count(stackgate.open_admin_ports(udp)) == 0
	count(stackgate.public(udp)) == 1
}

test_adopting_ssh_open_to_the_internet_is_denied if {
	adopted := {"changes": [{"action": "adopt", "kind": "firewall", "project": "p", "name": "r", "address": "p/firewall/r", "after": {"ports": "22", "cidrs": ["0.0.0.0/0"], "protocol": "tcp"}}]}
	count(stackgate.open_admin_ports(adopted)) == 1
}

retagged(kind, fields) := {"changes": [{"action": "update", "kind": kind, "project": "p", "name": "r", "address": sprintf("p/%s/r", [kind]), "before": object.union(fields, {"labels": {}}), "after": object.union(fields, {"labels": {"owner": "alice"}}), "changed": [{"field": "labels", "before": {}, "after": {"owner": "alice"}}]}]}

test_a_rule_whose_labels_alone_change_is_not_judged_again if {
	ssh := {"ports": "22", "cidrs": ["0.0.0.0/0"], "protocol": "tcp"}
	count(stackgate.open_admin_ports(retagged("firewall", ssh))) == 0
	count(stackgate.public(retagged("firewall", object.union(ssh, {"ports": "443"})))) == 0
	count(stackgate.forwarded_admin_ports(retagged("port_forward", {"public_port": "22", "cidrs": []}))) == 0
	rule := acl(20, "allow", "22", ["0.0.0.0/0"])
	count(stackgate.acl_admin_ports(retagged("network_acl_rule", rule))) == 0
}

test_an_acl_rule_changed_to_let_ssh_in_is_denied if {
	rule := acl(20, "allow", "22", ["0.0.0.0/0"])
	doc := {"changes": [{"action": "update", "kind": "network_acl_rule", "project": "p", "name": "web-acl:20", "address": "p/network_acl_rule/web-acl:20", "before": object.union(rule, {"cidrs": ["10.0.0.0/8"]}), "after": rule, "changed": [{"field": "cidrs", "before": ["10.0.0.0/8"], "after": ["0.0.0.0/0"]}]}]}
	count(stackgate.acl_admin_ports(doc)) == 1
}

static_nat(before, firewall_rules) := {
	"changes": [{"action": "update", "kind": "public_ip", "project": "p", "name": "ip", "address": "p/public_ip/ip", "before": before, "after": {"network": "n", "static_nat": "bastion"}}],
	"projects": {"p": {"resources": {"firewall": firewall_rules}}},
}

ssh_from(cidrs) := {"ip:tcp:22": {"ip": "ip", "protocol": "tcp", "ports": "22", "cidrs": cidrs}}

test_static_nat_is_called_out_as_public_exposure if {
	doc := static_nat({"static_nat": null}, {})
	count(stackgate.static_nat_public(doc)) == 1
	count(stackgate.static_nat_admin_ports(doc)) == 0
}

test_static_nat_with_ssh_open_to_the_internet_on_the_address_is_denied if {
	count(stackgate.static_nat_admin_ports(static_nat({"static_nat": null}, ssh_from(["0.0.0.0/0"])))) == 1
}

test_a_new_address_with_static_nat_and_ssh_open_is_denied if {
	doc := static_nat(null, ssh_from(["0.0.0.0/0"]))
	count(stackgate.static_nat_admin_ports(doc)) == 1
	count(stackgate.static_nat_public(doc)) == 1
}

test_static_nat_with_ssh_from_a_private_range_passes if {
	count(stackgate.static_nat_admin_ports(static_nat({"static_nat": null}, ssh_from(["10.0.0.0/8"])))) == 0
}

test_a_firewall_rule_on_another_address_does_not_count if {
	other := {"x": {"ip": "other-ip", "protocol": "tcp", "ports": "22", "cidrs": ["0.0.0.0/0"]}}
	count(stackgate.static_nat_admin_ports(static_nat({"static_nat": null}, other))) == 0
}

test_a_static_nat_left_as_it_was_is_not_judged_again if {
	count(stackgate.static_nat_public(static_nat({"static_nat": "bastion"}, ssh_from(["0.0.0.0/0"])))) == 0
}

group(action, ingress) := {"changes": [{"action": action, "kind": "security_group", "project": "p", "name": "web-sg", "address": "p/security_group/web-sg", "before": null, "after": {"description": "", "ingress": ingress, "egress": []}}]}

group_rule(protocol, ports, cidrs) := {"protocol": protocol, "ports": ports, "icmp_type": null, "icmp_code": null, "cidrs": cidrs, "group": null}

test_a_security_group_letting_ssh_in_from_the_internet_is_denied if {
	doc := group("create", [group_rule("tcp", "22", ["0.0.0.0/0"]), group_rule("tcp", "443", ["0.0.0.0/0"])])
	count(stackgate.group_admin_ports(doc)) == 1
	count(stackgate.group_public(doc)) == 1
}

test_a_security_group_letting_every_protocol_in_from_the_internet_is_denied if {
	count(stackgate.group_admin_ports(group("update", [group_rule("all", null, ["::/0"])]))) == 2
}

test_a_security_group_letting_ssh_in_from_a_private_range_or_a_group_passes if {
	peer := object.union(group_rule("tcp", "22", []), {"group": "bastion"})
	doc := group("create", [group_rule("tcp", "1-1024", ["10.0.0.0/8"]), peer])
	count(stackgate.group_admin_ports(doc)) == 0
	count(stackgate.group_public(doc)) == 0
}

changed_group(action, before, after) := {"changes": [{"action": action, "kind": "security_group", "project": "p", "name": "web-sg", "address": "p/security_group/web-sg", "before": {"description": "", "ingress": before, "egress": []}, "after": {"description": "", "ingress": after, "egress": []}}]}

test_a_harmless_change_to_a_group_with_ssh_open_is_not_denied_again if {
	ssh := group_rule("tcp", "22", ["0.0.0.0/0"])
	doc := changed_group("update", [ssh], [ssh, group_rule("tcp", "8080", ["10.0.0.0/8"])])
	count(stackgate.group_admin_ports(doc)) == 0
	count(stackgate.group_public(doc)) == 0
}

test_ssh_opened_to_the_internet_by_an_update_is_denied if {
	https := group_rule("tcp", "443", ["0.0.0.0/0"])
	doc := changed_group("update", [https], [https, group_rule("tcp", "22", ["0.0.0.0/0"])])
	{f.msg | some f in stackgate.group_admin_ports(doc)} == {"p/security_group/web-sg lets port 22 in from the whole internet; allow your own networks instead"}
	count(stackgate.group_public(doc)) == 0
}

test_a_group_made_again_or_adopted_is_judged_whole if {
	ssh := group_rule("tcp", "22", ["0.0.0.0/0"])
	count(stackgate.group_admin_ports(changed_group("replace", [ssh], [ssh]))) == 1
	count(stackgate.group_admin_ports(changed_group("adopt", [ssh], [ssh]))) == 1
}

test_a_deleted_security_group_is_not_judged if {
	count(stackgate.group_admin_ports(group("delete", [group_rule("tcp", "22", ["0.0.0.0/0"])]))) == 0
}

acl(number, action, ports, cidrs) := {"acl": "web-acl", "number": number, "action": action, "traffic": "ingress", "protocol": "tcp", "ports": ports, "cidrs": cidrs}

acl_doc(rule, others) := {
	"changes": [{"action": "create", "kind": "network_acl_rule", "project": "p", "name": sprintf("web-acl:%v", [rule.number]), "address": sprintf("p/network_acl_rule/web-acl:%v", [rule.number]), "after": rule}],
	"projects": {"p": {"resources": {"network_acl_rule": others}}},
}

test_an_acl_rule_letting_ssh_in_from_the_internet_is_denied if {
	rule := acl(20, "allow", "22", ["0.0.0.0/0"])
	count(stackgate.acl_admin_ports(acl_doc(rule, {"web-acl:20": rule}))) == 1
}

test_an_acl_rule_without_cidrs_is_from_everyone if {
	rule := acl(20, "allow", "3389", [])
	count(stackgate.acl_admin_ports(acl_doc(rule, {"web-acl:20": rule}))) == 1
}

test_a_deny_numbered_first_keeps_ssh_out if {
	rule := acl(20, "allow", "1-65535", ["0.0.0.0/0"])
	deny := acl(10, "deny", "22", ["0.0.0.0/0"])
	findings := stackgate.acl_admin_ports(acl_doc(rule, {"web-acl:10": deny, "web-acl:20": rule}))
	{f.msg | some f in findings} == {"p/network_acl_rule/web-acl:20 lets port 3389 in from the whole internet; allow your own networks instead, or deny it in a rule numbered before it"}
}

test_an_acl_rule_for_https_from_the_internet_is_a_warning if {
	rule := acl(20, "allow", "443", ["0.0.0.0/0"])
	count(stackgate.acl_admin_ports(acl_doc(rule, {"web-acl:20": rule}))) == 0
	count(stackgate.acl_public(acl_doc(rule, {"web-acl:20": rule}))) == 1
}

test_an_egress_or_deny_acl_rule_is_not_exposure if {
	out := object.union(acl(20, "allow", "22", ["0.0.0.0/0"]), {"traffic": "egress"})
	count(stackgate.acl_admin_ports(acl_doc(out, {}))) == 0
	no := acl(20, "deny", "22", ["0.0.0.0/0"])
	count(stackgate.acl_admin_ports(acl_doc(no, {}))) == 0
}

test_static_nat_on_a_vpc_address_names_the_tier_acl if {
	doc := {"changes": [{"action": "create", "kind": "public_ip", "project": "p", "name": "ip", "address": "p/public_ip/ip", "before": null, "after": {"vpc": "shop", "static_nat": "jump"}}]}
	some finding in stackgate.static_nat_public(doc)
	contains(finding.msg, "static NAT maps every port its tier's network ACL lets in to the instance")
}
