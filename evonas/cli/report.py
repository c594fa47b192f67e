"""``evonas report``: one self-contained HTML page about one or more run folders (:mod:`evonas.report`)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("Write one self-contained HTML report of run folders (search, multi-objective, training): configuration, "
        "convergence, fronts, best architectures drawn; for several runs a comparison.")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("runs", type=Path, nargs="+", metavar="RUN", help="run folders (running, finished or failed)")
    p.add_argument("--out", type=Path, default=Path("report.html"), help="HTML file to create (never replaced)")


def run(args: argparse.Namespace) -> int:
    from evonas.report import write_report

    out = write_report(args.runs, args.out)
    print(f"report of {len(args.runs)} run{'s' * (len(args.runs) > 1)} written to {out}")
    return 0
