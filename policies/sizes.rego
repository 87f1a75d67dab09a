# Instance sizes: no single instance larger than the caps in data.stackgate_config.sizes.
# The plan writes each instance's cores and memory (from its offering) into the change.
package stackgate

import data.stackgate.lib

oversized(doc, settings) := {finding |
	caps := lib.setting(settings, ["sizes"], {"max_cpu": 16, "max_memory_mib": 65536})
	change := doc.changes[_]
	lib.applied(change)
	change.kind == "instance"
	some [field, cap, unit] in [["cpu", "max_cpu", "cores"], ["memory_mib", "max_memory_mib", "MiB of memory"]]
	change.after[field] > caps[cap]
	finding := {
		"msg": sprintf("%s: offering %s has %v %s, over the cap of %v", [change.address, change.after.offering, change.after[field], unit, caps[cap]]),
		"resource": change.address,
		"rule": sprintf("sizes/%s", [field]),
	}
}

deny contains finding if some finding in oversized(input, lib.config)
