"""Line shapes: a template rebuilds exactly the value the subset reader parsed.

The template of a shape is kept only when the parsed value is made of exactly the line's
strings, in order; it must then rebuild, from another line of the same shape, what parsing
that line gives (checked through the subset reader, against ``tomllib``).
"""

from __future__ import annotations

import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from bootguard.manifest._lock_shapes import STRING, build, split, template
from bootguard.manifest._lock_skip import UV
from bootguard.manifest._lock_subset import read_subset


def test_a_line_splits_into_its_strings_and_its_shape() -> None:
    assert split('    { name = "a", marker = "b" },') == (
        ["a", "b"],
        ("    { name = ", ", marker = ", " },"),
    )
    assert split('a = "x\\"y"') is None  # a backslash: quotes are not all delimiters
    assert split("version = 1") == ([], ("version = 1",))
    assert split('a = "x""y') is None  # an unpaired quote: as many parts as ``a = "x"``


def test_a_line_with_an_unpaired_quote_never_takes_a_template() -> None:
    text = '[t1]\na = "x"\n[t2]\na = "x""y\n'  # the second line is invalid
    assert read_subset(text, UV) is None


def test_templates_are_kept_only_for_values_made_of_exactly_the_strings() -> None:
    assert template("a", ["a"]) == (STRING,)
    assert template({"name": "a", "marker": "b"}, ["a", "b"]) == (("name", "marker"),)
    assert template(["a", "b"], ["a", "b"]) == (None,)
    assert template(1, []) == (1,) and template(False, []) == (False,)
    assert template("a", ["k", "a"]) is None  # a quoted key is one string more
    assert template({"k": ["a"]}, ["a"]) is None  # nested: parsed every time
    assert template({"k": 1}, []) is None
    assert template(1, ["a"]) is None


def test_built_values_are_fresh() -> None:
    first = build(("name",), ["a"])
    second = build(("name",), ["a"])
    assert first == second == {"name": "a"} and first is not second
    assert build(None, ["a", "b"]) == ["a", "b"]
    assert build(STRING, ["a"]) == "a"
    assert build(True, []) is True


_STRINGS = st.text(st.sampled_from("ab #],{}=.'é \""), max_size=5).filter(lambda t: '"' not in t)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_STRINGS, _STRINGS), min_size=1, max_size=6))
def test_lines_of_one_shape_read_as_tomllib_reads_them(pairs: list[tuple[str, str]]) -> None:
    text = "".join(
        f'[[package]]\nname = "{a}"\nsource = {{ registry = "{b}" }}\ngroups = ["{a}", "{b}"]\n'
        f'optional = false\ndependencies = [\n    {{ name = "{b}", marker = "{a}" }},\n'
        f'    "{a}",\n]\n'
        for a, b in pairs
    )
    document = read_subset(text, UV)
    assert document is not None
    assert repr(document) == repr(tomllib.loads(text))


_CLEAN = st.sampled_from(["x", "", "a b", "#", "]", "=", "é"])
_TRICKY = st.sampled_from(['"', 'x"', '"x', "\\", '\\"']) | st.text(
    st.sampled_from(["x", '"', "\\", " ", "=", ",", "#", "]", "}", "{", "'"]), max_size=4
)
_SLOTS = st.one_of(_CLEAN, _CLEAN, _CLEAN, _TRICKY)  # mostly valid: one bad line declines all
_SKELETONS = (
    'name = "{}"', 'source = {{ registry = "{}", url = "{}" }}', 'groups = ["{}", "{}"]',
    'optional = false', 'dependencies = [\n    {{ name = "{}", marker = "{}" }},\n    "{}",\n]',
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_SKELETONS), st.lists(_SLOTS, min_size=3, max_size=3)),
        min_size=2,
        max_size=8,
    )
)
def test_lines_of_one_shape_with_any_strings_read_as_tomllib_reads_them(
    lines: list[tuple[str, list[str]]],
) -> None:
    """Repeated line forms whose strings hold quotes and backslashes too: a template must
    never carry one line's reading over to another line that reads otherwise."""
    text = "".join(f"[[package]]\n{form.format(*slots)}\n" for form, slots in lines)
    document = read_subset(text, UV)
    if document is not None:
        assert repr(document) == repr(tomllib.loads(text))
