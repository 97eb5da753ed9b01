"""The options of a requirements file, parsed the way pip's option parser reads them.

Index and install options say nothing about what must be installed and are accepted and
ignored; an option pip itself would not accept is an error, so a typo is not silently
dropped.  ``--hash`` (and ``--config-settings``) may follow a requirement on its line.
"""

from __future__ import annotations

from bootguard.manifest._req_lines import _Line

# Options that take a value and say nothing about what must be installed (``--hash`` on a
# line of its own: pip warns that it applies to nothing and goes on).
_IGNORED_WITH_VALUE = frozenset(
    {
        "-i", "--index-url", "--pypi-url", "--extra-index-url", "-f", "--find-links",
        "--trusted-host", "--no-binary", "--only-binary", "--use-feature", "--config-settings",
        "-C", "--global-option", "--install-option", "--progress-bar", "--all-releases",
        "--only-final", "--hash",
    }
)  # fmt: skip


_IGNORED_FLAGS = frozenset(
    {
        "--no-index",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--no-require-hashes",
        "--use-pep517",
        "--no-use-pep517",
    }
)


_INCLUDE = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}


_EDITABLE = frozenset({"-e", "--editable"})


_PER_REQUIREMENT_WITH_VALUE = frozenset({"--config-settings", "-C", "--global-option"})


_KNOWN = _IGNORED_WITH_VALUE | _IGNORED_FLAGS | _EDITABLE | _INCLUDE.keys()


def _tokens(where: _Line, text: str) -> list[str]:
    """Options split the way pip splits them (shlex, but only when quoting is used)."""
    if not any(c in text for c in "'\"\\"):
        return text.split()
    import shlex  # deferred: only quoted option lines need it

    try:
        return shlex.split(text)
    except ValueError as err:
        raise where.error(f"cannot split options: {err}") from err


def _first_option(line: str) -> tuple[str, str]:
    """(option, the text after it) from an option line.

    ``--requirement=x.txt``, ``-r x.txt`` and ``-rx.txt`` all give the option and
    ``x.txt``.  The value of ``-e`` is everything after the option (a ``name @ url``
    form has spaces).
    """
    head, _, tail = line.partition(" ")
    tail = tail.strip()
    if head.startswith("--") and "=" in head:
        option, _, attached = head.partition("=")
        return option, (attached + " " + tail).strip()
    if not head.startswith("--") and len(head) > 2:
        return head[:2], (head[2:] + " " + tail).strip()
    return head, tail


def _long_option(option: str) -> str:
    """An unambiguous prefix of a long option stands for it, as in pip's option parser."""
    if not option.startswith("--") or option in _KNOWN:
        return option
    matches = [known for known in _KNOWN if known.startswith(option) and known.startswith("--")]
    return matches[0] if len(matches) == 1 else option


def _check_options(where: _Line, tokens: list[str]) -> None:
    """Further options on an option line (pip accepts several): each must be one pip knows."""
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token[:1] != "-" or len(token) == 1:
            position += 1  # a positional argument: pip's option parser ignores it
            continue
        option = _long_option(token.split("=", 1)[0]) if token.startswith("--") else token[:2]
        if option in _INCLUDE or option in _EDITABLE:
            raise where.error(f"{option} must be on a line of its own")
        if option not in _IGNORED_WITH_VALUE and option not in _IGNORED_FLAGS:
            raise where.error(f"unknown option {option!r}")
        attached = "=" in token if token.startswith("--") else len(token) > 2
        position += 1 if attached or option in _IGNORED_FLAGS else 2


def _split_hashes(where: _Line, line: str) -> tuple[str, tuple[str, ...]]:
    """Separate per-requirement options (``--hash``) from the requirement text, as pip does."""
    if " -" not in line and "\t-" not in line:
        return line, ()
    tokens = line.split()
    for index, token in enumerate(tokens):
        if token[:1] == "-":
            requirement = " ".join(tokens[:index])
            options = tokens[index:]
            if "'" in line or '"' in line or "\\" in line:
                options = _tokens(where, " ".join(options))
            break
    else:
        return line, ()
    hashes: list[str] = []
    position = 0
    while position < len(options):
        token = options[position]
        name, eq, _ = token.partition("=")
        if token.startswith("--hash="):
            hashes.append(token[7:])
        elif token == "--hash" and position + 1 < len(options):  # noqa: S105 - an option name
            position += 1
            hashes.append(options[position])
        elif token[:1] != "-" or len(token) == 1:
            pass  # a positional leftover: pip's option parser ignores it
        else:
            # pip parses every option it knows here and ignores all but --hash and
            # --config-settings on a requirement line (``pkg==1 --pre`` is accepted)
            option = _long_option(name) if token.startswith("--") else token[:2]
            if option not in _KNOWN and option not in _PER_REQUIREMENT_WITH_VALUE:
                raise where.error(f"unknown per-requirement option {token!r}")
            attached = bool(eq) if token.startswith("--") else len(token) > 2
            if option == "--hash":  # an abbreviation, ``--has=...``
                following = options[position + 1] if position + 1 < len(options) else ""
                hashes.append(token.partition("=")[2] if attached else following)
            if not attached and option not in _IGNORED_FLAGS:
                position += 1  # the value is the next token
        position += 1
    for value in hashes:
        algorithm, sep, digest = value.partition(":")
        if not sep or not algorithm or not digest:
            raise where.error(f"malformed --hash {value!r} (want algo:hex)")
    return requirement, tuple(hashes)
