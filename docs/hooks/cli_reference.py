"""MkDocs hook: fill the CLI reference page from ``evonas.cli.build_parser()``, so it cannot go stale.

A page holding the line ``<!-- evonas-cli-reference -->`` gets one section per command,
with its usage and a table of every flag, its default and its help, read from the parser.
"""

from __future__ import annotations

import argparse

PLACEHOLDER = "<!-- evonas-cli-reference -->"


def _cell(text: str) -> str:
    """Text safe inside one markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _flag(action: argparse.Action) -> str:
    names = ", ".join(f"`{o}`" for o in action.option_strings) or f"`{action.metavar or action.dest}`"
    if action.option_strings and action.nargs != 0:
        names += f" `{action.metavar or action.dest.upper()}`"
    return names


def _default(action: argparse.Action) -> str:
    if action.required:
        return "required"
    if action.default in (None, argparse.SUPPRESS) or action.nargs == 0 or not action.option_strings:
        return ""
    return f"`{_cell(action.default)}`"


def command_sections(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-command parsers of the ``evonas`` parser, by name, in the parser's order."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def cli_markdown(parser: argparse.ArgumentParser) -> str:
    """Markdown for every command of ``parser``: usage, then one table row per flag and argument."""
    lines = [f"Usage: `{_cell(parser.format_usage().removeprefix('usage: ').strip())}`", "",
             "`evonas --version` prints the version; `python -m evonas` is the same command.", ""]
    for name, sub in command_sections(parser).items():
        formatter = argparse.HelpFormatter(sub.prog)  # the help as written, without argparse's "(default: ...)"
        lines += [f"## evonas {name}", "", _cell(sub.description or ""), "", "```text",
                  sub.format_usage().removeprefix("usage: ").strip(), "```", "",
                  "| flag or argument | default | help |", "|---|---|---|"]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            help_text = formatter._expand_help(action) if action.help else ""
            if action.choices and not action.option_strings and "{" not in help_text:
                help_text += f" (one of: {', '.join(map(str, action.choices))})"
            lines.append(f"| {_flag(action)} | {_default(action)} | {_cell(help_text)} |")
        lines.append("")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ANN001 (MkDocs' hook signature)
    if PLACEHOLDER not in markdown:
        return markdown
    from evonas.cli import build_parser

    return markdown.replace(PLACEHOLDER, cli_markdown(build_parser()))
