package stackgate_test.approvals

import data.stackgate

instance := {"action": "create", "kind": "instance", "project": "payments", "name": "vm", "address": "payments/instance/vm", "after": {}}

limit := {"action": "update", "kind": "limits", "project": "payments", "name": "cpu", "address": "payments/limits/cpu", "after": {"limit": 64}}

doc(changes) := {"changes": changes, "projects": {"payments": {"owners": ["alice", "@payments-leads"]}}}

test_a_change_needs_an_owner if {
	stackgate.owner_approvals(doc([instance])) == {{"count": 1, "from": ["@payments-leads", "alice"], "reason": "changes to project payments need an approval from one of its owners"}}
}

test_a_limit_change_also_needs_the_platform_team if {
	some requirement in stackgate.platform_approvals(doc([limit]), {})
	requirement.from == ["@platform"]
}

test_the_platform_group_comes_from_settings if {
	some requirement in stackgate.platform_approvals(doc([limit]), {"platform_group": "@cloud-ops"})
	requirement.from == ["@cloud-ops"]
}

test_no_changes_need_no_approvals if {
	count(stackgate.owner_approvals(doc([]))) == 0
	count(stackgate.platform_approvals(doc([]), {})) == 0
}

test_deleting_a_departed_project_needs_the_platform_team if {
	gone := {"changes": [{"action": "delete", "kind": "instance", "project": "old", "name": "vm", "address": "old/instance/vm"}], "projects": {}}
	some requirement in stackgate.departed_approvals(gone, {})
	requirement.from == ["@platform"]
	count(stackgate.owner_approvals(gone)) == 0
}

created := {"action": "create", "kind": "project", "project": "shop", "name": "shop", "address": "shop/project/shop", "after": {"domain": "ROOT/apps/retail"}}

removed := {"action": "delete", "kind": "project", "project": "shop", "name": "shop", "address": "shop/project/shop", "before": {}}

admin := {"action": "update", "kind": "project_member", "project": "payments", "name": "user:erin", "address": "payments/project_member/user:erin", "after": {"role": "Admin"}}

regular := {"action": "create", "kind": "project_member", "project": "payments", "name": "user:bob", "address": "payments/project_member/user:bob", "after": {"role": "Regular"}}

test_a_new_project_a_deleted_one_and_a_new_admin_need_the_platform_team if {
	reasons := {r.reason | some r in stackgate.tenancy_approvals(doc([created, removed, admin]), {})}
	reasons == {
		"creating project shop needs the platform team",
		"deleting project shop needs the platform team",
		"making user:erin an Admin of project payments needs the platform team",
	}
	every r in stackgate.tenancy_approvals(doc([created]), {}) {
		r.from == ["@platform"]
	}
}

test_a_regular_member_needs_only_the_owners if {
	count(stackgate.tenancy_approvals(doc([regular]), {})) == 0
	count(stackgate.owner_approvals(doc([regular]))) == 1
}

adopted := {"action": "adopt", "kind": "network", "project": "payments", "name": "app-net", "address": "payments/network/app-net", "before": {}, "after": {}}

test_adopting_needs_the_owners if {
	stackgate.adoption_approvals(doc([adopted, instance]), {}) == {{"count": 1, "from": ["@payments-leads", "alice"], "reason": "adopting objects that already run in project payments needs an approval from its owners"}}
	count(stackgate.adoption_approvals(doc([instance]), {})) == 0
}

test_adopting_in_a_project_without_owners_needs_the_platform_team if {
	ownerless := {"changes": [adopted], "projects": {"payments": {"owners": []}}}
	some requirement in stackgate.adoption_approvals(ownerless, {"platform_group": "@cloud-ops"})
	requirement.from == ["@cloud-ops"]
}

template(action, after) := {"action": action, "kind": "template", "project": "payments", "name": "golden", "address": "payments/template/golden", "after": after}

test_registering_a_template_needs_the_platform_team if {
	stackgate.image_approvals(doc([template("create", {"url": "https://images.example/golden.qcow2"})]), {}) == {{"count": 1, "from": ["@platform"], "reason": "registering template golden in project payments needs the platform team"}}
	count(stackgate.image_approvals(doc([template("replace", {})]), {})) == 1
	count(stackgate.image_approvals(doc([template("adopt", {})]), {})) == 1
}

test_describing_or_deleting_a_template_needs_only_the_owners if {
	count(stackgate.image_approvals(doc([template("update", {"description": "new"})]), {})) == 0
	count(stackgate.image_approvals(doc([template("delete", {})]), {})) == 0
}
