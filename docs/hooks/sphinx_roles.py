"""MkDocs hook: the docstrings' Sphinx roles (``:class:`~evonas.errors.EvonasError```) as API links.

The package's docstrings are Google style with Sphinx cross-reference roles, which
mkdocstrings renders as the literal text ``:class:<code>...</code>``. This turns each into an
optional autorefs link (resolved when the target is documented, plain code otherwise), so
the docstrings need no change.
"""

from __future__ import annotations

import re

ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|exc|obj):<code>(~?)([\w.]+)</code>")


def _link(match: re.Match) -> str:
    short, target = match.groups()
    title = target.rsplit(".", 1)[-1] if short else target
    return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'


def on_page_content(html: str, page, config, files) -> str:  # noqa: ANN001 (MkDocs' hook signature)
    return ROLE.sub(_link, html)
