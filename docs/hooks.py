"""MkDocs hook: the configuration and CLI references, generated from the code at build time.

Why generated: the configuration reference must name exactly the settings
``bootguard.config.SETTINGS`` reads (with the environment variable and default the code
uses), and the CLI reference exactly the subcommands and options the argparse parser
accepts.  Written by hand, either drifts the day someone adds a setting or an option; built
from the code, a new setting without a sentence here fails ``mkdocs build --strict``, and a
new option shows up with its own ``help=`` text.

The pages hold a placeholder (``<!-- generated: settings -->``,
``<!-- generated: cli -->``) that :func:`on_page_markdown` replaces.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator

from bootguard.cli.parser import build_parser
from bootguard.config import DEFAULTS, ENV_PREFIX, SETTINGS

__all__ = [
    "PLACEHOLDERS",
    "SETTING_HELP",
    "cli_reference",
    "on_page_markdown",
    "setting_default",
    "settings_reference",
]

#: What each setting does, for the reference table.  The names must be exactly the keys of
#: ``bootguard.config.SETTINGS``: a missing or extra one stops the build with its name.
SETTING_HELP: dict[str, str] = {
    "manifest": "manifest path(s); relative to `pyproject.toml` when set there, to the "
    "working directory otherwise. Unset: one is discovered next to `pyproject.toml` (else in "
    "the working directory); none found: consistency checks only. `[]`: consistency checks "
    "only, silently",
    "mode": "what a failed check does: `report` (not ready, keeps running), `warn` (stays "
    "ready) or `enforce` (the boot stops, exit status 3); see [the boot gate](gate.md#modes)",
    "imports": "critical modules to import at boot (`import` findings)",
    "smoke": "`module:function` callables to call at boot; a true value or `None` passes, "
    "`False` or an exception fails (`smoke` findings)",
    "isolated": "import the critical modules in a child interpreter, killed at the timeout",
    "import_timeout": "seconds per critical import (interrupted at the timeout on the main "
    "thread; see [reliability](reliability.md#timeouts-and-bootguards-own-errors))",
    "smoke_timeout": "seconds per smoke callable (abandoned at the timeout)",
    "strict": "extraneous distributions fail instead of warn",
    "ignore": "distributions never reported, whatever the finding",
    "extras": "lock extras to select",
    "groups": "dependency groups to select. Unset: the lock's default groups; `[]`: none",
    "allow_empty_manifest": "accept a manifest that selects no distribution here (else a "
    "`bootguard:config` finding)",
    "seal": "use a sealed snapshot's fast path",
    "integrity": "verify installed files against their `RECORD`: `true`, or the "
    'distributions to verify (`["celery", "kombu"]`)',
    "quick_integrity": "verify only that recorded files exist with their recorded size "
    "(implies `integrity`)",
    "sentry": "report to Sentry (when the application has a client, or `sentry_dsn` is set)",
    "sentry_dsn": "a DSN for a Sentry client of bootguard's own (it never calls "
    "`sentry_sdk.init`); a malformed one is a `bootguard:config` finding and is not used. "
    "Unset: the application's client",
    "sentry_on_pass": "also send an `info` event when the check passes",
    "sentry_flush_timeout": "the most seconds a Sentry flush may delay the boot",
    "sentry_wait": "seconds a boot event waits for the application to configure Sentry",
    "token": "Bearer token that unlocks the detailed health report. Unset: anonymous answers only",
    "health_paths": 'the health endpoints\' paths, e.g. `{ready = "/-/ready"}` or '
    "`ready=/-/ready,live=` (empty: off). Unset: `/livez`, `/readyz`, `/healthz`",
    "recheck_interval": "seconds between re-checks of the environment after boot (a daemon "
    "thread; one Sentry event per change of verdict). Unset: off",
    "metrics": "publish the Prometheus gauges (`bootguard[prometheus]`)",
    "drain_on_sigterm": "on SIGTERM turn `/readyz` to 503, then hand the signal to the "
    "previous handler",
    "on_internal_error": "what a bug in bootguard (`bootguard:internal`) does: `ready` keeps "
    "the node ready and running; `not-ready` counts it as a failure (503 in `report` mode, "
    "the process stops in `enforce`; `warn` mode is always ready). Unset: `ready` in "
    "`report` and `warn` mode, `not-ready` in `enforce`",
}


def setting_default(value: object) -> str:
    """A default as it would be written in ``[tool.bootguard]`` (``unset`` for ``None``)."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return "[" + ", ".join(setting_default(item) for item in value) + "]"
    return str(value)


def settings_reference() -> str:
    """The settings table: every key of ``bootguard.config.SETTINGS``, in its order."""
    unknown = sorted(set(SETTING_HELP) - set(SETTINGS))
    missing = [name for name in SETTINGS if name not in SETTING_HELP]
    if unknown or missing:
        raise ValueError(
            f"docs/hooks.py SETTING_HELP out of step with bootguard.config.SETTINGS: "
            f"undocumented {missing}, no longer settings {unknown}"
        )
    rows = [
        "| setting (`[tool.bootguard]`) | environment variable | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for name in SETTINGS:
        default = setting_default(getattr(DEFAULTS, name))
        env = f"{ENV_PREFIX}{name.upper()}"
        rows.append(f"| `{name}` | `{env}` | `{default}` | {_cell(SETTING_HELP[name])} |")
    return "\n".join(rows)


def cli_reference() -> str:
    """Every subcommand of ``bootguard.cli.parser.build_parser()`` with every argument."""
    parser = build_parser()
    parts = [_usage(parser), "", parser.description or "", ""]
    parts += _arguments_table(parser)
    for name, sub, summary in _subcommands(parser):
        parts += ["", f"## bootguard {name}", "", f"{_sentence(summary)}", ""]
        parts += [_usage(sub), "", sub.description or "", ""]
        parts += _arguments_table(sub)
    return "\n".join(parts).rstrip() + "\n"


#: placeholder -> what replaces it
PLACEHOLDERS: dict[str, Callable[[], str]] = {
    "<!-- generated: settings -->": settings_reference,
    "<!-- generated: cli -->": cli_reference,
}


def on_page_markdown(markdown: str, /, **_: object) -> str:
    """MkDocs event: fill the placeholders a page holds."""
    for placeholder, generate in PLACEHOLDERS.items():
        if placeholder in markdown:
            markdown = markdown.replace(placeholder, generate())
    return markdown


# --- argparse, read through its documented-by-use internals --------------------------------


def _subcommands(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[str, argparse.ArgumentParser, str]]:
    """(name, parser, one-line summary) per subcommand; an alias is not a subcommand of its own."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries = {choice.dest: choice.help or "" for choice in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield name, sub, summaries.get(name, "")


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(parser.prog, width=88)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, "")
    return f"```text\n{formatter.format_help().strip()}\n```"


def _arguments_table(parser: argparse.ArgumentParser) -> list[str]:
    exclusive: dict[argparse.Action, list[argparse.Action]] = {}
    for group in parser._mutually_exclusive_groups:
        for action in group._group_actions:
            exclusive[action] = [other for other in group._group_actions if other is not action]
    rows = ["| argument | meaning |", "| --- | --- |"]
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        meaning = _sentence(_expand_help(action, parser.prog))
        if action.choices is not None:
            meaning += " One of " + ", ".join(f"`{c}`" for c in action.choices) + "."
        if _shown_default(action.default) and "default" not in meaning.lower():
            meaning += f" Default: `{action.default}`."
        if action.required and action.option_strings:
            meaning += " Required."
        if action in exclusive:
            others = ", ".join(f"`{_flag(other)}`" for other in exclusive[action])
            meaning += f" Not with {others}."
        rows.append(f"| `{_signature(action)}` | {_cell(meaning)} |")
    return rows


def _signature(action: argparse.Action) -> str:
    if not action.option_strings:
        return str(action.metavar or action.dest)
    flags = ", ".join(action.option_strings)
    if action.nargs == 0:
        return flags
    metavar = action.metavar or action.dest.upper()
    if action.choices is not None and action.metavar is None:
        metavar = "{" + ",".join(str(c) for c in action.choices) + "}"
    return f"{flags} {metavar}"


def _flag(action: argparse.Action) -> str:
    return action.option_strings[-1] if action.option_strings else str(action.dest)


def _expand_help(action: argparse.Action, prog: str) -> str:
    text = action.help or ""
    if "%(" in text:
        text = text % {**vars(action), "prog": prog}
    return text


def _shown_default(default: object) -> bool:
    return default not in (None, False, [], argparse.SUPPRESS)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", ":")) else text + "."


def _cell(text: str) -> str:
    """Markdown table cell text: a ``|`` would end the cell."""
    return re.sub(r"(?<!\\)\|", r"\\|", text).replace("\n", " ")
