# Exposure: SSH and RDP open to the whole internet are denied; anything else opened to the
# whole internet is allowed but called out.
package stackgate

import data.stackgate.lib

admin_ports := {22, 3389}

everyone(cidrs) if "0.0.0.0/0" in cidrs

everyone(cidrs) if "::/0" in cidrs

covers(ports, port) if {
	parts := split(ports, "-")
	to_number(parts[0]) <= port
	port <= to_number(parts[count(parts) - 1])
}

# SSH and RDP are TCP services; a rule without ports opens every port, these included.
opened(change) := {port |
	change.kind == "firewall"
	change.after.protocol == "tcp"
	port := admin_ports[_]
	reaches(change.after.ports, port)
}

forwarded(change) := {port |
	change.kind == "port_forward"
	object.get(change.after, "protocol", "tcp") == "tcp"
	port := admin_ports[_]
	covers(change.after.public_port, port)
}

reaches(ports, _) if ports == null

reaches(ports, port) if {
	ports != null
	covers(ports, port)
}

# A port forward is open to everyone when it names no sources or names the whole internet.
from_anywhere(cidrs) if count(cidrs) == 0

from_anywhere(cidrs) if everyone(cidrs)

open_admin_ports(doc) := {finding |
	change := doc.changes[_]
	lib.applied(change)
	change.kind == "firewall"
	everyone(change.after.cidrs)
	port := opened(change)[_]
	finding := {
		"msg": sprintf("%s opens port %v to the whole internet; allow your own networks instead", [change.address, port]),
		"resource": change.address,
		"rule": "exposure/admin-ports",
	}
}

forwarded_admin_ports(doc) := {finding |
	change := doc.changes[_]
	lib.applied(change)
	change.kind == "port_forward"
	from_anywhere(change.after.cidrs)
	port := forwarded(change)[_]
	finding := {
		"msg": sprintf("%s forwards port %v from anywhere; add cidrs", [change.address, port]),
		"resource": change.address,
		"rule": "exposure/admin-ports",
	}
}

public(doc) := {finding |
	change := doc.changes[_]
	lib.applied(change)
	change.kind == "firewall"
	everyone(change.after.cidrs)
	count(opened(change)) == 0
	finding := {
		"msg": sprintf("%s is reachable from the whole internet", [change.address]),
		"resource": change.address,
		"rule": "exposure/public",
	}
}

deny contains finding if some finding in open_admin_ports(input)

deny contains finding if some finding in forwarded_admin_ports(input)

warn contains finding if some finding in public(input)
