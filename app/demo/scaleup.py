"""The demo's third pull request: the search team asks for three more workers in its
Kubernetes cluster, and the plan comment shows what that takes from the project's quota."""

from __future__ import annotations

from app.demo.stage import Demo

AUTHOR = "carol"  # of the search team, which owns the cluster


def scale_up(demo: Demo) -> None:
    """Chapters 11 and 12: the pull request opened, and its plan with the quota it adds."""
    demo.console.rule(f"11. {AUTHOR} asks for three more workers in the search cluster")
    opened = demo.open(*demo.workspace.propose_scale_up(AUTHOR), AUTHOR)
    demo.review(12, opened)
