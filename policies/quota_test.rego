package stackgate_test.quota

import data.stackgate

doc(quota) := {"quotas": {"payments": {"cpu": quota}}, "changes": []}

test_over_the_limit_is_denied if {
	stackgate.over_limit(doc({"used": 10, "change": 8, "pending": 0, "after": 18, "limit": 16})) == {{
		"msg": "project payments would use 18 cpu of a limit of 16",
		"resource": "payments/limits/cpu",
		"rule": "quota/over-limit",
	}}
}

test_near_the_limit_is_a_warning_not_a_denial if {
	near := doc({"used": 10, "change": 5, "pending": 0, "after": 15, "limit": 16})
	count(stackgate.over_limit(near)) == 0
	some finding in stackgate.near_limit(near)
	finding.rule == "quota/near-limit"
}

test_unlimited_never_warns if {
	open := doc({"used": 100, "change": 50, "pending": 0, "after": 150, "limit": null})
	count(stackgate.over_limit(open)) == 0
	count(stackgate.near_limit(open)) == 0
}

test_a_plan_that_frees_quota_is_not_blamed if {
	count(stackgate.over_limit(doc({"used": 20, "change": -2, "pending": 0, "after": 18, "limit": 16}))) == 0
}
