"""The source check: each distribution came from where the manifest says (``<dist>:source``).

A manifest that names a repository, an archive or a local project for a distribution
(``git+https://...@v1.2``, uv's ``source = { git = ... }``, Poetry's ``[package.source]``,
pylock's ``vcs``/``archive``/``directory``, Pipfile.lock's ``git``/``path``/``file``) is
compared with the PEP 610 ``direct_url.json`` the installer wrote next to the metadata.

Statuses, chosen so that a ``fail`` is always a proven drift of code:

- ``fail``: both sides name a commit and they differ, or both sides hash the archive with
  one algorithm and no hash matches.  The installed code is not the code the manifest pins.
- ``warn``: the origin differs in a way that cannot be proven to change the code: another
  tag or branch than requested, another repository, archive or directory, a VCS or path
  entry installed from an index or from a wheel file (a commit cannot be verified then).
- nothing: the origin matches, or the manifest gives nothing to compare (an index entry,
  or an editable VCS entry, which pip installs as a checkout it records as a directory).

Local paths are compared after normalization (``file://`` URL or path, trailing slash,
``..``).  A relative path in a manifest matches an installed path with the same last
component (the project directory or file name), because a project and its lock move
together and the directory the install ran in is not recorded; an absolute one must match.  Repository URLs are compared by
host and path only (scheme, user, port and a ``.git`` suffix ignored).  An unnamed
requirements line (a bare URL) is tied to the installed distribution with the same source.
"""

from __future__ import annotations

from collections.abc import Sequence

from bootguard._record import Record
from bootguard.checks.source_keys import repository_key, same_location
from bootguard.environment.model import DirectUrl, Distribution, Environment
from bootguard.manifest.model import Manifest, ManifestEntry, Source
from bootguard.names import canonical_name
from bootguard.report import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootguard.report import Status

__all__ = ["check_sources", "repository_key", "resolve_unnamed", "verify"]

_HEX = frozenset("0123456789abcdef")


def check_sources(
    manifests: Sequence[Manifest], env: Environment
) -> tuple[list[Manifest], list[Finding]]:
    """Tie unnamed entries to installed distributions, then verify every recorded source.

    Returns the manifests with unnamed entries named (so the other checks count them as
    listed) and the ``source`` findings.
    """
    if not any(m.unnamed or any(e.source for e in m.entries) for m in manifests):
        return list(manifests), []  # the common case: index installs only
    resolved, findings = resolve_unnamed(manifests, env)
    worst: dict[str, Finding] = {}
    for manifest in resolved:
        for entry in manifest.entries:
            if entry.source is None or entry.constraint:
                continue
            dist = env.get(entry.name)
            if dist is None:
                continue  # the version check reports it missing
            finding = verify(entry, entry.source, dist)
            if finding is not None and _worse(finding, worst.get(dist.name)):
                worst[dist.name] = finding
    findings.extend(worst[name] for name in sorted(worst))
    return resolved, findings


def _worse(finding: Finding, other: Finding | None) -> bool:
    return other is None or (finding.status == "fail" and other.status != "fail")


def resolve_unnamed(
    manifests: Sequence[Manifest], env: Environment
) -> tuple[list[Manifest], list[Finding]]:
    """Name what a manifest could not name, from the ``direct_url.json`` of installed dists.

    An unnamed entry becomes an entry for the one installed distribution recorded as
    installed from the same source; one that matches none (or several) is a ``warn``
    finding saying why.  An entry whose name was guessed from an sdist file name and is not
    installed is renamed the same way.
    """
    from bootguard._record import replace

    installed = [d for d in env.distributions.values() if d.origin is not None]
    result: list[Manifest] = []
    findings: list[Finding] = []
    for manifest in manifests:
        entries = list(manifest.entries)
        for index, entry in enumerate(entries):
            if entry.name_guessed and entry.source and env.get(entry.name) is None:
                matches = _installed_from(entry.source, installed)
                if len(matches) == 1:
                    entries[index] = replace(
                        entry, name=matches[0].name, specifier="", name_guessed=False
                    )
        for entry in manifest.unnamed:
            source = entry.source
            if source is None:
                continue
            matches = _installed_from(source, installed)
            if len(matches) == 1:
                entries.append(replace(entry, name=matches[0].name))
                continue
            if matches:
                why = "several installed distributions record that source: " + ", ".join(
                    str(d) for d in matches
                )
            else:
                why = "no installed distribution records that source in its direct_url.json"
            findings.append(
                Finding(
                    _subject(source),
                    "source",
                    "warn",
                    f"{entry.origin}: cannot tell which distribution {entry.url!r} is: {why} "
                    "(name it with '#egg=NAME' or 'NAME @ URL')",
                    expected=_describe_source(source),
                    observed="unmatched" if not matches else "ambiguous",
                )
            )
        changed = entries != list(manifest.entries)
        result.append(
            replace(manifest, entries=tuple(entries), unnamed=()) if changed else manifest
        )
    return result, findings


def _subject(source: Source) -> str:
    """A stable finding subject for an unnamed source: the last part of its URL."""
    from bootguard.manifest._urls import ARCHIVE_EXTENSIONS, fragment

    tail = fragment(source.url)[0].rstrip("/").rsplit("/", 1)[-1]
    for ending in (".git", *ARCHIVE_EXTENSIONS):
        if tail.lower().endswith(ending):
            tail = tail[: -len(ending)]
            break
    return canonical_name(tail) or "unnamed"


def _installed_from(source: Source, installed: list[Distribution]) -> list[Distribution]:
    return [d for d in installed if d.origin is not None and _same_source(source, d.origin)]


def _same_source(source: Source, origin: DirectUrl) -> bool:
    """Whether ``origin`` is the source ``source`` names (identity only, not the revision)."""
    if source.kind != origin.kind:
        return False
    if source.kind == "vcs":
        return repository_key(source.url) == repository_key(origin.url)
    if source.kind == "archive" and _hash_verdict(source.hashes, origin.hashes) is True:
        return True
    return same_location(source, origin.url, loose=False)


# --- verification ----------------------------------------------------------------------------


def verify(entry: ManifestEntry, source: Source, dist: Distribution) -> Finding | None:
    """The ``source`` finding for one entry and its installed distribution, or None."""
    origin = dist.origin
    wanted = _describe_source(source)
    if origin is None:
        if dist.editable and source.kind == "directory":
            return None  # a legacy ``setup.py develop`` install: no origin recorded
        return _finding(
            dist,
            "warn",
            f"{dist} was installed from a package index (it has no direct_url.json); "
            f"{entry.origin} asks for {wanted}",
            wanted,
            "index",
        )
    installed = _describe_origin(origin)
    if source.kind == "vcs" and source.editable and origin.kind == "directory" and origin.editable:
        # pip records an editable VCS install as its checkout (``<venv>/src/name``): a
        # working copy whose commit is the developer's to move, not recorded anywhere
        return None
    if origin.kind != source.kind:
        return _finding(
            dist,
            "warn",
            f"{dist} was installed from {installed}; {entry.origin} asks for {wanted}"
            + (" (the commit cannot be verified)" if source.kind == "vcs" else ""),
            wanted,
            installed,
        )
    compared = _Compared(entry, source, dist, origin, wanted, installed)
    if source.kind == "vcs":
        return compared.vcs()
    if source.kind == "archive":
        return compared.archive()
    if same_location(source, origin.url, loose=True):
        return None
    return compared.finding(
        "warn",
        f"{dist} was installed from the directory {installed}; {entry.origin} asks for {wanted}",
        wanted,
        installed,
    )


class _Compared(Record):
    """An entry's source and the origin its distribution recorded, of one kind, both described.

    ``wanted`` and ``installed`` are what the messages show for each side.
    """

    entry: ManifestEntry
    source: Source
    dist: Distribution
    origin: DirectUrl
    wanted: str
    installed: str

    def finding(self, status: Status, message: str, expected: str, observed: str) -> Finding:
        return _finding(self.dist, status, message, expected, observed)

    def vcs(self) -> Finding | None:
        """A repository: the pinned commit decides; else the requested revision, then the place."""
        source, origin, dist, asks = self.source, self.origin, self.dist, self.entry.origin
        commit = (origin.commit_id or "").lower()
        revision = source.requested_revision
        pinned = (source.commit or "").lower()
        if (
            not pinned
            and revision
            and _short_commit(revision)
            and origin.requested_revision != revision
        ):
            pinned = revision.lower()  # a hex revision pip resolves as a commit (prefix allowed)
        if pinned:
            if not commit:
                return self.finding(
                    "warn",
                    f"{dist} was installed from {self.installed} without a recorded commit; "
                    f"{asks} pins commit {pinned}",
                    pinned,
                    self.installed,
                )
            if commit.startswith(pinned) or (
                len(commit) < len(pinned) and pinned.startswith(commit)
            ):
                return self.other_place(proven=True)
            return self.finding(
                "fail",
                f"{dist} was installed from commit {commit} ({self.installed}); "
                f"{asks} pins commit {pinned} ({self.wanted})",
                pinned,
                commit,
            )
        if revision and origin.requested_revision != revision:
            asked = origin.requested_revision or "the default branch"
            return self.finding(
                "warn",
                f"{dist} was installed from {asked} (commit {commit or 'unknown'}); "
                f"{asks} asks for {revision} ({self.wanted}); whether they are the same commit "
                "cannot be told without the repository",
                revision,
                origin.requested_revision or commit or "default branch",
            )
        return self.other_place(proven=False)

    def other_place(self, *, proven: bool) -> Finding | None:
        """The revision is right; the repository or subdirectory may still differ."""
        source, origin, dist, asks = self.source, self.origin, self.dist, self.entry.origin
        # a manifest that names no subdirectory does not say "the root" (``pip freeze`` and
        # snapshots drop it), so only a stated one is compared
        if source.subdirectory and source.subdirectory.strip("/") != (
            origin.subdirectory or ""
        ).strip("/"):
            return self.finding(
                "warn",
                f"{dist} was installed from subdirectory {origin.subdirectory or '(root)'} of "
                f"{self.installed}; {asks} asks for {source.subdirectory or '(root)'}",
                source.subdirectory or "(root)",
                origin.subdirectory or "(root)",
            )
        if proven or repository_key(source.url) == repository_key(origin.url):
            return None  # the same commit is the same code, whichever mirror served it
        return self.finding(
            "warn",
            f"{dist} was installed from another repository, {self.installed}; {asks} asks for "
            f"{self.wanted}",
            self.wanted,
            self.installed,
        )

    def archive(self) -> Finding | None:
        """An archive: a hash in common decides; else the place it was downloaded from."""
        source, origin, dist, asks = self.source, self.origin, self.dist, self.entry.origin
        expected = tuple(dict.fromkeys(source.hashes + self.entry.hashes))
        verdict = _hash_verdict(expected, origin.hashes)
        if verdict is False:
            recorded = ", ".join(origin.hashes)
            return self.finding(
                "fail",
                f"{dist} was installed from an archive with {recorded} ({self.installed}); "
                f"{asks} expects {', '.join(expected)}",
                expected[0],
                origin.hashes[0] if origin.hashes else self.installed,
            )
        if verdict is True or same_location(source, origin.url, loose=True):
            return None
        return self.finding(
            "warn",
            f"{dist} was installed from another archive, {self.installed}; {asks} asks for "
            f"{self.wanted}",
            self.wanted,
            self.installed,
        )


def _hash_verdict(expected: tuple[str, ...], recorded: tuple[str, ...]) -> bool | None:
    """True: a hash matches; False: an algorithm in common and no match; None: nothing to compare."""
    want = {_hash(h) for h in expected}
    have = {_hash(h) for h in recorded}
    if want & have:
        return True
    common = {h.partition(":")[0] for h in want} & {h.partition(":")[0] for h in have}
    return False if common else None


def _hash(text: str) -> str:
    name, sep, value = text.partition(":")
    if not sep:
        name, _, value = text.partition("=")
    return f"{name.strip().lower()}:{value.strip().lower()}"


def _short_commit(revision: str) -> bool:
    """A revision pip would take for an abbreviated commit: 7 to 64 hex digits.

    All digits is read as a name instead (a date tag ``20240101``, an svn or hg revision
    number): comparing it as a commit prefix could fail a node that runs that very tag.
    """
    lowered = revision.lower()
    return 7 <= len(lowered) <= 64 and set(lowered) <= _HEX and not lowered.isdigit()


def _finding(
    dist: Distribution, status: Status, message: str, expected: str, observed: str
) -> Finding:
    return Finding(dist.name, "source", status, message, expected=expected, observed=observed)


# --- messages --------------------------------------------------------------------------------


def _describe_source(source: Source) -> str:
    if source.kind == "vcs":
        text = f"{source.vcs}+{source.url}"
        if source.requested_revision:
            text += f"@{source.requested_revision}"
        if source.commit and source.commit != source.requested_revision:
            text += f" (commit {source.commit})"
    elif source.kind == "archive":
        text = f"the archive {source.url}"
    else:
        text = f"the directory {source.url}"
    if source.subdirectory:
        text += f" (subdirectory {source.subdirectory})"
    return text + (" (editable)" if source.editable else "")


def _describe_origin(origin: DirectUrl) -> str:
    if origin.kind == "vcs":
        text = f"{origin.vcs}+{origin.url}@{origin.commit_id or '?'}"
        if origin.requested_revision and origin.requested_revision != origin.commit_id:
            text += f" (requested {origin.requested_revision})"
        return text
    if origin.kind == "archive":
        return f"the archive {origin.url}"
    return f"{origin.url}" + (" (editable)" if origin.editable else "")
