"""The Manifest model every reader produces, whatever the lock format.

A manifest is what the team expects to be installed: one :class:`ManifestEntry` per
distribution that applies to the target environment (readers evaluate markers, extras and
groups while reading, so the checks never see an entry that does not apply here).
"""

from __future__ import annotations

from bootguard._record import Record, field

__all__ = ["Manifest", "ManifestEntry", "Selection", "Source"]


class Selection(Record):
    """What to select from a lock for the target environment.

    ``marker_env`` is the PEP 508 marker environment of the interpreter being checked
    (not necessarily this process: see ``--python``).  ``extras`` and ``groups`` are the
    extras / dependency groups the user asked for; ``groups=None`` means the lock's defaults.
    """

    marker_env: dict[str, str]
    extras: frozenset[str] = frozenset()
    groups: frozenset[str] | None = None


class Source(Record):
    """Where a manifest says a distribution comes from, when it is not a package index.

    ``kind`` is ``"vcs"`` (a repository: ``url`` is the repository URL without the
    ``git+`` prefix, the revision and the fragment), ``"archive"`` (a wheel or sdist URL or
    path) or ``"directory"`` (a local project).  ``url`` keeps a local path as written;
    ``base`` is the directory a relative one is resolved against (the lock's directory; for
    requirements files the current directory, as pip resolves it).  ``requested_revision``
    is what the manifest asks for (a tag, branch or commit), ``commit`` the full commit a
    lock resolved it to.  ``hashes`` are ``algorithm:hex`` strings, any one of which
    identifies the archive.  An entry without a Source comes from an index: its installed
    origin is not checked.
    """

    kind: str
    url: str
    vcs: str | None = None
    requested_revision: str | None = None
    commit: str | None = None
    hashes: tuple[str, ...] = ()
    subdirectory: str | None = None
    editable: bool = False
    base: str | None = None


class ManifestEntry(Record):
    """One expected distribution.

    ``specifier`` is a PEP 440 specifier set as text (``"==4.1.0"``, ``">=1,<2"``, or ``""``
    for "any version").  ``origin`` says where it came from (``requirements.txt:12`` or
    ``pylock.toml: packages[3]``) so findings can point the operator at the line to fix.
    ``source`` is set for VCS, archive and local-directory entries (see :class:`Source`).
    ``name_guessed`` marks a name read from an sdist file name (split at its last ``-``,
    which can guess wrong): the source check may correct it from ``direct_url.json``.
    """

    name: str
    specifier: str = ""
    extras: frozenset[str] = frozenset()
    marker: str | None = None
    url: str | None = None
    editable: bool = False
    hashes: tuple[str, ...] = ()
    origin: str = ""
    constraint: bool = False
    source: Source | None = None
    name_guessed: bool = False

    @property
    def pinned_version(self) -> str | None:
        """The exact version if the specifier is a single ``==`` / ``===`` pin, else None."""
        spec = self.specifier.strip()
        if "," in spec or "*" in spec:
            return None
        if spec.startswith("==="):
            return spec[3:].strip()
        if spec.startswith("=="):
            return spec[2:].strip()
        return None


class Manifest(Record):
    """A parsed, selected manifest.

    ``complete`` is true for real locks (every distribution listed, exactly pinned): then a
    distribution installed but not listed is ``extraneous``.  For specifier-style manifests
    (top-level requirements, ``pyproject.toml``) only distributions that nothing listed
    requires are extraneous.  ``digest`` is the sha256 of the bytes read (including ``-r``
    includes), the manifest identity used in reports and Sentry fingerprints.  ``unnamed``
    holds entries whose distribution name the manifest does not say (a bare VCS URL or
    archive without ``#egg=``): their ``name`` is empty, and the source check ties them to
    the installed distribution whose ``direct_url.json`` records the same source.
    """

    path: str
    format: str
    entries: tuple[ManifestEntry, ...]
    digest: str
    requires_python: str | None = None
    complete: bool = True
    notes: tuple[str, ...] = field(default=())
    unnamed: tuple[ManifestEntry, ...] = field(default=())

    def by_name(self) -> dict[str, list[ManifestEntry]]:
        """Entries grouped by normalized name (a name may appear with several specifiers)."""
        grouped: dict[str, list[ManifestEntry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.name, []).append(entry)
        return grouped
