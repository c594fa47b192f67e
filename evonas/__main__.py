"""``python -m evonas``: the ``evonas`` command, for environments without its script on PATH."""

from evonas.cli import main

raise SystemExit(main())
