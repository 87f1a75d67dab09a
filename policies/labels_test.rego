package stackgate_test.labels

import data.stackgate

required := {"labels": {"required": ["owner", "cost-center"]}}

volume(labels) := {"changes": [{"action": "create", "kind": "volume", "project": "p", "name": "data", "address": "p/volume/data", "after": {"offering": "standard", "labels": labels}}]}

missing(labels) := {finding.msg | some finding in stackgate.unlabelled(volume(labels), required)}

test_both_labels_are_required if {
	missing({}) == {"p/volume/data needs the label owner", "p/volume/data needs the label cost-center"}
}

test_labelled_resources_pass if {
	missing({"owner": "alice", "cost-center": "4711"}) == set()
}
