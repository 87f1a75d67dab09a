"""Problems meant for people: values with a stable code, a place in a file and a fix hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Stable diagnostic codes; scripts and docs refer to them, so never renumber one."""

    YAML_SYNTAX = "SG101"
    DUPLICATE_KEY = "SG102"
    NOT_A_MAPPING = "SG103"
    UNKNOWN_FIELD = "SG104"
    WRONG_TYPE = "SG105"
    MISSING_FIELD = "SG106"
    BAD_SIZE = "SG107"
    BAD_VALUE = "SG108"
    DANGLING_REFERENCE = "SG110"
    DUPLICATE_NAME = "SG111"
    PROJECT_CONFLICT = "SG112"
    CLOUD_NOT_ALLOWED = "SG113"
    NETWORK_MISMATCH = "SG114"
    TIER_OVERLAP = "SG115"
    TIER_OUTSIDE_VPC = "SG116"
    DUPLICATE_RULE_NUMBER = "SG117"
    STATIC_NAT_EXCLUSIVE = "SG118"
    VPC_MISMATCH = "SG119"
    FILE_TOO_LARGE = "SG120"
    NOT_UTF8 = "SG121"
    SYMLINK_OUTSIDE = "SG122"
    EMPTY_FILE = "SG123"
    ALIAS_BOMB = "SG124"
    TOO_DEEP = "SG125"
    CLUSTER_NETWORK_TAKEN = "SG126"  # CKS puts one cluster on an isolated network
    TEMPLATE_NOT_IN_ZONE = "SG127"
    POLICY_ON_DETACHED_VOLUME = "SG128"  # CloudStack schedules snapshots of Ready volumes only
    NO_PROJECTS = "SG130"
    UNREADABLE = "SG131"
    # found while planning against the cloud
    UNKNOWN_ZONE = "SG201"
    UNKNOWN_SERVICE_OFFERING = "SG202"
    UNKNOWN_TEMPLATE = "SG203"
    UNKNOWN_DISK_OFFERING = "SG204"
    UNKNOWN_NETWORK_OFFERING = "SG205"
    UNKNOWN_PROJECT = "SG206"
    CLOUD_UNAVAILABLE = "SG207"
    IMPOSSIBLE_CHANGE = "SG208"
    DISK_SIZE = "SG209"
    QUOTA_EXCEEDED = "SG210"
    QUOTA_NEAR = "SG211"
    DUPLICATE_LIVE = "SG212"
    SOURCE_NAT_CLAIM = "SG213"
    SOURCE_NAT_RELEASE = "SG214"
    ADOPT_AMBIGUOUS = "SG215"  # two untagged objects fit one declaration
    ADOPT_FOREIGN = "SG216"  # the declared object is another repo's
    UNKNOWN_MEMBER = "SG220"
    DUPLICATE_MEMBER = "SG221"
    LAST_ADMIN = "SG222"
    NO_PROJECT_OWNER = "SG223"
    PROJECT_ELSEWHERE = "SG224"
    PROJECT_DEFAULTS_UNREAD = "SG225"
    UNKNOWN_ROLE = "SG226"
    UNKNOWN_VPC_OFFERING = "SG230"
    NO_SECURITY_GROUPS = "SG231"
    UNKNOWN_AFFINITY_TYPE = "SG232"
    NOT_A_VPC_OFFERING = "SG233"
    NO_KUBERNETES_SERVICE = "SG234"
    UNKNOWN_KUBERNETES_VERSION = "SG235"
    KUBERNETES_OFFERING_TOO_SMALL = "SG236"
    KUBERNETES_HA_UNSUPPORTED = "SG237"
    KUBERNETES_UPGRADE = "SG238"  # a version CKS cannot upgrade the live cluster to
    KUBERNETES_BUSY = "SG239"  # the live cluster is scaling, upgrading, starting, ...
    KUBERNETES_NETWORK = "SG240"  # a network CKS cannot put a cluster on


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in the repo: path relative to the repo root, 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: Code
    message: str
    location: Location
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[Location, str, str]:
        return (self.location, self.code.value, self.message)

    def as_line(self) -> str:
        """The one-line form editors and CI logs understand (`file:line:col: error SGxxx ...`)."""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.location}: {self.severity.value} {self.code.value} {self.message}{hint}"

    def as_dict(self) -> dict[str, str | int]:
        return {
            "severity": self.severity.value,
            "code": self.code.value,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "hint": self.hint,
        }


def error(code: Code, message: str, location: Location, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, location, hint)


def warning(code: Code, message: str, location: Location, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, location, hint)


def has_errors(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
