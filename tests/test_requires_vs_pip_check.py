"""Differential test: bootguard's ``requires`` findings agree with ``pip check``.

Each case is a real venv with a real breakage.  Both tools run against the same venv and
must name the same set of distributions with unmet requirements, except where pip check is
wrong about extras: pip check evaluates every requirement with no extra at all, so when
``webapp`` requires ``webkit[speedups]`` and the extra's own requirement (``fastjson>=2``) is
missing, pip says nothing; bootguard reports ``webkit:requires`` (documented in docs/manifests.md).
"""

from __future__ import annotations

import pytest

from tests.support.cli import bootguard_outside, json_report
from tests.support.venvs import VenvFactory

CASES = {
    "conflict": (["taskq==5.0.0", "msgbus==3.6.0"], {"taskq"}, set()),
    "missing": (["taskq==5.0.0"], {"taskq"}, set()),
    "missing-top": (["webapp==1.0", "taskq==5.0.0", "msgbus==4.1.0"], {"webapp"}, set()),
    "marker-false-on-linux": (["platdep==1.0", "msgbus==4.1.0"], set(), set()),
    "extra-not-requested": (["webkit==1.0"], set(), set()),
    # pip check ignores the extra that webapp asks of webkit; bootguard does not
    "extra-pulled-by-another-dist": (
        ["webapp==1.0", "webkit==1.0", "taskq==5.0.0", "msgbus==4.1.0", "fastjson==1.9"],
        set(),
        {"webkit"},
    ),
    "consistent": (["taskq==5.0.0", "msgbus==4.2.0"], set(), set()),
}


def _pip_check_subjects(output: str) -> set[str]:
    """The requiring distributions pip check names ("X 1.0 requires ..." / "has requirement")."""
    subjects = set()
    for line in output.splitlines():
        if " requires " in line or " has requirement " in line:
            subjects.add(line.split()[0].lower().replace("_", "-").replace(".", "-"))
    return subjects


@pytest.mark.parametrize("case", sorted(CASES))
def test_requires_findings_agree_with_pip_check(case: str, venv_factory: VenvFactory) -> None:
    install, pip_expected, only_bootguard = CASES[case]
    venv = venv_factory(install=install)

    pip = venv.pip("check")
    pip_subjects = _pip_check_subjects(pip.stdout)
    assert pip_subjects == pip_expected, pip.stdout
    assert (pip.returncode == 0) == (not pip_subjects)

    result = bootguard_outside("check", "--no-manifest", "--python", venv.python, "--json")
    report = json_report(result)
    checks = report["checks"]
    assert isinstance(checks, dict)
    ours = {key.split(":")[0] for key in checks if key.endswith(":requires")}
    assert ours == pip_subjects | only_bootguard, checks
    assert result.returncode == (1 if ours else 0), result.stderr
