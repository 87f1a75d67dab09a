"""`stackgate apply` killed while a security group's create or one of its rules' authorize is
in flight, or the later step's authorize of a rule naming another group: the resumed apply
ends where the repo says, with each group and rule made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.cloud import converged, env_for, stackgate
from tests.apply.test_apply_affinity_nat import calls, make_repo
from tests.apply.test_apply_nat_in_flight import _killed_in_flight
from tests.apply.test_apply_security_groups import PROJECT, WEB, rules

ONE_GROUP = PROJECT.split("  db-sg:")[0]  # one create or authorize on the wire at a time


@pytest.mark.parametrize(
    "command", ["createSecurityGroup", "authorizeSecurityGroupIngress"]
)  # fmt: skip
def test_a_group_made_while_killed_is_made_once_with_its_rules(
    sandbox: str, tmp_path: Path, command: str
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, ONE_GROUP)
    _killed_in_flight(sandbox, env, repo, tmp_path, command, "security_group:started")
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    converged(env, repo)
    assert rules(sandbox) == {"default": set(), "web-sg": WEB}
    assert calls(sandbox, "createSecurityGroup") == 1


NAMING = """\
project: payments
zone: zone-a
security_groups:
  db-sg:
    ingress:
      - {protocol: tcp, ports: 5432, group: web-sg}
  web-sg:
    egress:
      - {protocol: all, cidrs: [0.0.0.0/0]}
"""  # db-sg's rule naming web-sg is the run's one authorizeSecurityGroupIngress


def test_killed_between_a_group_and_its_rules_naming_another_the_rules_are_made_once(
    sandbox: str, tmp_path: Path
) -> None:
    """Both groups made, then the step authorizing db-sg's rule naming web-sg killed while
    its call is on the wire: the resumed apply finds the rule and sends nothing more."""
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, NAMING)
    step = "security_group:started:update"  # the rules step after both creates
    _killed_in_flight(sandbox, env, repo, tmp_path, "authorizeSecurityGroupIngress", step)
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    converged(env, repo)
    assert rules(sandbox) == {
        "default": set(),
        "db-sg": {("ingress", "tcp", 5432, 5432, "web-sg")},
        "web-sg": {("egress", "all", 0, 0, "0.0.0.0/0")},
    }
    assert calls(sandbox, "authorizeSecurityGroupIngress") == 1
    assert calls(sandbox, "createSecurityGroup") == 2
