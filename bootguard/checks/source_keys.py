"""Where a distribution came from, as comparable keys: repository URLs, local paths.

Two spellings of one repository (``git+https://user@host/org/repo.git/`` and
``ssh://git@host:22/org/repo``) or of one directory (relative to the working directory or
to the manifest, through a symlink) are the same source; nothing here reads the network.
"""

from __future__ import annotations

import os

from bootguard.manifest.model import Source

__all__ = ["repository_key", "same_location"]


def repository_key(url: str) -> str:
    """``host/path`` of a repository URL, for comparing two spellings of one repository.

    ``git+https://user@github.com/org/repo.git/``, ``ssh://git@github.com:22/org/repo`` and
    ``git@github.com:org/repo.git`` all give ``github.com/org/repo``.  ``file:`` URLs give the
    normalized local path.
    """
    from urllib.parse import unquote

    text = url.split("#", 1)[0]
    scheme, sep, rest = text.partition("://")
    if sep:
        scheme = scheme.rpartition("+")[2].lower()
        if scheme == "file":
            return "file:" + _normal_path(_file_path(text))
        netloc, _, path = rest.partition("/")
    else:  # scp-like: user@host:org/repo
        netloc, _, path = text.partition(":")
    host = netloc.rpartition("@")[2]
    host = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
    path = unquote(path.partition("?")[0]).strip("/")
    if path.lower().endswith(".git"):
        path = path[:-4].rstrip("/")
    return f"{host.lower()}/{path.lower()}"


def _file_path(url: str) -> str:
    """The local path of a ``file:`` URL (``file:///abs``, ``file://localhost/abs``)."""
    from urllib.parse import unquote

    rest = url.split("#", 1)[0].partition(":")[2]
    if rest.startswith("//"):
        host, slash, tail = rest[2:].partition("/")
        rest = slash + tail if host in ("", "localhost") else "//" + rest[2:]
    return unquote(rest)


def _normal_path(path: str) -> str:
    return os.path.normcase(os.path.normpath(path)) if path else path


def _local(url: str) -> str | None:
    """The local path a URL or path names, None for a remote URL."""
    if url.lower().startswith("file:"):
        return _file_path(url)
    if "://" in url:
        return None
    return url


def same_location(source: Source, recorded: str, *, loose: bool) -> bool:
    """Whether the manifest's archive or directory is the one ``direct_url.json`` records.

    Remote URLs compare without fragment and credentials.  A relative manifest path matches
    the recorded path resolved from the current directory or the manifest's directory, and,
    when ``loose``, any recorded path with the same last component (``.`` matches any).
    """
    wanted, installed = _local(source.url), _local(recorded)
    if wanted is None or installed is None:
        if wanted is None and installed is None:
            return _remote_key(source.url) == _remote_key(recorded)
        return False
    installed = _normal_path(installed)
    if os.path.isabs(wanted):
        return _same_path(_normal_path(wanted), installed)
    bases = [os.getcwd()] + ([source.base] if source.base else [])
    if any(_same_path(_normal_path(os.path.join(b, wanted)), installed) for b in bases):
        return True
    if not loose:
        return False
    # Where the lock or install ran is not recorded, and a relative path moves with the
    # project: the last component (the project directory or the file name) must match.
    parts = [p for p in wanted.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return not parts or installed.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] == (
        os.path.normcase(parts[-1])
    )


def _same_path(first: str, second: str) -> bool:
    if first.rstrip("/") == second.rstrip("/"):
        return True
    try:
        return os.path.realpath(first) == os.path.realpath(second)
    except (OSError, ValueError):
        return False


def _remote_key(url: str) -> str:
    text = url.split("#", 1)[0]
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    netloc, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{netloc.rpartition('@')[2].lower()}{slash}{path}"
