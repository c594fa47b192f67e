"""Warm starts (``--init FILE``): a search's initial population seeded with architectures known to be good.

Three kinds of source give the architectures, all in the space's notation or its genomes:

- a CSV table with an architecture column (``arch``, or ``native`` as in ``scored.csv`` and
  ``front.csv``, or ``genotype`` as in DARTS tables), read by the one reader of tables of
  architectures (:func:`evonas.tables.read_arch_table`): a row that does not parse is one
  line naming its row;
- a JSON file: a list of architecture texts, or an object whose ``architectures`` list
  holds them (its other keys, e.g. ``source``, are left for people);
- another run folder: a single-objective run's hall of fame, best first (its checkpoint; a
  folder with only ``best.json``, its champion), or a multi-objective run's front (the rank-0
  rows of ``front.csv``). The folder must be of the same space.

One rule for every search, single- or multi-objective (:func:`resolve_init`, called by the
preamble before the run folder is written): two entries of one network
(:meth:`~evonas.encodings.SearchSpace.network_key`) keep the first, and one over a *cheap*
``--budget`` limit (params, flops) is left out -- each with a note, printed as a warning and
kept in ``init.json`` -- and more architectures than the population is one error line. The
population is the given architectures, in order, topped up by the search's own sampling
(its seeded generator; PRE-NAS's ``--prior`` ranks the top-up). The run folder keeps the
architectures used in ``init.json``, so a resumed run neither needs the file nor sees it
changed (the multi-objective search replays its first generation from it).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from evonas.costs import Budget, make_cost
from evonas.costs.base import COSTS
from evonas.encodings import Genome, SearchSpace
from evonas.errors import ConfigError, DataError, EvonasError, Note
from evonas.runfolder import CHECKPOINT_FILE, CONFIG_FILE, INIT_FILE, atomic_write
from evonas.tables import INDEX, _parse, _read_csv, _short, read_arch_table

#: the architecture column of a CSV source, the first of these it has
ARCH_COLUMNS = ("arch", "native", "genotype")


@dataclass(frozen=True)
class WarmStart:
    """The architectures that seed a search's initial population, and what was left out of the source.

    Attributes:
        source: the file or folder given (``--init``).
        genomes: distinct networks, in the source's order (a hall of fame: best first).
        notes: one line per entry left out (a repeat, over the budget).
    """

    source: str
    genomes: tuple[Genome, ...]
    notes: tuple[str, ...] = ()

    def to_json(self, space: SearchSpace) -> dict[str, Any]:
        """What ``init.json`` holds: the source, each architecture in the space's notation and as a genome, the notes."""
        return {"source": self.source, "space": space.name, "architectures": [space.to_native(g) for g in self.genomes],
                "genomes": [g.to_json() for g in self.genomes], "notes": list(self.notes)}


def resolve_init(source: str, space: SearchSpace, population: int, limits: Mapping[str, float],
                 flag: str = "--init") -> WarmStart:
    """The warm start of a new search: read, repeats and (cheap) over-budget entries left out with a note, counted.

    Raises:
        DataError: the source cannot be read, or an entry is not an architecture of ``space``.
        ConfigError: more distinct architectures than ``population`` (the search keeps them all
            or refuses: which to drop is the user's choice).
    """
    warm = within_budget(read_init(source, space, flag=flag), space, limits, flag=flag)
    if len(warm.genomes) > population:
        raise ConfigError(f"{flag} {source}: {len(warm.genomes)} distinct architectures, more than --population "
                          f"{population}; give --population {len(warm.genomes)} or more, or fewer architectures")
    for note in warm.notes:
        warnings.warn(note, Note, stacklevel=2)
    return warm


def read_init(source: str | Path, space: SearchSpace, *, flag: str = "--init") -> WarmStart:
    """The distinct architectures of a CSV table, a JSON list or a run folder (see the module); repeats noted."""
    path = Path(source)
    where = f"{flag} {source}"
    if path.is_dir():
        labelled = _from_run(path, space, flag)
    elif path.suffix.lower() == ".json":
        labelled = _from_json(path, space, where)
    elif path.suffix.lower() == ".csv":
        return _from_csv(path, space, flag)
    elif not path.exists():
        raise DataError(f"{where}: no such file or folder")
    else:
        raise DataError(f"{where}: expected a .csv table (an arch column), a .json list of architectures or a run folder")
    return _distinct(str(source), labelled, space, where)


def within_budget(warm: WarmStart, space: SearchSpace, limits: Mapping[str, float], *,
                  flag: str = "--init") -> WarmStart:
    """``warm`` without the architectures over a cheap limit of ``limits`` (params, flops), each left out with a note.

    Timed costs (latency) are not measured here: such an architecture is found infeasible
    when it is evaluated, as any other is.
    """
    cheap = tuple(make_cost(name, space) for name in limits if COSTS.get(name).cheap)
    if not cheap:
        return warm
    budget = Budget(cheap, {c.name: limits[c.name] for c in cheap})
    kept, notes = [], list(warm.notes)
    for genome in warm.genomes:
        _, over = budget.measure(genome)
        if over is None:
            kept.append(genome)
        else:
            notes.append(f"{flag} {warm.source}: left out {_short(space.to_native(genome), 120)}, {over}")
    return WarmStart(warm.source, tuple(kept), tuple(notes))


def seeded_population(genomes: Sequence[Genome], n: int, make: Callable[[Genome], Any],
                      draw: Callable[[int], list]) -> list:
    """``n`` individuals: ``make(genome)`` of each given genome, in order, then ``draw(k)`` for the ``k`` left."""
    given = [make(g) for g in genomes]
    return given + (draw(n - len(given)) if n > len(given) else [])


def save_init(out: Path, warm: WarmStart, space: SearchSpace) -> None:
    """Write ``init.json`` into the run folder (atomically)."""
    atomic_write(Path(out) / INIT_FILE, (json.dumps(warm.to_json(space), indent=2) + "\n").encode())


def load_init(out: Path, space: SearchSpace) -> WarmStart:
    """The warm start a run folder recorded (for a resume); missing or damaged is one error line."""
    path = Path(out) / INIT_FILE
    try:
        data = json.loads(path.read_text())
        genomes = tuple(space.validate(Genome.from_json(g)) for g in data["genomes"])
        return WarmStart(str(data["source"]), genomes, tuple(data.get("notes", ())))
    except FileNotFoundError:
        raise ConfigError(f"--resume {out}: the run was warm-started (--init) but {INIT_FILE} is missing") from None
    except (ValueError, KeyError, TypeError, EvonasError) as err:
        raise ConfigError(f"--resume {out}: {INIT_FILE} is damaged ({type(err).__name__}: {err})") from None


# ---- sources -----------------------------------------------------------------------------
def _from_csv(path: Path, space: SearchSpace, flag: str) -> WarmStart:
    header = list(_read_csv(path, f"{flag} {path}").columns)
    column = next((c for c in ARCH_COLUMNS if c in header), ARCH_COLUMNS[0])
    table = read_arch_table(path, space, arch=column, flag=flag, duplicates="first",
                            hint=f" (the architecture column is named {' or '.join(ARCH_COLUMNS)})")
    notes = tuple(f"{flag} {path}: left out row {row}, the same {space.name} network as row {first}"
                  for row, first in table.repeats)
    return WarmStart(str(path), table.genomes, notes)


def _from_json(path: Path, space: SearchSpace, where: str) -> list[tuple[str, Genome]]:
    if not path.is_file():
        raise DataError(f"{where}: no such file")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"{where}: not JSON ({err})") from None
    items = data.get("architectures") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise DataError(f"{where}: expected a non-empty list of architecture texts, or an object whose "
                        "'architectures' holds one")
    labelled = []
    for i, text in enumerate(items, start=1):
        if not isinstance(text, str):
            raise DataError(f"{where}: item {i} is {type(text).__name__}, not the text of a {space.name} architecture")
        labelled.append((f"item {i}", _parse(space, text, where, f"item {i}")))
    return labelled


def _from_run(path: Path, space: SearchSpace, flag: str) -> list[tuple[str, Genome]]:
    """A run folder's best architectures: a multi-objective front, a hall of fame, or a champion."""
    where = f"{flag} {path}"
    if (path / CONFIG_FILE).is_file():
        try:
            theirs = json.loads((path / CONFIG_FILE).read_text()).get("space", "nb201")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as err:
            raise DataError(f"{where}: {CONFIG_FILE} is damaged ({err})") from None
        if theirs != space.name:
            raise DataError(f"{where}: that run searched --space {theirs}, this one --space {space.name}")
    if (path / "front.csv").is_file():
        table = read_arch_table(path / "front.csv", space, arch="native", values={"rank": INDEX}, flag=flag, duplicates="first")
        front = table.frame["rank"].to_numpy() == 0
        return [(f"front.csv row {i + 2}", g) for i, g in enumerate(table.genomes) if front[i]]
    try:
        if (path / CHECKPOINT_FILE).is_file():
            saved = json.loads((path / CHECKPOINT_FILE).read_text())
            if saved.get("kind") == "search":
                return [(f"hall of fame #{i + 1}", space.validate(Genome.from_json(d["genome"])))
                        for i, d in enumerate(saved["halloffame"])]
        if (path / "best.json").is_file():
            return [("best.json", space.validate(Genome.from_json(json.loads((path / "best.json").read_text())["genome"])))]
    except (ValueError, KeyError, TypeError, EvonasError) as err:
        raise DataError(f"{where}: its architectures cannot be read ({type(err).__name__}: {err})") from None
    raise DataError(f"{where}: not a run folder with results (no front.csv, {CHECKPOINT_FILE} of a search, or best.json)")


def _distinct(source: str, labelled: list[tuple[str, Genome]], space: SearchSpace, where: str) -> WarmStart:
    """The first of each network, the others left out with a note naming both entries."""
    first: dict[str, str] = {}
    genomes, notes = [], []
    for label, genome in labelled:
        key = space.network_key(genome)
        if key in first:
            notes.append(f"{where}: left out {label}, the same {space.name} network as {first[key]}")
            continue
        first[key] = label
        genomes.append(genome)
    return WarmStart(source, tuple(genomes), tuple(notes))
