# Destruction: deletes and replaces need the allow-destroy label on the pull request, and
# what is protected is never destroyed through a pull request at all.
package stackgate

import data.stackgate.lib

unlabelled_destruction(doc) := {finding |
	change := doc.changes[_]
	lib.destructive(change)
	not lib.labelled(doc, "allow-destroy")
	not protected(change)
	finding := {
		"msg": sprintf("%s of %s needs the allow-destroy label: %s", [change.action, change.address, change.lost]),
		"resource": change.address,
		"rule": "destroy/needs-label",
	}
}

protected_destruction(doc) := {finding |
	change := doc.changes[_]
	lib.destructive(change)
	protected(change)
	finding := {
		"msg": sprintf("%s is protected and cannot be %sd; remove 'protected' first in its own pull request", [change.address, change.action]),
		"resource": change.address,
		"rule": "destroy/protected",
	}
}

protected(change) if change.protected == true

protected(change) if change.before.protected == true

deny contains finding if some finding in unlabelled_destruction(input)

deny contains finding if some finding in protected_destruction(input)
