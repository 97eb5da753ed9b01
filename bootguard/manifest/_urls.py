"""Direct references in manifests (VCS URLs, archives, local paths), read as pip reads them.

Every lock format and requirements files point at non-index sources with URLs of a few
shapes: ``git+https://host/repo.git@v1.2#egg=name&subdirectory=sub``, an archive URL with a
``#sha256=`` fragment, a ``file:`` URL or a plain path.  The rules here follow pip's: the VCS
schemes it knows, the revision after the last ``@`` of the path, a scp-like
``git+git@host:org/repo`` address, the ``egg``/``subdirectory``/hash fragment parameters,
and the archive extensions that make a path a file rather than a project.  Only string
operations: this module runs on the boot path whenever a manifest holds such a line.
"""

from __future__ import annotations

from bootguard.manifest.model import Source

__all__ = [
    "commit_like",
    "fragment",
    "is_archive",
    "is_url",
    "local_source",
    "looks_like_path",
    "name_from_filename",
    "source_from_url",
]

#: The URL schemes pip's VCS backends register (``git``, ``hg``, ``svn``, ``bzr``).
VCS_SCHEMES = frozenset(
    {
        "git", "git+http", "git+https", "git+ssh", "git+git", "git+file",
        "hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
        "svn", "svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
        "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
    }
)  # fmt: skip
_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"}) | VCS_SCHEMES
#: File name endings that make a path or URL an archive (pip's ``ARCHIVE_EXTENSIONS``).
ARCHIVE_EXTENSIONS = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
    ".tar.gz", ".tgz", ".tar",
)  # fmt: skip
HASH_NAMES = ("sha512", "sha384", "sha256", "sha224", "sha1", "md5")
_HEX = frozenset("0123456789abcdefABCDEF")


def url_scheme(text: str) -> str | None:
    """The lowercased scheme of ``text`` if it has one (``git+https``), else None."""
    head, sep, _ = text.partition(":")
    return head.lower() if sep else None


def is_url(text: str) -> bool:
    """A URL pip treats as a link (http, https, file, ftp or a VCS scheme), as pip decides."""
    return url_scheme(text) in _URL_SCHEMES


def looks_like_path(text: str) -> bool:
    """pip's test: a path separator, or a leading dot (``.``, ``./x``, ``../x``)."""
    return "/" in text or "\\" in text or text.startswith(".")


def is_archive(text: str) -> bool:
    """True if the name (URL or path, fragment excluded) ends like an archive."""
    return text.split("#", 1)[0].lower().endswith(ARCHIVE_EXTENSIONS)


def commit_like(revision: str | None) -> bool:
    """A full commit id: 40 hex digits (git, hg) or 64 (git's sha256 object format)."""
    return revision is not None and len(revision) in (40, 64) and set(revision) <= _HEX


def fragment(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without its ``#fragment``, and the fragment's ``key=value`` parameters.

    As pip reads them: a parameter is ``#key=`` or ``&key=`` anywhere after the first
    ``#`` (the first one wins), and its value runs to the next ``&``.
    """
    base, sep, frag = url.partition("#")
    params: dict[str, str] = {}
    if not sep:
        return base, params
    text = "#" + frag
    start = 0
    while start < len(text):
        stop = min(
            (i for i in (text.find("#", start + 1), text.find("&", start + 1)) if i >= 0),
            default=len(text),
        )
        key, eq, _ = text[start + 1 : stop].partition("=")
        if eq and key and key not in params:
            value_end = text.find("&", start + 1)
            params[key] = text[start + 2 + len(key) : value_end if value_end >= 0 else len(text)]
        start = stop
    return base, params


def _fragment_hashes(params: dict[str, str]) -> tuple[str, ...]:
    return tuple(f"{name}:{params[name]}" for name in HASH_NAMES if params.get(name))


def source_from_url(
    url: str,
    *,
    editable: bool = False,
    hashes: tuple[str, ...] = (),
    base: str | None = None,
) -> Source:
    """The :class:`Source` a direct URL (VCS, archive or ``file:``) stands for."""
    scheme = url_scheme(url) or ""
    if scheme in ("file", ""):
        return local_source(url, editable=editable, hashes=hashes, base=base)
    without, params = fragment(url)
    hashes = hashes + _fragment_hashes(params)
    subdirectory = params.get("subdirectory") or None
    if scheme in VCS_SCHEMES or scheme.split("+", 1)[0] in ("git", "hg", "svn", "bzr"):
        vcs, plus, _ = scheme.partition("+")
        inner = without[len(vcs) + 1 :] if plus else without
        repository, revision = split_revision(inner)
        return _vcs_source(
            repository,
            revision,
            revision,
            vcs=vcs,
            hashes=hashes,
            subdirectory=subdirectory,
            editable=editable,
        )
    return Source(
        kind="archive", url=without, hashes=hashes, subdirectory=subdirectory, editable=editable
    )


def _vcs_source(
    url: str,
    revision: str | None,
    commit: str | None,
    *,
    vcs: str = "git",
    hashes: tuple[str, ...] = (),
    subdirectory: str | None = None,
    editable: bool = False,
) -> Source:
    """A repository source; ``commit`` counts only when it is a full commit id.

    A manifest that records one string (pip's ``@rev``, Pipfile.lock's ``ref``) passes it as
    both: a tag or a branch name is then only the revision asked for.
    """
    return Source(
        kind="vcs",
        url=url,
        vcs=vcs,
        requested_revision=revision,
        commit=commit if commit_like(commit) else None,
        hashes=hashes,
        subdirectory=subdirectory,
        editable=editable,
    )


def split_revision(url: str) -> tuple[str, str | None]:
    """``("https://host/repo.git", "v1.2")`` from ``https://host/repo.git@v1.2``, as pip.

    The revision follows the last ``@`` of the *path* (an ``@`` in the host part is a user).
    A scp-like address (``git@host:org/repo.git@v1``, no ``://``) has its path after the
    first ``:``.
    """
    if "://" in url:
        scheme, _, rest = url.partition("://")
        netloc, slash, path = rest.partition("/")
        prefix = f"{scheme}://{netloc}{slash}"
    else:
        netloc, colon, path = url.partition(":")
        if "@" in netloc and not colon:  # no path at all
            return url, None
        prefix = f"{netloc}{colon}"
    path, query_sep, query = path.partition("?")
    revision: str | None = None
    if "@" in path:
        path, _, revision = path.rpartition("@")
    rebuilt = prefix + path + (query_sep + query if query_sep else "")
    return rebuilt, revision or None


def local_source(
    path: str, *, editable: bool = False, hashes: tuple[str, ...] = (), base: str | None = None
) -> Source:
    """A local path or ``file:`` URL: an archive when it ends like one, else a directory."""
    without, params = fragment(path) if path.lower().startswith("file:") else (path, {})
    return Source(
        kind="archive" if is_archive(without) else "directory",
        url=without,
        hashes=hashes + _fragment_hashes(params),
        subdirectory=params.get("subdirectory") or None,
        editable=editable,
        base=base,
    )


def name_from_filename(url: str) -> tuple[str | None, str | None]:
    """(name, version) from a wheel or sdist file name at the end of ``url``; None if none.

    A wheel file name is unambiguous.  An sdist name is split at its last ``-``, which
    guesses wrong for names such as ``pyRXP-1.16-daily-unix.tar.gz``: packaging rejects
    that one (``unix`` is no version), and a wrong guess is corrected at check time by the
    URL ``direct_url.json`` records.
    """
    from packaging.utils import (  # deferred: only archive lines need it
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    filename = fragment(url)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None, None
    return str(name), str(version)


# --- lock formats ----------------------------------------------------------------------------


def _text(table: dict[str, object], key: str) -> str | None:
    value = table.get(key)
    return value if isinstance(value, str) and value else None


def lock_base(path: object) -> str:
    """The directory relative paths in a lock are relative to: the lock's own directory."""
    import os

    return os.path.dirname(os.path.abspath(str(path)))


def uv_source(source: dict[str, object], base: str) -> Source | None:
    """A uv.lock ``source`` table (``git``, ``url``, ``path``, ``directory``, ``editable``).

    uv writes a git source as ``https://host/repo?rev=v1&subdirectory=sub#<commit>``
    (``rev``, ``tag`` or ``branch``); ``registry`` and ``virtual`` sources have none.
    """
    git = _text(source, "git")
    if git:
        without, _, commit = git.partition("#")
        repository, _, query = without.partition("?")
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        revision = params.get("rev") or params.get("tag") or params.get("branch") or None
        return _vcs_source(
            repository, revision, commit, subdirectory=params.get("subdirectory") or None
        )
    url = _text(source, "url")
    if url:
        return Source(kind="archive", url=url, subdirectory=_text(source, "subdirectory"))
    for key in ("editable", "directory", "path"):
        location = _text(source, key)
        if location:
            return local_source(location, editable=key == "editable", base=base)
    return None


def poetry_source(
    source: dict[str, object], base: str, *, develop: bool, hashes: tuple[str, ...] = ()
) -> Source | None:
    """A poetry.lock ``[package.source]`` table (``type`` git, directory, file or url).

    A git source records the ``reference`` asked for and the ``resolved_reference`` commit.
    """
    kind = _text(source, "type")
    url = _text(source, "url")
    if not url or kind not in ("git", "directory", "file", "url"):
        return None
    if kind == "git":
        return _vcs_source(
            url,
            _text(source, "reference"),
            _text(source, "resolved_reference"),
            subdirectory=_text(source, "subdirectory"),
            editable=develop,
        )
    if kind == "url":
        return Source(
            kind="archive", url=url, hashes=hashes, subdirectory=_text(source, "subdirectory")
        )
    found = local_source(url, editable=develop and kind == "directory", base=base)
    return Source(
        kind="directory" if kind == "directory" else "archive",
        url=found.url,
        hashes=hashes if kind == "file" else (),
        subdirectory=_text(source, "subdirectory"),
        editable=found.editable,
        base=base,
    )


def pipfile_source(package: dict[str, object], base: str, *, editable: bool) -> Source | None:
    """A Pipfile.lock entry's ``git`` (+ ``ref``, ``subdirectory``), ``path`` or ``file``.

    pipenv writes the resolved commit as ``ref``; a ref that is not a full commit is the
    revision asked for.
    """
    git = _text(package, "git")
    if git:
        ref = _text(package, "ref")
        inner = git[4:] if git.lower().startswith("git+") else git
        repository, revision = split_revision(inner)
        revision = ref or revision
        return _vcs_source(
            repository,
            revision,
            revision,
            subdirectory=_text(package, "subdirectory"),
            editable=editable,
        )
    for key in ("path", "file"):
        location = _text(package, key)
        if location:
            return source_from_url(location, editable=editable, base=base)
    return None


def pylock_source(package: object, base: str) -> Source | None:
    """A ``packaging.pylock.Package``'s ``vcs``, ``archive`` or ``directory`` table."""
    vcs = getattr(package, "vcs", None)
    if vcs is not None:
        import os

        local = os.path.join(base, vcs.path) if vcs.path else ""
        return Source(
            kind="vcs",
            url=vcs.url or f"file://{os.path.abspath(local)}",
            vcs=vcs.type,
            requested_revision=vcs.requested_revision,
            commit=vcs.commit_id,
            subdirectory=vcs.subdirectory,
        )
    archive = getattr(package, "archive", None)
    if archive is not None:
        hashes = tuple(f"{k}:{v}" for k, v in (archive.hashes or {}).items())
        if archive.url:
            return Source(
                kind="archive", url=archive.url, hashes=hashes, subdirectory=archive.subdirectory
            )
        return Source(
            kind="archive",
            url=archive.path or "",
            hashes=hashes,
            subdirectory=archive.subdirectory,
            base=base,
        )
    directory = getattr(package, "directory", None)
    if directory is not None:
        return Source(
            kind="directory",
            url=directory.path,
            editable=bool(directory.editable),
            subdirectory=directory.subdirectory,
            base=base,
        )
    return None
