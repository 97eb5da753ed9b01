"""Unit tests of bootguard.checks.graph: the extras-only lines it skips.

The requirement graph: applicable Requires-Dist edges, extras followed to a fixed point.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker, default_environment

from bootguard.checks.graph import Evaluator, build_graph, requested_extras
from bootguard.checks.graph import Evaluator as _Evaluator
from tests.unit.conftest import Site, requirements, selection

_COMPARISONS = st.sampled_from(
    [
        'extra == "test"',
        "extra == 'docs'",
        'extra != "test"',
        'extra == ""',
        '"test" == extra',
        'python_version < "3.8"',
        'python_version >= "3.8"',
        'sys_platform == "win32"',
        'sys_platform == "linux"',
        'platform_machine == "extra"',
        '"x" in extra',
        '"x" not in extra',
        'implementation_name == "cpython"',
    ]
)


@st.composite
def markers(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_COMPARISONS)
    left = draw(markers(depth=depth - 1))
    right = draw(markers(depth=depth - 1))
    op = draw(st.sampled_from([" and ", " or ", "and", " and("]))
    if op == "and":
        return f"({left})and({right})"
    if op == " and(":
        return f"{left} and ({right})"
    return f"{left}{op}{right}"


ENV = {k: str(v) for k, v in default_environment().items()}


@settings(max_examples=400)
@given(markers())
def test_skipping_extras_only_lines_never_drops_an_applicable_one(marker: str) -> None:
    line = f"dep>=1; {marker}"
    if _Evaluator.skip_without_parsing(line, ""):
        assert not Marker(marker).evaluate({**ENV, "extra": ""}), marker


def test_the_usual_extras_only_lines_are_skipped() -> None:
    assert _Evaluator.skip_without_parsing('pytest>=7; extra == "test"', "")
    assert _Evaluator.skip_without_parsing(
        "sphinx; python_version >= '3.9' and extra == 'docs'", ""
    )
    assert not _Evaluator.skip_without_parsing('pytest>=7; extra == "test"', "test")
    assert not _Evaluator.skip_without_parsing('x; python_version < "3" or extra == "a"', "")


def _site(site: Site) -> Site:
    site.install("celery", "5.0", requires=["kombu>=5"], extras={"redis": ["kombu[redis]"]})
    site.install(
        "kombu", "5.3", requires=['pywin; sys_platform == "win32"'], extras={"redis": ["redis>=4"]}
    )
    site.install("redis", "5.0", requires=["not a requirement !!"])
    return site


def test_extras_asked_for_by_the_manifest_are_followed_through_other_extras(site: Site) -> None:
    env = _site(site).environment()
    plain = build_graph(env, {})
    assert sorted(plain.by_target) == ["kombu"]  # no extra: celery -> kombu only
    graph = build_graph(env, requested_extras([requirements("celery[Redis]==5.0\n")]))
    assert sorted(graph.by_target) == ["kombu", "redis"]
    (edge,) = graph.by_target["redis"]
    assert (edge.requirer.name, str(edge.requirement), edge.via_extra) == (
        "kombu",
        'redis>=4; extra == "redis"',
        "redis",
    )


def test_false_markers_drop_edges_and_invalid_lines_are_kept_aside(site: Site) -> None:
    graph = build_graph(_site(site).environment(), {})
    assert "pywin" not in graph.by_target
    assert graph.invalid == {"redis": ["not a requirement !!"]}


def test_the_evaluator_caches_and_refuses_bad_text() -> None:
    evaluator = Evaluator(selection(sys_platform="win32").marker_env)
    requirement = evaluator.parse('pywin; sys_platform == "win32"')
    assert (
        requirement is not None and evaluator.parse('pywin; sys_platform == "win32"') is requirement
    )
    assert evaluator.marker_holds(requirement, "")
    assert evaluator.parse("!!") is None
    assert Evaluator.skip_without_parsing('x; extra == "a"', "")
    assert not Evaluator.skip_without_parsing('x; extra == "a"', "a")
    assert requested_extras([requirements("a[x]==1\na[Y]==1\nb==1\n")]) == {"a": {"x", "y"}}


def test_add_required_follows_edges_transitively_but_not_past_what_is_seen(site: Site) -> None:
    site.install("app", "1.0", requires=["Celery>=5", "click"])
    site.install("click", "8.0")
    graph = build_graph(_site(site).environment(), {})
    assert graph.add_required(["app"], {"app"}) == {"app", "celery", "click", "kombu"}
    # celery already accounted for: it is not walked again, so kombu is not reached
    assert graph.add_required(["app"], {"app", "celery"}) == {"app", "celery", "click"}
    assert graph.add_required([], {"x"}) == {"x"}
