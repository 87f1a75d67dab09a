"""Run every benchmark: `python -m bench` (or `make bench`); `python -m bench NAME` runs one."""

import importlib
import sys

from bench import apply, clouds, inventory, loader, peer, plan, policy, soak, startup, webhooks

# `import` is a keyword: the module is named as the others, and loaded by name
importing = importlib.import_module("bench.import")

BENCHMARKS = {
    "startup": startup.main,
    "loader": loader.main,
    "inventory": inventory.main,
    "plan": plan.main,
    "import": importing.main,
    "clouds": clouds.main,
    "policy": policy.main,
    "webhooks": webhooks.main,
    "apply": apply.main,
    "peer": peer.main,  # OpenTofu and Ansible beside stackgate; long at the default 500
    "soak": soak.main,  # minutes, not seconds: last
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHMARKS):
        BENCHMARKS[name]()
