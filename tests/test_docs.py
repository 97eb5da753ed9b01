"""The documentation: the README as the package's long description, and the MkDocs site.

Why these tests: the README is also what the package index shows, where a relative link
leads nowhere, so every link in it is absolute and every link to the documentation site
names a page that exists.  The configuration and CLI references are generated from the
code (``docs/hooks.py``); the tests compute what they must list from the code too, so a
setting or an option cannot go undocumented.  The site is built for real with
``mkdocs build --strict``, which fails on any broken link, anchor or missing page.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

import pytest
import tomllib

from bootguard.cli.parser import build_parser
from bootguard.config import DEFAULTS, ENV_PREFIX, SETTINGS, load_settings
from docs import hooks
from tests.support.cli import REPO_ROOT
from tests.support.venvs import _run as run_command
from tests.support.venvs import clean_env

DOCS_SITE = "https://bootguard.readthedocs.io/en/latest/"
REPOSITORY = "https://github.com/bootguard/bootguard"
README = (REPO_ROOT / "README.md").read_text()
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
# [text](target), ![alt](target), <https://...>, and HTML href/src attributes
_LINK = re.compile(
    r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(https?://[^>]+)>|(?:href|src)=\"([^\"]+)\""
)


def _links(markdown: str) -> list[str]:
    without_code = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    without_code = re.sub(r"`[^`\n]*`", "", without_code)
    return [
        next(group for group in match.groups() if group) for match in _LINK.finditer(without_code)
    ]


def _table_rows(markdown: str) -> dict[str, str]:
    """First cell (without backticks) -> the whole row, for the rows of a Markdown table."""
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1].strip().strip("`")
            rows[first] = line
    return rows


def _docs_page(url: str) -> tuple[str, str]:
    """The page name (``""`` for the index) and anchor of a link to the docs site."""
    rest = url.removeprefix(DOCS_SITE)
    path, _, anchor = rest.partition("#")
    return path.strip("/"), anchor


# --- the README ---------------------------------------------------------------------------


def test_the_readme_is_short_and_every_link_in_it_is_absolute() -> None:
    assert len(README.splitlines()) <= 200
    links = _links(README)
    assert links, "the README links to the documentation"
    relative = [link for link in links if not link.startswith("https://")]
    assert relative == []  # the package index shows the README: a relative link is dead there
    assert any(link.startswith(DOCS_SITE) for link in links)
    assert any(link.startswith(REPOSITORY) for link in links)


def test_every_readme_link_to_the_docs_site_names_an_existing_page() -> None:
    pages = {path.stem for path in (REPO_ROOT / "docs").glob("*.md")}
    linked = [link for link in _links(README) if link.startswith(DOCS_SITE)]
    for link in linked:
        page, _ = _docs_page(link)
        assert page == "" or page in pages, link
        assert link.removeprefix(DOCS_SITE).partition("#")[0] in ("", f"{page}/"), link
    assert {_docs_page(link)[0] for link in linked} >= {"", "getting-started", "configuration"}


@pytest.mark.parametrize(
    "document", ["README.md", *sorted(p.name for p in (REPO_ROOT / "docs").glob("*.md"))]
)
def test_repository_links_name_files_that_exist_and_nothing_outside_is_mentioned(
    document: str,
) -> None:
    path = REPO_ROOT / document if document == "README.md" else REPO_ROOT / "docs" / document
    text = path.read_text()
    for link in _links(text):
        if link.startswith(f"{REPOSITORY}/"):
            tail = link.removeprefix(f"{REPOSITORY}/")
            kind, _, target = tail.partition("/main/")
            assert kind in ("tree", "blob", ""), link
            if target:
                assert (REPO_ROOT / target.partition("#")[0]).exists(), link
        elif link.startswith("https://raw.githubusercontent.com/bootguard/bootguard/main/"):
            target = link.removeprefix(
                "https://raw.githubusercontent.com/bootguard/bootguard/main/"
            )
            assert (REPO_ROOT / target).is_file(), link
    outside = re.findall(
        r"(?i)\bissue \d+|\bthe issues\b|planning|shared folder|design brief|(?-i:DESIGN\.md)|/work/|_incoming",
        text,
    )
    assert outside == [], (document, outside)


def test_the_project_urls_point_at_the_docs_and_the_repository() -> None:
    urls = PYPROJECT["project"]["urls"]
    assert urls == {
        "Homepage": REPOSITORY,
        "Documentation": DOCS_SITE,
        "Source": REPOSITORY,
        "Changelog": f"{REPOSITORY}/blob/main/CHANGELOG.md",
    }
    assert (REPO_ROOT / "CHANGELOG.md").is_file()
    config = (REPO_ROOT / "mkdocs.yml").read_text()
    assert f"site_url: {DOCS_SITE}\n" in config and f"repo_url: {REPOSITORY}\n" in config
    # Read the Docs builds the same mkdocs.yml, strictly, with the docs extra installed
    readthedocs = (REPO_ROOT / ".readthedocs.yaml").read_text()
    assert "configuration: mkdocs.yml\n" in readthedocs and "fail_on_warning: true\n" in readthedocs
    assert re.search(r"extra_requirements:\s*\n\s*- docs\n", readthedocs), readthedocs
    assert PYPROJECT["project"]["optional-dependencies"]["docs"]


# --- the generated references ------------------------------------------------------------


def test_the_configuration_reference_names_every_setting_its_variable_and_default() -> None:
    rows = _table_rows(hooks.settings_reference())
    assert list(rows) == list(SETTINGS)  # every setting, in the table's order, nothing else
    for name, row in rows.items():
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[1] == f"`{ENV_PREFIX}{name.upper()}`", row
        default = getattr(DEFAULTS, name)
        shown = cells[2].strip("`")
        if default is None:  # what unset means must be said in words
            assert shown == "unset" and "Unset:" in cells[3], row
        else:  # the default as written in [tool.bootguard], read back by a TOML parser
            read = tomllib.loads(f"value = {shown}")["value"]
            assert (tuple(read) if isinstance(read, list) else read) == default, row
        assert cells[3], row


def test_the_variables_the_reference_names_are_the_ones_bootguard_reads() -> None:
    booleans = [name for name in SETTINGS if isinstance(getattr(DEFAULTS, name), bool)]
    assert len(booleans) >= 5
    for name in booleans:
        variable = f"{ENV_PREFIX}{name.upper()}"
        flipped = "false" if getattr(DEFAULTS, name) else "true"
        loaded, problems = load_settings(environ={variable: flipped}, start=REPO_ROOT)
        assert problems == [], problems
        assert (getattr(loaded, name), loaded.source(name)) == (
            flipped == "true",
            f"env:{variable}",
        )


def test_a_setting_without_a_description_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(hooks.SETTING_HELP, "mode")
    monkeypatch.setitem(hooks.SETTING_HELP, "no_such_setting", "gone")
    with pytest.raises(
        ValueError, match=r"undocumented \['mode'\].*no longer settings \['no_such_setting'\]"
    ):
        hooks.settings_reference()


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    unique: dict[str, argparse.ArgumentParser] = {}
    for name, sub in action.choices.items():  # aliases map to the parser already listed
        if all(sub is not listed for listed in unique.values()):
            unique[name] = sub
    return unique


def test_the_cli_reference_names_every_subcommand_and_every_option() -> None:
    reference = hooks.cli_reference()
    parser = build_parser()
    subcommands = _subparsers(parser)
    assert set(subcommands) >= {"check", "snapshot", "serve", "diff"}
    headings = re.findall(r"^## bootguard (\S+)$", reference, flags=re.MULTILINE)
    assert headings == list(subcommands)
    sections = dict(
        zip(
            headings,
            re.split(r"^## bootguard \S+$", reference, flags=re.MULTILINE)[1:],
            strict=True,
        )
    )
    for name, sub in subcommands.items():
        section = sections[name]
        named = {token for cell in _table_rows(section) for token in re.split(r"[, ]+", cell)}
        for action in sub._actions:
            assert set(action.option_strings or [str(action.metavar or action.dest)]) <= named, (
                action
            )
            if action.choices:
                assert all(f"`{choice}`" in section for choice in action.choices), action
    assert "`--version`" in reference.split("## bootguard", 1)[0]


def test_the_placeholders_are_filled_on_the_pages_that_hold_them() -> None:
    for page, placeholder in (("configuration.md", "settings"), ("cli.md", "cli")):
        text = (REPO_ROOT / "docs" / page).read_text()
        marker = f"<!-- generated: {placeholder} -->"
        assert text.count(marker) == 1, page
        filled = hooks.on_page_markdown(text, page=None, config=None, files=None)
        assert marker not in filled and len(filled) > len(text) + 500, page


# --- the site, built for real ------------------------------------------------------------


def test_mkdocs_build_strict_passes_and_ignores_incoming_notes(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(
        REPO_ROOT / "docs", source / "docs", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(REPO_ROOT / "mkdocs.yml", source / "mkdocs.yml")
    incoming = source / "docs" / "_incoming"
    incoming.mkdir(exist_ok=True)
    (incoming / "note.md").write_text("# A note\n\n[dead](no-such-page.md#nowhere)\n")
    site = tmp_path / "site"
    built = run_command(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site],
        env=clean_env({"NO_MKDOCS_2_WARNING": "1"}),
        cwd=source,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    assert not (site / "_incoming").exists()
    assert not list(site.rglob("*.py"))

    configuration = html.unescape((site / "configuration" / "index.html").read_text())
    for name in SETTINGS:
        assert f"<code>{ENV_PREFIX}{name.upper()}</code>" in configuration, name
    cli = html.unescape((site / "cli" / "index.html").read_text())
    for name, sub in _subparsers(build_parser()).items():
        assert f"bootguard {name}" in cli
        for action in sub._actions:
            assert all(option in cli for option in action.option_strings), action
    assert "<!-- generated" not in configuration + cli

    # every README link to the docs site lands on a built page, and its anchor exists there
    for link in _links(README):
        if link.startswith(DOCS_SITE):
            page, anchor = _docs_page(link)
            built_page = site / page / "index.html" if page else site / "index.html"
            assert built_page.is_file(), link
            if anchor:
                assert f'id="{anchor}"' in built_page.read_text(), link


def test_an_option_added_to_the_parser_appears_in_the_cli_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def grown() -> argparse.ArgumentParser:
        parser = build_parser()
        check = _subparsers(parser)["check"]
        check.add_argument("--brand-new", metavar="WHAT", help="an option added %(prog)s")
        return parser

    monkeypatch.setattr(hooks, "build_parser", grown)
    reference = hooks.cli_reference()
    check = reference.split("## bootguard check", 1)[1].split("## bootguard", 1)[0]
    assert "| `--brand-new WHAT` | An option added bootguard check. |" in check
    assert "[--brand-new WHAT]" in check  # in the usage line too
