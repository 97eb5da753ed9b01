"""Requires-Dist satisfied, and what nobody accounts for is extraneous."""

from __future__ import annotations

from pathlib import Path

from bootguard.checks.graph import build_graph
from bootguard.checks.requires import check_extraneous, check_requires
from bootguard.manifest.model import Manifest, ManifestEntry
from bootguard.manifest.project import find_projects
from bootguard.report import Finding
from tests.unit.conftest import Site, requirements


def _keys(findings: list[Finding]) -> dict[str, str]:
    return {f.key: f.status for f in findings if f.status != "pass"}


def test_an_unsatisfied_or_missing_requirement_is_reported(site: Site) -> None:
    site.install("taskq", "5.0.0", requires=["msgbus>=4,<4.2", "absent-dist"])
    site.install("msgbus", "4.2.0")
    env = site.environment()
    found = check_requires(env, build_graph(env, {}))
    (problem,) = [f for f in found if f.status != "pass"]
    assert problem.key == "taskq:requires"
    assert problem.message.startswith(
        "taskq 5.0.0 requires msgbus<4.2,>=4, but msgbus 4.2.0 is installed"
    )
    assert problem.details == ("requires absent-dist, which is not installed",)


def test_extraneous_depends_on_whether_the_manifest_is_a_lock(site: Site) -> None:
    site.install("taskq", "5.0.0", requires=["msgbus"])
    site.install("msgbus", "4.1.0")
    site.install("stray", "1.0")
    env = site.environment()
    graph = build_graph(env, {})
    lock = Manifest("uv.lock", "uv", (ManifestEntry("taskq", "==5.0.0"),), "0" * 64, complete=True)
    assert set(_keys(check_extraneous([lock], env, graph))) == {
        "msgbus:extraneous",
        "stray:extraneous",
    }
    ranged = requirements("taskq>=5\n")  # top-level: what taskq requires is accounted for
    assert set(_keys(check_extraneous([ranged], env, graph))) == {"stray:extraneous"}
    strict = _keys(check_extraneous([ranged], env, graph, strict=True))
    assert strict["stray:extraneous"] == "fail"


def test_the_project_accounts_for_itself_and_what_it_requires(site: Site, tmp_path: Path) -> None:
    site.install("myapp", "1.0", requires=["stray"])
    site.install("stray", "1.0")
    env = site.environment()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'myapp'\n")
    projects = find_projects([tmp_path / "requirements.txt"], env.distributions)
    found = check_extraneous([requirements("")], env, build_graph(env, {}), projects=projects)
    assert _keys(found) == {}
