"""Latency of the network to deploy: measured on the user's device, or read from a table measured elsewhere.

Timing is noisy, so the protocol is fixed and stated: ``warmup`` untimed passes, then the
median of ``runs`` timed passes of a batch of ``batch`` images, with ``threads`` CPU
threads (``torch.set_num_threads``, restored afterwards) and, on CUDA, a synchronisation
around each pass. Each architecture is timed once per run: its time is appended to
``latency.csv`` in the run folder (columns ``arch,ms``), which a resumed run reads back,
so no architecture is timed twice -- and which is itself a valid ``--latency-table``.
"""

from __future__ import annotations

import csv
import math
import statistics
import time
from pathlib import Path

import torch

from evonas.costs.base import COSTS, Cost
from evonas.encodings import Genome, SearchSpace
from evonas.errors import ConfigError, NotInTableError

#: the file in a run folder that holds every latency the run measured
LATENCY_FILE = "latency.csv"
#: what the options default to
DEFAULTS = {"batch": 1, "runs": 10, "warmup": 3, "threads": 1}


def read_latency_table(path: Path | str, space: SearchSpace) -> dict[str, float]:
    """``arch -> ms`` from a CSV with columns ``arch`` (the space's notation, parsed, never eval'd) and ``ms``.

    Every row is checked before a search starts: a missing column, text that is not an
    architecture of ``space``, or a time that is not a positive number is one line naming
    the file and the row.
    """
    path = Path(path)
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in ("arch", "ms") if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"--latency-table {path}: no column {', '.join(missing)} (the table needs columns "
                                  f"arch,ms; it has {', '.join(reader.fieldnames or []) or 'none'})")
            table: dict[str, float] = {}
            for row_number, row in enumerate(reader, start=2):
                where = f"--latency-table {path}, row {row_number}"
                try:
                    native = space.to_native(space.from_native(row["arch"]))
                except ValueError as err:
                    raise ConfigError(f"{where}: {row['arch']!r} is not a {space.name} architecture ({err})") from None
                try:
                    ms = float(row["ms"])
                except (TypeError, ValueError):
                    ms = math.nan
                if not (math.isfinite(ms) and ms > 0):
                    raise ConfigError(f"{where}: ms = {row['ms']!r} must be a positive number of milliseconds")
                table[native] = ms
    except FileNotFoundError:
        raise ConfigError(f"--latency-table {path} does not exist") from None
    return table


def time_network(net: torch.nn.Module, inputs: torch.Tensor, *, runs: int, warmup: int) -> float:
    """Median milliseconds of ``runs`` forward passes of ``inputs`` after ``warmup`` untimed ones."""
    cuda = inputs.device.type == "cuda"
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            if cuda:
                torch.cuda.synchronize(inputs.device)
            t0 = time.perf_counter()
            net(inputs)
            if cuda:
                torch.cuda.synchronize(inputs.device)
            if i >= warmup:
                times.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(times)


@COSTS.register("latency")
class Latency(Cost):
    """Milliseconds per forward pass of the network to deploy on this machine's device (median of timed runs).

    Args:
        space: the search space.
        batch: images per timed forward pass.
        runs: timed passes; the median is the latency.
        warmup: untimed passes first.
        threads: torch threads while timing.
        device: where the network runs (default cpu).
        table: a CSV measured elsewhere (:func:`read_latency_table`): looked up, nothing is timed.
        cache: the run folder's ``latency.csv``: read back, and appended to as architectures are timed.
        input_shape, num_classes: the run's images and classes (see :class:`~evonas.costs.Cost`).
    """

    name = "latency"
    unit = "ms"
    cheap = False

    def __init__(self, space: SearchSpace, *, batch: int | None = None, runs: int | None = None,
                 warmup: int | None = None, threads: int | None = None, device: str | None = None,
                 table: str | Path | None = None, cache: str | Path | None = None,
                 input_shape: tuple[int, ...] | None = None, num_classes: int | None = None) -> None:
        super().__init__(space, input_shape=input_shape, num_classes=num_classes)
        given = {"batch": batch, "runs": runs, "warmup": warmup, "threads": threads}
        for name, value in given.items():
            if value is not None and not value >= (0 if name == "warmup" else 1):
                raise ConfigError(f"--latency-{name} {value}: must be >= {0 if name == 'warmup' else 1}")
        self.batch, self.runs, self.warmup, self.threads = (DEFAULTS[k] if v is None else v for k, v in given.items())
        self.device = device or "cpu"
        self.table = None if table is None else read_latency_table(table, space)
        self.cache = None if cache is None else Path(cache)
        self._times: dict[str, float] | None = None

    @property
    def times(self) -> dict[str, float]:
        """Every latency known: the table's, or those this run timed (read back from ``latency.csv``)."""
        if self._times is None:
            if self.table is not None:
                self._times = self.table
            elif self.cache is not None and self.cache.exists():
                self._times = read_latency_table(self.cache, self.space)
            else:
                self._times = {}
        return self._times

    def measure(self, genome: Genome) -> float:
        native = self.space.to_native(genome)
        if native in self.times:
            return self.times[native]
        if self.table is not None:
            raise NotInTableError(f"no latency for {native} in --latency-table")
        self.times[native] = ms = self.time(genome)
        if self.cache is not None:
            new = not self.cache.exists()
            with open(self.cache, "a", newline="") as f:
                writer = csv.writer(f)
                if new:
                    writer.writerow(["arch", "ms"])
                writer.writerow([native, f"{ms:.6g}"])
        return ms

    def time(self, genome: Genome) -> float:
        """Time ``genome``'s network now (no cache), by the protocol of this cost."""
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            net = self.build(genome).to(self.device).eval()
            noise = torch.Generator(self.device).manual_seed(0)  # not torch's global stream: a search's draws stay its own
            inputs = torch.randn(self.batch, *self.input_shape, device=self.device, generator=noise)
            return time_network(net, inputs, runs=self.runs, warmup=self.warmup)
        finally:
            torch.set_num_threads(before)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_times": None}
