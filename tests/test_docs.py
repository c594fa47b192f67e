"""The docs cannot go stale: every Python block of README and of each docs page runs, the CLI
reference covers the parser, every page is in the site's nav, and README stays short.

The blocks of one page run in order as one script, in a fresh interpreter whose working
directory is a temporary folder with ``../shared`` beside it (the shared data, as beside a
checkout), so a page can neither lean on another's state nor write into the repository.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"
PAGES = [README, *sorted(DOCS.rglob("*.md"))]
#: pages whose script takes over ten seconds (an epoch of training; the NB201 table read and indexed; a search)
SLOW = {"docs/getting-started.md", "docs/tutorials/pre-nas.md", "docs/tutorials/own-images.md"}


def python_blocks(page: Path) -> list[str]:
    """The ```python blocks of a markdown page, in order."""
    return re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def with_marks(page: Path):
    return pytest.param(page, id=page_id(page), marks=[pytest.mark.slow] if page_id(page) in SLOW else [])


@pytest.mark.parametrize("page", [with_marks(p) for p in PAGES if python_blocks(p)])
def test_the_python_blocks_of_a_page_run_in_order(page, tmp_path):
    blocks = python_blocks(page)
    script = "\n".join(f"# ---- {page_id(page)}, block {i + 1}\n{block}" for i, block in enumerate(blocks))
    if "../shared" in script and not SHARED.is_dir():
        pytest.skip(f"{page_id(page)} reads ../shared, which is not beside this checkout")
    work = tmp_path / "work"
    work.mkdir()
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)
    (work / "page.py").write_text(script)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "page.py"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{page_id(page)}:\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{page_id(page)} printed nothing"


def test_pages_with_python_blocks_are_collected():
    pages = {page_id(p) for p in PAGES if python_blocks(p)}
    assert {"README.md", "docs/getting-started.md", "docs/tutorials/custom-strategy.md"} <= pages


def nav_pages() -> list[str]:
    """The pages named in mkdocs.yml's nav, relative to docs/."""
    config = (ROOT / "mkdocs.yml").read_text()
    nav = config[config.index("\nnav:"):]
    return re.findall(r"^\s*-\s*(?:[^:\n]*:\s*)?([\w/.-]+\.md)\s*$", nav, flags=re.M)


def test_every_docs_page_is_in_the_nav_and_every_nav_entry_exists():
    listed = nav_pages()
    on_disk = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert len(listed) == len(set(listed)), "a page is in the nav twice"
    assert sorted(listed) == on_disk


def load_hook(name: str = "cli_reference"):
    spec = importlib.util.spec_from_file_location(name, DOCS / "hooks" / f"{name}.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


def test_the_cli_reference_covers_every_command_and_flag():
    import argparse

    from evonas.cli import COMMANDS, build_parser

    hook = load_hook()
    assert "docs/hooks/cli_reference.py" in (ROOT / "mkdocs.yml").read_text()
    assert hook.PLACEHOLDER in (DOCS / "reference" / "cli.md").read_text()
    parser = build_parser()
    text = hook.on_page_markdown(hook.PLACEHOLDER, None, None, None)
    commands = hook.command_sections(parser)
    assert sorted(commands) == sorted(COMMANDS)
    for name, sub in commands.items():
        section = text.split(f"## evonas {name}\n", 1)[1].split("\n## evonas ", 1)[0]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            names = action.option_strings or [action.metavar or action.dest]
            for flag in names:
                assert f"`{flag}`" in section, f"evonas {name}: {flag} missing from the CLI reference"
            if action.help:
                assert " ".join(action.help.split()[:4]).replace("|", "\\|") in section, f"evonas {name} {names[0]}: help missing"


def test_sphinx_roles_in_docstrings_become_optional_api_links():
    roles = load_hook("sphinx_roles")
    html = "see :class:<code>~evonas.errors.EvonasError</code> and :func:<code>evonas.search</code>"
    assert roles.on_page_content(html, None, None, None) == (
        'see <autoref identifier="evonas.errors.EvonasError" optional><code>EvonasError</code></autoref> and '
        '<autoref identifier="evonas.search" optional><code>evonas.search</code></autoref>')


def test_the_api_reference_has_every_public_package():
    documented = set(re.findall(r"^::: (evonas[\w.]*)", "\n".join(p.read_text() for p in (DOCS / "reference" / "api").glob("*.md")), flags=re.M))
    packages = {f"evonas.{p.parent.name}" for p in (ROOT / "evonas").glob("*/__init__.py")} - {"evonas.cli"}  # the CLI: reference/cli.md
    assert packages <= documented, f"not in docs/reference/api: {sorted(packages - documented)}"


def test_readme_is_short_and_its_links_exist():
    lines = README.read_text().splitlines()
    assert len(lines) <= 250
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README.read_text()):
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


def test_ci_runs_exactly_the_readme_test_command():
    command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert "python -m pytest" in command and "mkdocs build --strict" in command
    bash_blocks = re.findall(r"^```bash\n(.*?)^```", README.read_text(), flags=re.S | re.M)
    assert command in [line.strip() for block in bash_blocks for line in block.splitlines()]


def test_no_page_repeats_a_line():
    """docs/concepts/index.md said "no import circle):" twice."""
    for page in [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]:
        lines = [line.strip() for line in page.read_text().splitlines() if re.search(r"[A-Za-z]", line)]
        repeated = [a for a, b in zip(lines, lines[1:]) if a == b]
        assert not repeated, f"{page.relative_to(ROOT)} repeats {repeated[0]!r}"
