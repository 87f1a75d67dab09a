# The catalog self-service may use: templates and offerings listed in
# data.stackgate_config.allowed, and the sources (URL prefixes, allowed.template_sources) a
# project's own templates are registered from. A list that is not set, or set to null,
# allows everything.
package stackgate

import data.stackgate.lib

# kind → (field of the change, list in the allowed data)
checked := [
	["instance", "template", "templates"],
	["instance", "offering", "service_offerings"],
	["volume", "offering", "disk_offerings"],
	["network", "offering", "network_offerings"],
	["vpc", "offering", "vpc_offerings"],
]

not_allowed(doc, settings) := {finding |
	allowed := lib.setting(settings, ["allowed"], {})
	change := doc.changes[_]
	lib.applied(change)
	rule := checked[_]
	change.kind == rule[0]
	not own_template(doc, change, rule)
	permitted := allowed[rule[2]]
	permitted != null
	value := change.after[rule[1]]
	not value in permitted
	finding := {
		# The allowed names are left out: rego-cpp quotes strings made by concat() in sprintf.
		"msg": sprintf("%s: %s %s is not in the platform's allowed %s", [change.address, rule[1], value, rule[2]]),
		"resource": change.address,
		"rule": sprintf("catalog/%s", [rule[2]]),
	}
}

deny contains finding if some finding in not_allowed(input, lib.config)

# An instance on a template its project registers (templates:) is not held to the cloud's
# catalog list: the template is itself an entry of the repo, reviewed like the instance.
own_template(doc, change, rule) if {
	rule[1] == "template"
	doc.projects[change.project].resources.template[change.after.template]
}

unlisted_sources(doc, settings) := {finding |
	sources := lib.setting(settings, ["allowed", "template_sources"], null)
	sources != null
	change := doc.changes[_]
	change.kind == "template"
	lib.applied(change)
	url := change.after.url
	not listed_source(url, sources)
	finding := {
		"msg": sprintf("%s: template url %s is not under one of the platform's allowed template_sources", [change.address, url]),
		"resource": change.address,
		"rule": "catalog/template_sources",
	}
}

listed_source(url, sources) if {
	some source in sources
	startswith(url, source)
}

deny contains finding if some finding in unlisted_sources(input, lib.config)
