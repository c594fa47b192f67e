"""Latency of the network to deploy: measured on the user's device, or read from a table measured elsewhere.

Timing is noisy, so the protocol is fixed and stated: ``warmup`` untimed passes, then the
median of ``runs`` timed passes of a batch of ``batch`` images, with ``threads`` CPU
threads (``torch.set_num_threads``, restored afterwards) and, on CUDA, a synchronisation
around each pass. Each architecture is timed once per run: its time is appended to
``latency.csv`` in the run folder (columns ``arch,ms``), which a resumed run reads back,
so no architecture is timed twice -- and which is itself a valid ``--latency-table``.

Workers (local processes, Ray actors on this machine, cycles of a pipelined search in
flight) share that file under an exclusive lock (``fcntl.flock``): each looks the
architecture up in it under the lock and times it only if it is not there, so an
architecture is timed once however many workers meet it, and no two timings overlap on
this machine (a concurrent timing would measure the other's load). A line that a killed
process left half-written is cut off, with a warning, by the next one that takes the lock.
"""

from __future__ import annotations

import csv
import fcntl
import io
import math
import statistics
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Literal

import torch

from evonas.costs.base import COSTS, Cost
from evonas.encodings import Genome, SearchSpace
from evonas.errors import ConfigError, DataError, NotInTableError
from evonas.runfolder import LATENCY_FILE
from evonas.tables import POSITIVE, read_arch_table

#: what the options default to
DEFAULTS = {"batch": 1, "runs": 10, "warmup": 3, "threads": 1}


def read_latency_table(path: Path | str, space: SearchSpace, *, flag: str = "--latency-table",
                       duplicates: Literal["refuse", "first"] = "refuse") -> dict[str, float]:
    """``network key -> ms`` from a CSV with columns ``arch`` (the space's notation, parsed, never eval'd) and ``ms``.

    Read by :func:`evonas.tables.read_arch_table` before a search starts: a missing column,
    text that is not an architecture of ``space``, two rows of one network, or a time that
    is not a positive number is one line naming the file, the row and the column.
    ``duplicates="first"`` keeps the first of two rows (a cache several workers append to).
    """
    table = read_arch_table(path, space, values={"ms": POSITIVE}, flag=flag, duplicates=duplicates)
    return table.column("ms")


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
        input_shape: the run's image shape, channels first (see :class:`~evonas.costs.Cost`).
        num_classes: the run's class count (see :class:`~evonas.costs.Cost`).
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
        self._read = self._lines = 0  # how far latency.csv was read: bytes, lines

    @property
    def times(self) -> dict[str, float]:
        """Every latency known: the table's, or those this run timed (read back from ``latency.csv``)."""
        if self._times is None:
            self._times = self.table if self.table is not None else {}
            if self.table is None and self.cache is not None and self.cache.exists():
                with self._locked() as f:
                    self._catch_up(f)
        return self._times

    def measure(self, genome: Genome) -> float:
        native, key = self.space.to_native(genome), self.space.network_key(genome)
        if key in self.times:
            return self.times[key]
        if self.table is not None:
            raise NotInTableError(f"no latency for {native} in --latency-table")
        if self.cache is None:
            self.times[key] = ms = self.time(genome)
            return ms
        with self._locked() as f:
            self._catch_up(f)  # another worker may have timed it meanwhile
            if key not in self.times:
                self.times[key] = ms = self.time(genome)
                row = io.StringIO()
                writer = csv.writer(row, lineterminator="\n")
                if self._read == 0:
                    writer.writerow(["arch", "ms"])
                writer.writerow([native, f"{ms:.6g}"])
                f.seek(0, io.SEEK_END)
                f.write(row.getvalue().encode())
                f.flush()
                self._read, self._lines = f.tell(), self._lines + row.getvalue().count("\n")
        return self.times[key]

    @contextmanager
    def _locked(self) -> Iterator[BinaryIO]:
        """``latency.csv`` open for reading and appending, under an exclusive lock (every worker takes it)."""
        with open(self.cache, "a+b") as f:  # type: ignore[arg-type]
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield f
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _catch_up(self, f: BinaryIO) -> None:
        """Read the rows written since the last read, under the lock; cut off a line a killed process left half-written."""
        f.seek(self._read)
        data = f.read()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) < len(data):
            warnings.warn(f"{self.cache}: its last line {data[len(complete):].decode(errors='replace')!r} was left "
                          "half-written (a process killed while writing it) and is cut off", RuntimeWarning, stacklevel=3)
            f.truncate(self._read + len(complete))
        for line in complete.decode().splitlines():
            self._lines += 1
            row = next(csv.reader([line]), [])
            if self._lines == 1:
                if row != ["arch", "ms"]:
                    raise DataError(f"{self.cache}, row 1: {line!r} is not the header arch,ms of the run's latency "
                                    f"cache (written by this run only; move it away to time again)")
                continue
            where = f"the run's {self.cache}: row {self._lines}"
            hint = "(the run's latency cache, written by this run only; move it away to time again)"
            try:
                arch, text = row
                key = self.space.network_key(self.space.from_native(arch))
            except ValueError:
                raise DataError(f"{where}: {line!r} is not arch,ms {hint}") from None
            try:
                ms = float(text)
            except ValueError:
                ms = math.nan
            if not (math.isfinite(ms) and ms > 0):
                raise DataError(f"{where}, column 'ms': {text!r} is not a positive number {hint}")
            self._times.setdefault(key, ms)  # type: ignore[union-attr]  (two timings: the first is kept)
        self._read += len(complete)

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
        return {**self.__dict__, "_times": None, "_read": 0, "_lines": 0}
