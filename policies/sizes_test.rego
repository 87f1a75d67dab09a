package stackgate_test.sizes

import data.stackgate

caps := {"sizes": {"max_cpu": 16, "max_memory_mib": 65536}}

instance(cpu, memory) := {"changes": [{"action": "create", "kind": "instance", "project": "p", "name": "vm", "address": "p/instance/vm", "after": {"offering": "o", "cpu": cpu, "memory_mib": memory}}]}

rules(doc, settings) := {finding.rule | some finding in stackgate.oversized(doc, settings)}

test_a_huge_instance_is_denied_on_cores_and_memory if {
	rules(instance(32, 131072), caps) == {"sizes/cpu", "sizes/memory_mib"}
}

test_a_small_instance_passes if {
	rules(instance(1, 2048), caps) == set()
}

test_caps_come_from_settings if {
	rules(instance(1, 2048), {"sizes": {"max_cpu": 0, "max_memory_mib": 100000}}) == {"sizes/cpu"}
}
