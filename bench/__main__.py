"""Run every benchmark: `python -m bench` (or `make bench`); `python -m bench NAME` runs one."""

import sys

from bench import apply, inventory, loader, peer, plan, policy, soak, webhooks

BENCHMARKS = {
    "loader": loader.main,
    "inventory": inventory.main,
    "plan": plan.main,
    "policy": policy.main,
    "webhooks": webhooks.main,
    "apply": apply.main,
    "peer": peer.main,  # OpenTofu and Ansible beside stackgate; long at the default 500
    "soak": soak.main,  # minutes, not seconds: last
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHMARKS):
        BENCHMARKS[name]()
