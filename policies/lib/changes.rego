# Helpers shared by the default policies. Every policy is a function of the input document
# and the platform's settings, so tests call it directly with a literal document and both
# engines run the same tests.
package stackgate.lib

# A change that makes, alters or adopts something (not a delete, not a limit). An adopted
# object is judged like a new one: from the merge on, the repo vouches for what runs (an
# SSH port open to the internet is denied whether stackgate opened it or takes it over).
# Naming judges creates only: an adopted object keeps the name it runs under. Policies iterate
# doc.changes and test each change with these predicates, rather than call a set-valued
# function inside a comprehension, which an engine may evaluate again for every element.
applied(change) if {
	change.action in {"adopt", "create", "update", "update-stop", "replace"}
	change.kind != "limits"
}

destructive(change) if change.action in {"delete", "replace"}

# The pull request carries a label (never, when a plan is judged outside a pull request).
labelled(doc, label) if label in object.get(doc, ["pull_request", "labels"], [])

# The platform team's settings (policies/data.json and stackgate's own settings).
default config := {}

config := data.stackgate_config

setting(settings, path, fallback) := object.get(settings, path, fallback)
