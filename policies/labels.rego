# Required labels: instances and volumes say who owns them and who pays.
package stackgate

import data.stackgate.lib

unlabelled(doc, settings) := {finding |
	required := lib.setting(settings, ["labels", "required"], ["owner", "cost-center"])
	change := doc.changes[_]
	lib.applied(change)
	change.kind in {"instance", "volume"}
	label := required[_]
	not change.after.labels[label]
	finding := {
		"msg": sprintf("%s needs the label %s", [change.address, label]),
		"resource": change.address,
		"rule": "labels/required",
	}
}

deny contains finding if some finding in unlabelled(input, lib.config)
