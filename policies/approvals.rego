# Approvals: a change to a project needs one of its owners; adopting what already runs in it
# needs one of them too, by name (the platform team where it has no owners); a change to its
# limits, a new project, a deleted project, a member made Admin and a template registered need
# the platform team
# (data.stackgate_config.platform_group).
package stackgate

import data.stackgate.lib

owner_approvals(doc) := {requirement |
	project := doc.changes[_].project
	owners := object.get(doc, ["projects", project, "owners"], [])
	count(owners) > 0
	requirement := {
		"count": 1,
		"from": sort(owners),
		"reason": sprintf("changes to project %s need an approval from one of its owners", [project]),
	}
}

# Adopting hands objects someone made by hand to the repo, which from then on may change or
# delete them: the project's owners say so, as a requirement of its own in the comment.
adoption_approvals(doc, settings) := {requirement |
	project := doc.changes[i].project
	doc.changes[i].action == "adopt"
	owners := object.get(doc, ["projects", project, "owners"], [])
	requirement := {
		"count": 1,
		"from": adopters(owners, settings),
		"reason": sprintf("adopting objects that already run in project %s needs an approval from its owners", [project]),
	}
}

adopters(owners, _) := sort(owners) if count(owners) > 0

adopters(owners, settings) := [lib.setting(settings, ["platform_group"], "@platform")] if count(owners) == 0

# A project that left the repo has no owners any more: deleting what it had is the platform's call.
departed_approvals(doc, settings) := {requirement |
	project := doc.changes[_].project
	not doc.projects[project]
	requirement := {
		"count": 1,
		"from": [lib.setting(settings, ["platform_group"], "@platform")],
		"reason": sprintf("project %s left the repo; deleting its resources needs the platform team", [project]),
	}
}

platform_approvals(doc, settings) := {requirement |
	change := doc.changes[_]
	change.kind == "limits"
	requirement := {
		"count": 1,
		"from": [lib.setting(settings, ["platform_group"], "@platform")],
		"reason": sprintf("changes to the limits of project %s need the platform team", [change.project]),
	}
}

# A template is the image every instance on it boots: where a project's images come from is
# the platform's call, as its catalog is (catalog.rego may also bound their sources).
image_approvals(doc, settings) := {requirement |
	change := doc.changes[_]
	change.kind == "template"
	change.action in {"create", "replace", "adopt"}
	requirement := {
		"count": 1,
		"from": [lib.setting(settings, ["platform_group"], "@platform")],
		"reason": sprintf("registering template %s in project %s needs the platform team", [change.name, change.project]),
	}
}

# Tenancy is the platform's call: who gets a project, loses one, or administers one.
tenancy_approvals(doc, settings) := {requirement |
	change := doc.changes[_]
	requirement := {
		"count": 1,
		"from": [lib.setting(settings, ["platform_group"], "@platform")],
		"reason": tenancy_reason(change),
	}
}

tenancy_reason(change) := sprintf("creating project %s needs the platform team", [change.project]) if {
	change.kind == "project"
	change.action == "create"
}

tenancy_reason(change) := sprintf("deleting project %s needs the platform team", [change.project]) if {
	change.kind == "project"
	change.action == "delete"
}

tenancy_reason(change) := sprintf("making %s an Admin of project %s needs the platform team", [change.name, change.project]) if {
	change.kind == "project_member"
	change.after.role == "Admin"
}

approvals contains requirement if some requirement in owner_approvals(input)

approvals contains requirement if some requirement in tenancy_approvals(input, lib.config)

approvals contains requirement if some requirement in platform_approvals(input, lib.config)

approvals contains requirement if some requirement in departed_approvals(input, lib.config)

approvals contains requirement if some requirement in adoption_approvals(input, lib.config)

approvals contains requirement if some requirement in image_approvals(input, lib.config)
