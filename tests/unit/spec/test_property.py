"""Mutated versions of valid project files give diagnostics, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.spec import load_desired_state
from app.spec.diagnostics import Code, Severity
from app.spec.sources import MemorySource

EXAMPLE = Path(__file__).parents[3] / "examples" / "infra"
FILES = {
    path.relative_to(EXAMPLE).as_posix(): path.read_bytes()
    for path in sorted(EXAMPLE.rglob("*.yaml"))
}
NAMES = sorted(FILES)

# values of other YAML types to put where a scalar was
RETYPES = [b"42", b"-1", b"true", b"~", b"[]", b"{}", b"[a, b]", b"2024-01-01", b"'x'", b"1.5e3",
           b"*nope", b"&a x", b"!!binary aGk=", b"0x1F", b"40GB", b"''"]  # fmt: skip


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    lines = _lines(data)
    kind = draw(st.sampled_from(["delete", "duplicate", "retype", "truncate", "inject", "indent"]))
    at = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        count = draw(st.integers(1, 5))
        del lines[at : at + count]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "retype":
        head, sep, _ = lines[at].partition(b": ")
        lines[at] = head + (sep or b": ") + draw(st.sampled_from(RETYPES))
    elif kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    elif kind == "inject":
        position = draw(st.integers(0, len(data)))
        noise = draw(st.binary(min_size=1, max_size=8))
        return data[:position] + noise + data[position:]
    else:
        lines[at] = b" " * draw(st.integers(1, 3)) + lines[at]
    return b"\n".join(lines)


@st.composite
def mutated_repo(draw: st.DrawFn) -> dict[str, bytes]:
    files = dict(FILES)
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3)):
        files[name] = draw(mutation(files[name]))
    return files


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_repo())
def test_mutations_only_ever_give_diagnostics(files: dict[str, bytes]) -> None:
    state = load_desired_state(MemorySource(files))
    for diagnostic in state.diagnostics:
        assert diagnostic.code in Code and diagnostic.severity in Severity
        assert diagnostic.message
        file = diagnostic.location.file
        assert file in files or file == "projects" or file.startswith("projects/")
        if file in files:
            assert 0 <= diagnostic.location.line <= files[file].count(b"\n") + 1
    if state.ok:
        assert state.projects


def test_the_unmutated_repo_is_valid() -> None:
    state = load_desired_state(MemorySource(FILES))
    assert state.diagnostics == ()
    assert sorted(state.projects) == ["analytics", "checkout", "payments", "search"]
