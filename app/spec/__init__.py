"""Desired state: the infrastructure repo's YAML, read into typed values with diagnostics."""

from app.spec.loader import load_desired_state, load_repo
from app.spec.state import DesiredState

__all__ = ["DesiredState", "load_desired_state", "load_repo"]
