package stackgate_test.destroy

import data.stackgate

delete := {"action": "delete", "kind": "volume", "project": "p", "name": "data", "address": "p/volume/data", "lost": "the volume and its data", "protected": false, "before": {"protected": false}, "after": null}

doc(change, labels) := {"changes": [change], "pull_request": {"labels": labels}}

test_a_delete_needs_the_label if {
	some finding in stackgate.unlabelled_destruction(doc(delete, []))
	finding.msg == "delete of p/volume/data needs the allow-destroy label: the volume and its data"
}

test_the_label_allows_a_delete if {
	count(stackgate.unlabelled_destruction(doc(delete, ["allow-destroy"]))) == 0
}

test_a_replace_counts_as_destruction if {
	replace := object.union(delete, {"action": "replace", "after": {"protected": false}})
	count(stackgate.unlabelled_destruction(doc(replace, []))) == 1
}

test_protected_is_denied_even_with_the_label if {
	guarded := object.union(delete, {"protected": true, "before": {"protected": true}})
	count(stackgate.protected_destruction(doc(guarded, ["allow-destroy"]))) == 1
	count(stackgate.unlabelled_destruction(doc(guarded, []))) == 0
}

test_creates_are_not_destruction if {
	create := {"action": "create", "kind": "volume", "project": "p", "name": "data", "address": "p/volume/data", "lost": "", "protected": false, "before": null, "after": {"protected": false}}
	count(stackgate.unlabelled_destruction(doc(create, []))) == 0
	count(stackgate.protected_destruction(doc(create, []))) == 0
}

project := {"action": "delete", "kind": "project", "project": "shop", "name": "shop", "address": "shop/project/shop", "lost": "the CloudStack project (refused while anything is left in it)", "protected": false, "before": {"state": "active"}, "after": null}

test_deleting_a_project_needs_the_label if {
	some finding in stackgate.unlabelled_destruction(doc(project, []))
	finding.resource == "shop/project/shop"
	count(stackgate.unlabelled_destruction(doc(project, ["allow-destroy"]))) == 0
}
