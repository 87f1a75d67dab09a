package stackgate_test.naming

import data.stackgate

convention := {"naming": {"pattern": "^[a-z][a-z0-9-]{1,40}$"}}

create(kind, name) := {"changes": [{"action": "create", "kind": kind, "project": "p", "name": name, "address": sprintf("p/%s/%s", [kind, name]), "after": {}}]}

test_a_conventional_name_passes if {
	count(stackgate.badly_named(create("network", "app-net"), convention)) == 0
}

test_a_name_against_the_convention_is_denied if {
	count(stackgate.badly_named(create("network", "X"), convention)) == 1
}

test_rules_are_not_named_by_people if {
	count(stackgate.badly_named(create("firewall", "web-ip:tcp:443:0.0.0.0/0"), convention)) == 0
}
