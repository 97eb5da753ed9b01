"""The inventory's data model: distributions, duplicates, one interpreter's environment.

Plain frozen records, built by :mod:`bootguard.environment.inventory` and read by every
check; nothing here touches the file system.
"""

from __future__ import annotations

from bootguard._record import Record

__all__ = ["DirectUrl", "Distribution", "Duplicate", "Environment"]


class DirectUrl(Record):
    """What an installer recorded in PEP 610 ``direct_url.json``: where the files came from.

    ``kind`` is ``"vcs"`` (``vcs``, ``commit_id``, ``requested_revision``), ``"archive"``
    (``hashes`` as ``algorithm:hex``, from ``archive_info.hashes`` and the legacy
    ``archive_info.hash``) or ``"directory"`` (``editable``).  ``url`` is the URL as
    recorded (for a VCS, without the ``git+`` prefix).  A distribution installed from an
    index has no such file, hence no DirectUrl.
    """

    kind: str
    url: str
    vcs: str | None = None
    commit_id: str | None = None
    requested_revision: str | None = None
    hashes: tuple[str, ...] = ()
    subdirectory: str | None = None
    editable: bool = False


class Distribution(Record):
    """One installed distribution (one ``*.dist-info`` or ``*.egg-info``).

    ``direct_url`` is the recorded origin as one string (a VCS one in ``pip freeze``'s form,
    ``git+https://host/repo@<commit>``); ``origin`` is the same ``direct_url.json`` parsed.
    """

    name: str
    display_name: str
    version: str
    location: str
    metadata_dir: str
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extras: tuple[str, ...] = ()
    direct_url: str | None = None
    editable: bool = False
    origin: DirectUrl | None = None
    #: Why this distribution's metadata could not be fully read (None: it could).
    problem: str | None = None

    def __str__(self) -> str:
        return f"{self.display_name} {self.version}"


class Duplicate(Record):
    """``shadowed`` is installed too, but ``winner`` comes first on the path (or beside it)."""

    winner: Distribution
    shadowed: Distribution

    @property
    def same_directory(self) -> bool:
        """Two metadata dirs of one name in one directory (a broken install if versions differ)."""
        return self.winner.location == self.shadowed.location

    @property
    def same_version(self) -> bool:
        """Both copies are one version (PEP 440 equal): nothing differs for import.

        Debian ships ``cryptography.egg-info`` beside ``cryptography-38.0.4.dist-info``; a
        stale ``myapp.egg-info`` in the checkout shadows the installed ``myapp`` of the same
        version.  ``pip check`` says nothing about either, and nothing is wrong.
        """
        if self.winner.version == self.shadowed.version:
            return True
        from packaging.version import InvalidVersion, Version  # deferred: import cost

        try:
            return Version(self.winner.version) == Version(self.shadowed.version)
        except InvalidVersion:
            return False


class Environment(Record):
    """The inventory of one interpreter's environment."""

    executable: str
    python_version: str
    marker_env: dict[str, str]
    paths: tuple[str, ...]
    distributions: dict[str, Distribution]
    duplicates: tuple[Duplicate, ...] = ()

    def get(self, name: str) -> Distribution | None:
        """The winning distribution of a normalized name, or None."""
        return self.distributions.get(name)
