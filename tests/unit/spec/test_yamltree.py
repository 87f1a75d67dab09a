"""The YAML reader: positions kept, every duplicate reported, aliases bounded."""

from __future__ import annotations

from app.spec.diagnostics import Code
from app.spec.yamltree import ALIAS_EXPANSION_BUDGET, parse_yaml


def test_positions_of_keys_and_values_are_one_based() -> None:
    doc, problems = parse_yaml("a:\n  b: [x, y]\n  c: 1\n", "f.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"a": {"b": ["x", "y"], "c": 1}}
    assert doc.key_at(("a", "c")) == (3, 3)
    assert doc.value_at(("a", "b", 1)) == (2, 10)
    assert doc.value_at(("a", "missing", "deeper")) == (2, 3)  # nearest enclosing node


def test_every_duplicate_key_is_reported_and_the_first_value_kept() -> None:
    doc, problems = parse_yaml("a: 1\nb: 2\na: 3\nb: 4\na: 5\n", "f.yaml")
    assert doc is not None and doc.data == {"a": 1, "b": 2}
    assert [(p.code, p.location.line, p.hint) for p in problems] == [
        (Code.DUPLICATE_KEY, 3, "first defined on line 1"),
        (Code.DUPLICATE_KEY, 4, "first defined on line 2"),
        (Code.DUPLICATE_KEY, 5, "first defined on line 1"),
    ]


def test_merge_keys_fill_in_without_overriding() -> None:
    doc, problems = parse_yaml("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert problems == [] and doc is not None
    assert doc.data["thing"] == {"x": 1, "y": 3}


def test_aliases_point_at_where_they_are_used_not_at_the_anchor() -> None:
    doc, _ = parse_yaml("one: &a {x: 1}\ntwo: *a\n", "f.yaml")
    assert doc is not None
    assert doc.value_at(("two", "x")) == (2, 1)


def test_recursive_alias_is_refused() -> None:
    doc, problems = parse_yaml("a: &a [*a]\n", "f.yaml")
    assert doc is None
    assert [p.code for p in problems] == [Code.ALIAS_BOMB]


def test_alias_expansion_is_bounded_before_building() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    doc, problems = parse_yaml("\n".join(levels) + "\n", "f.yaml")
    assert doc is None
    assert problems[-1].code is Code.ALIAS_BOMB
    assert f"{ALIAS_EXPANSION_BUDGET:,}" in problems[-1].message


def test_syntax_error_names_where_the_unclosed_part_started() -> None:
    doc, problems = parse_yaml("a: {x: 1\nb: 2\n", "f.yaml")
    assert doc is None
    assert problems[0].code is Code.YAML_SYNTAX
    assert "starts on line 1" in problems[0].hint


def test_control_characters_are_a_syntax_error_with_position() -> None:
    doc, problems = parse_yaml("a: 1\nb: x\x07y\n", "f.yaml")
    assert doc is None
    assert [(p.code, p.location.line, p.location.column) for p in problems] == [
        (Code.YAML_SYNTAX, 2, 5)
    ]


def test_two_documents_in_one_file() -> None:
    _, problems = parse_yaml("a: 1\n---\nb: 2\n", "f.yaml")
    assert problems[0].message == "YAML syntax error: more than one YAML document in the file"


def test_invalid_timestamp_is_a_diagnostic() -> None:
    doc, problems = parse_yaml("when: 2024-13-45\n", "f.yaml")
    assert doc is None and problems[0].code is Code.BAD_VALUE
