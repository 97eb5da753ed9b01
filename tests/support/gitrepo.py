"""Real local git repositories holding buildable projects, for ``git+file://`` installs.

Why: the source check compares what a manifest pins (a tag, a commit) with what pip records
in ``direct_url.json`` when it installs from a repository.  Tests make a real repository
with real ``git`` (commits, tags) around a project from
:func:`tests.support.wheels.build_editable_project`, whose in-tree backend needs nothing, so
``pip install --no-index git+file:///...`` works offline.  Git runs with no system or user
configuration, and a fixed author, so nothing on the machine changes the result.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.venvs import clean_env
from tests.support.wheels import build_editable_project

__all__ = ["GitRepo", "git", "make_repo"]


def git(repo: Path, *args: str) -> str:
    """Run ``git -C repo ARGS`` isolated from any configuration; return its stdout."""
    env = clean_env(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "bootguard tests",
            "GIT_AUTHOR_EMAIL": "tests@bootguard.invalid",
            "GIT_COMMITTER_NAME": "bootguard tests",
            "GIT_COMMITTER_EMAIL": "tests@bootguard.invalid",
        }
    )
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


@dataclass
class GitRepo:
    """A repository whose commits each hold one version of one project, tagged ``vVERSION``."""

    path: Path
    name: str
    commits: dict[str, str] = field(default_factory=dict)  # version -> full commit id

    @property
    def url(self) -> str:
        """The ``file://`` URL pip clones from (without the ``git+`` prefix)."""
        return self.path.as_uri()


def make_repo(parent: Path, name: str, versions: list[str]) -> GitRepo:
    """A repository at ``parent / name`` with one commit and tag ``v<version>`` per version."""
    repo = GitRepo(parent / name, name)
    for index, version in enumerate(versions):
        build_editable_project(parent, name, version)
        if index == 0:
            git(repo.path, "init", "-q", "-b", "main")
        git(repo.path, "add", "-A")
        git(repo.path, "commit", "-q", "-m", f"{name} {version}")
        git(repo.path, "tag", f"v{version}")
        repo.commits[version] = git(repo.path, "rev-parse", "HEAD")
    return repo
