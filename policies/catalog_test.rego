package stackgate_test.catalog

import data.stackgate

allowed := {"allowed": {"templates": ["debian-12"], "service_offerings": ["small"], "disk_offerings": ["standard"], "network_offerings": ["isolated"]}}

doc(kind, after) := {"changes": [{"action": "create", "kind": kind, "project": "p", "name": "item", "address": sprintf("p/%s/item", [kind]), "after": after}]}

rules(d, settings) := {finding.rule | some finding in (stackgate.not_allowed(d, settings) | stackgate.unlisted_sources(d, settings))}

test_an_unlisted_template_is_denied if {
	rules(doc("instance", {"template": "windows-2003", "offering": "small"}), allowed) == {"catalog/templates"}
}

test_an_unlisted_disk_offering_is_denied if {
	rules(doc("volume", {"offering": "gold"}), allowed) == {"catalog/disk_offerings"}
}

test_listed_names_pass if {
	rules(doc("network", {"offering": "isolated"}), allowed) == set()
}

test_no_list_allows_everything if {
	rules(doc("network", {"offering": "anything"}), {}) == set()
}

test_a_null_list_allows_everything if {
	rules(doc("instance", {"template": "anything", "offering": "small"}), {"allowed": {"templates": null, "service_offerings": ["small"]}}) == set()
}

test_a_template_the_project_registers_is_not_held_to_the_list if {
	registered := object.union(doc("instance", {"template": "golden", "offering": "small"}), {"projects": {"p": {"resources": {"template": {"golden": {}}}}}})
	rules(registered, allowed) == set()
	other := object.union(doc("instance", {"template": "golden", "offering": "small"}), {"projects": {"q": {"resources": {"template": {"golden": {}}}}}})
	rules(other, allowed) == {"catalog/templates"}
}

sources := {"allowed": {"template_sources": ["https://images.example/"]}}

test_a_template_from_an_unlisted_source_is_denied if {
	rules(doc("template", {"url": "http://mirror.example/golden.qcow2"}), sources) == {"catalog/template_sources"}
	rules(doc("template", {"url": "https://images.example/golden.qcow2"}), sources) == set()
}

test_template_sources_not_set_allow_any if {
	rules(doc("template", {"url": "http://mirror.example/golden.qcow2"}), {}) == set()
	rules(doc("template", {"url": "http://mirror.example/golden.qcow2"}), {"allowed": {"template_sources": null}}) == set()
}

test_an_unlisted_vpc_offering_is_denied if {
	rules(doc("vpc", {"offering": "Gold VPC"}), {"allowed": {"vpc_offerings": ["Default VPC offering"]}}) == {"catalog/vpc_offerings"}
	rules(doc("vpc", {"offering": "Default VPC offering"}), {"allowed": {"vpc_offerings": ["Default VPC offering"]}}) == set()
}
