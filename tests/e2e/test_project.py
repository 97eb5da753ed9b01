"""The project being deployed, installed beside its own lock by the real tools.

The user story: a team compiles its lock with pip-compile, pipenv or uv, installs the lock
and then the project itself (``pip install -e .``, ``pip install .``, ``uv sync``), and runs
``bootguard check`` at boot.  The project is not in a pip-compile or pipenv lock, and its own
requirements (an extra like ``[test]``) may not be either; none of that is drift.  Every
lock here is written by the real tool, from tiny local wheels (offline); every environment
is installed by the real installer.  A stray distribution installed on purpose proves each
check still reports what it should.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import bootguard_outside, json_report
from tests.support.tools import cache_dir, tool, tool_env
from tests.support.venvs import Venv, make_venv
from tests.support.wheels import build_editable_project, build_wheel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

APP_REQUIRES = ("Web_Kit>=2",)
APP_EXTRAS = {"test": ("checker>=3",)}


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny wheels: web-kit requires tinyutil; checker (the app's test extra); devtool; stray."""
    out = tmp_path_factory.mktemp("house")
    build_wheel(out, "Web_Kit", "2.0", requires=["tinyutil>=1"])
    build_wheel(out, "tinyutil", "1.1")
    build_wheel(out, "checker", "3.0")
    build_wheel(out, "devtool", "1.0")
    build_wheel(out, "linty", "0.5")
    build_wheel(out, "stray", "9.0")
    return out


def _project(parent: Path, *, uv_groups: bool = False) -> Path:
    """``myapp 1.0`` with its requirements written statically in pyproject.toml too (the
    tools read them there; the in-tree backend builds the same metadata from its JSON)."""
    project = build_editable_project(
        parent, "myapp", "1.0", requires=APP_REQUIRES, extras=APP_EXTRAS
    )
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text() + f"dependencies = {json.dumps(list(APP_REQUIRES))}\n"
    text += "\n[project.optional-dependencies]\n"
    text += "".join(f"{k} = {json.dumps(list(v))}\n" for k, v in APP_EXTRAS.items())
    if uv_groups:
        text += '\n[dependency-groups]\ndev = ["devtool"]\nlint = ["linty"]\n'
        text += '\n[tool.uv]\ndefault-groups = ["dev", "lint"]\n'
    pyproject.write_text(text)
    return project


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env or tool_env(),
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _pip_compile(house: Path, project: Path, output: str | Path) -> None:
    """pip-compile the project's pyproject.toml into ``output``, offline from ``house``."""
    options: list[str | Path] = ["--no-index", "--find-links", house, "--no-header", "-q"]
    options.append("--strip-extras")
    _run([tool("pip-tools"), *options, "-o", output, "pyproject.toml"], project)


def _findings(venv_python: Path, manifest: Path, *args: str, cwd: Path) -> list[str]:
    result = bootguard_outside(
        "check", "-m", manifest, "--python", venv_python, "--json", *args, cwd=cwd
    )
    assert result.returncode in (0, 1), result.stderr
    report = json_report(result)
    checks = report.get("checks", {})
    assert isinstance(checks, dict)
    return sorted(checks)


def _verbose(venv_python: Path, manifest: Path, *args: str, cwd: Path) -> str:
    result = bootguard_outside(
        "check", "-m", manifest, "--python", venv_python, "-v", *args, cwd=cwd
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


@pytest.mark.parametrize("editable", [True, False], ids=["pip-install-e", "pip-install"])
def test_pip_compile_then_the_project_itself(house: Path, tmp_path: Path, editable: bool) -> None:
    project = _project(tmp_path)
    _pip_compile(house, project, "requirements.txt")
    lock = project / "requirements.txt"
    pins = [line for line in lock.read_text().splitlines() if line[:1].isalpha()]
    assert pins == ["tinyutil==1.1", "web-kit==2.0"]  # the project is not in its lock

    venv = make_venv(tmp_path / "venv", find_links=(house,))
    venv.install("-r", str(lock), deps=True)
    target = f"{project}[test]"
    venv.install(target, editable=editable, deps=True)
    assert _findings(venv.python, lock, cwd=project) == []
    text = _verbose(venv.python, lock, cwd=project)
    assert "note: myapp 1.0 is the project itself (pyproject.toml)" in text

    venv.install("stray==9.0")  # the check still sees what the project does not explain
    assert _findings(venv.python, lock, cwd=project) == ["stray:extraneous"]


def test_project_found_by_where_it_was_installed_from(house: Path, tmp_path: Path) -> None:
    """No pyproject.toml beside the manifest (``requirements/prod.txt``): the installed
    distribution's direct_url.json says it came from the checkout holding the manifest."""
    project = _project(tmp_path)
    (project / "requirements").mkdir()
    lock = project / "requirements" / "prod.txt"
    _pip_compile(house, project, lock)
    venv = make_venv(tmp_path / "venv", find_links=(house,))
    venv.install("-r", str(lock), deps=True)
    venv.install(f"{project}[test]", deps=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _findings(venv.python, lock, cwd=elsewhere) == []
    text = _verbose(venv.python, lock, cwd=elsewhere)
    assert f"note: myapp 1.0 is the project itself (installed from {project})" in text


def _simple_index(house: Path, root: Path) -> Path:
    """A PEP 503 simple index of the wheelhouse on disk (pipenv needs an index URL)."""
    index = root / "simple"
    for wheel in sorted(house.glob("*.whl")):
        name = wheel.name.split("-")[0].replace("_", "-").lower()
        directory = index / name
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copy(wheel, directory / wheel.name)
    for directory in index.iterdir():
        links = "".join(f'<a href="{w.name}">{w.name}</a>\n' for w in directory.glob("*.whl"))
        (directory / "index.html").write_text(f"<html><body>\n{links}</body></html>\n")
    return index


def test_pipenv_lock_then_pip_install_of_the_project(house: Path, tmp_path: Path) -> None:
    project = _project(tmp_path)
    index = _simple_index(house, tmp_path)
    (project / "Pipfile").write_text(
        f'[[source]]\nurl = "{index.as_uri()}"\nverify_ssl = false\nname = "local"\n\n'
        '[packages]\nweb-kit = ">=2"\n\n[dev-packages]\ndevtool = "*"\n'
    )
    env = tool_env({"PIPENV_VENV_IN_PROJECT": "1", "PIPENV_PYTHON": str(_python(tmp_path))})
    _run([tool("pipenv"), "lock"], project, env)
    lock = project / "Pipfile.lock"
    assert json.loads(lock.read_text())["default"]["web-kit"]["version"] == "==2.0"
    venv = make_venv(tmp_path / "venv", find_links=(house,))
    requirements = _run([tool("pipenv"), "requirements"], project, env)
    (tmp_path / "from-lock.txt").write_text(requirements)
    venv.install("-r", str(tmp_path / "from-lock.txt"))
    venv.install(str(project), deps=True)
    assert _findings(venv.python, lock, cwd=project) == []
    assert "myapp 1.0 is the project itself" in _verbose(venv.python, lock, cwd=project)


def _python(tmp_path: Path) -> Path:
    """A plain interpreter for tools that make their own environment."""
    made = tmp_path / "tool-python"
    if not made.exists():
        make_venv(made)
    return made / "bin" / "python"


def _uv(command: list[str | Path], cwd: Path, venv: Venv) -> str:
    env = tool_env(
        {
            "UV_PROJECT_ENVIRONMENT": str(venv.path),
            "UV_PYTHON": str(venv.python),
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_CACHE_DIR": str(cache_dir("uv")),
            "UV_NO_CONFIG": "1",
        }
    )
    return _run([tool("uv"), *command], cwd, env)


def test_uv_sync_of_the_project_with_default_groups(house: Path, tmp_path: Path) -> None:
    project = _project(tmp_path, uv_groups=True)
    venv = make_venv(tmp_path / "venv")
    offline = ["--no-index", "--find-links", str(house)]
    _uv(["lock", *offline], project, venv)
    _uv(["sync", "--frozen", *offline], project, venv)
    lock = project / "uv.lock"
    assert _findings(venv.python, lock, cwd=project) == []
    # what uv sync --no-default-groups --group lint installs is bootguard check --group lint
    _uv(["sync", "--frozen", "--no-default-groups", "--group", "lint", *offline], project, venv)
    assert _findings(venv.python, lock, "--group", "lint", cwd=project) == []
    # ...and the default selection notices that the dev group is gone
    assert _findings(venv.python, lock, cwd=project) == ["devtool:version"]


FLASK = Path(__file__).resolve().parents[1] / "data" / "flask"


def test_flask_lock_as_published_with_its_default_groups(tmp_path: Path) -> None:
    """pallets/flask's own uv.lock and pyproject.toml (``default-groups = ["dev",
    "pre-commit", "tests", "typing"]``), installed from PyPI by ``uv sync --frozen``."""
    checkout = tmp_path / "flask"
    shutil.copytree(FLASK, checkout)
    # Flask's sources are not copied: a stand-in module and README let uv build the project
    # (flit_core, from PyPI) exactly as the lock describes it; its code does not matter here.
    (checkout / "src" / "flask").mkdir(parents=True)
    (checkout / "src" / "flask" / "__init__.py").write_text('"""A stand-in for Flask."""\n')
    (checkout / "README.md").write_text("A stand-in for Flask's README.\n")
    lock = checkout / "uv.lock"
    venv = make_venv(tmp_path / "venv")
    _uv(["sync", "--frozen"], checkout, venv)
    assert _findings(venv.python, lock, cwd=checkout) == []
    _uv(["sync", "--frozen", "--no-default-groups", "--group", "tests"], checkout, venv)
    assert _findings(venv.python, lock, "--group", "tests", cwd=checkout) == []
    assert (
        _findings(venv.python, lock, "--no-default-groups", "--group", "tests", cwd=checkout) == []
    )
    missing = _findings(venv.python, lock, cwd=checkout)  # the default groups are gone now
    assert missing and all(key.endswith(":version") for key in missing)
    assert "mypy:version" in missing and "ruff:version" in missing


def test_gate_knows_the_project_from_its_configuration(
    house: Path, tmp_path: Path, bootguard_pythonpath: Path
) -> None:
    """The manifest lives outside the checkout (``/deploy``); the pyproject.toml the gate's
    settings came from names the project."""
    project = _project(tmp_path)
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    lock = deploy / "requirements.txt"
    compile_: list[str | Path] = [tool("pip-tools"), "--no-index", "--find-links", house, "-q"]
    _run([*compile_, "--no-header", "--strip-extras", "-o", lock, "pyproject.toml"], project)
    with (project / "pyproject.toml").open("a") as handle:
        handle.write(f'\n[tool.bootguard]\nmanifest = "{lock}"\n')
    venv = make_venv(tmp_path / "venv", find_links=(house,))
    venv.install("-r", str(lock), deps=True)
    wheel_dir = tmp_path / "built"
    venv.pip("wheel", "--no-index", "--no-deps", "-q", "-w", wheel_dir, project, check=True)
    venv.install(*sorted(wheel_dir.glob("myapp-*.whl")))  # from a wheel: no direct_url.json
    code = (
        "import json, bootguard.gate as g\n"
        f"o = g.run({{'sentry': False}}, start={str(project)!r}, exit=False)\n"
        "print(json.dumps(o.report.to_health_json()))\n"
    )
    result = venv.run(code, pythonpath=[bootguard_pythonpath], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert sorted(report["checks"]) == []
    assert "myapp 1.0 is the project itself" in "\n".join(report["notes"])
