"""The requirement graph: applicable Requires-Dist edges, extras followed to a fixed point."""

from __future__ import annotations

from bootguard.checks.graph import Evaluator, build_graph, requested_extras
from tests.unit.conftest import Site, requirements, selection


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
