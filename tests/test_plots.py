"""Figures land in files and leave the caller's matplotlib alone."""

import matplotlib

from evonas.plots import figure


def test_a_figure_is_saved_without_switching_the_callers_backend(tmp_path):
    before = matplotlib.get_backend()
    matplotlib.use("svg")  # e.g. a notebook's own choice
    try:
        with figure(tmp_path / "f.png") as ax:
            ax.plot([0, 1], [1, 0])
        assert matplotlib.get_backend() == "svg"
        assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        matplotlib.use(before)
