# Quotas: a plan may not take a project over a limit; near a limit is worth a warning.
# Only resources the plan uses more of are judged, so a project already over its limit can
# still merge the change that shrinks it.
package stackgate

over_limit(doc) := {finding |
	quota := doc.quotas[project][resource]
	quota.limit != null
	quota.change > 0
	quota.after > quota.limit
	finding := {
		"msg": sprintf("project %s would use %v %s of a limit of %v", [project, quota.after, resource, quota.limit]),
		"resource": sprintf("%s/limits/%s", [project, resource]),
		"rule": "quota/over-limit",
	}
}

near_limit(doc) := {finding |
	quota := doc.quotas[project][resource]
	quota.limit != null
	quota.limit > 0
	quota.change > 0
	quota.after <= quota.limit
	quota.after * 10 >= quota.limit * 9
	finding := {
		"msg": sprintf("project %s would use %v of %v %s (90%% or more)", [project, quota.after, quota.limit, resource]),
		"resource": sprintf("%s/limits/%s", [project, resource]),
		"rule": "quota/near-limit",
	}
}

deny contains finding if some finding in over_limit(input)

warn contains finding if some finding in near_limit(input)
