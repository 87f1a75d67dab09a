# Names follow the convention in data.stackgate_config.naming.pattern (a regular expression).
# Rules are named by their content and are not judged here.
package stackgate

import data.stackgate.lib

named_kinds := {"network", "instance", "volume", "public_ip", "load_balancer", "ssh_key"}

badly_named(doc, settings) := {finding |
	pattern := lib.setting(settings, ["naming", "pattern"], "^[a-z][a-z0-9-]{1,40}$")
	change := doc.changes[_]
	change.action == "create"
	change.kind in named_kinds
	not regex.match(pattern, change.name)
	finding := {
		"msg": sprintf("%s: the name %s does not follow the naming convention %s", [change.address, change.name, pattern]),
		"resource": change.address,
		"rule": "naming/pattern",
	}
}

deny contains finding if some finding in badly_named(input, lib.config)
