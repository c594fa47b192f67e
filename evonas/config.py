"""Run configurations: typed dataclasses read from CLI flags, TOML files and a run folder's ``config.json``.

A config's fields are its vocabulary: the flag of field ``ground_truth`` is
``--ground-truth``, a TOML key may be written either way (``ground-truth`` or
``ground_truth``), and the field's metadata holds its help text. Every value is checked
against the field's type when it is read, before anything is computed or written, and a
wrong one is one line naming the key, the value and what is allowed.

This module is a leaf: it knows types and ranges only, and the one rule of what a resume
may change (:meth:`RunConfig.resumed`). Whether a name is registered (a
space, a proxy, a strategy) is checked where the registries are, by the façade
(:func:`evonas.facade.check`), before anything is written.
"""

from __future__ import annotations

import copy
import dataclasses
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Callable, TypeVar, Union

from evonas.errors import ConfigError
from evonas.runfolder import CONFIG_FILE, LATENCY_FILE, RESOLVED_FILE, read_json, write_json

C = TypeVar("C", bound="RunConfig")
#: what a resumed run may change: how far it goes and how it runs, never what it searches
RESUMABLE = ("cycles", "evaluations", "ground_truth", "workers", "ray", "device", "gpus_per_worker", "track")
#: the limits of a run: a resumed run given one of them runs to the limits it is given
LIMITS = ("cycles", "evaluations")
#: the second objective of every multi-objective search
SIZE_OBJECTIVE = "params"
#: the first objective of a multi-objective search whose evaluator measures accuracy (table, train)
ACCURACY_OBJECTIVE = "accuracy"


def option(default: Any = None, help: str = "", *, factory: Any = None) -> Any:
    """A config field with its help text (``factory`` for mutable defaults)."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"help": help})
    return dataclasses.field(default=default, metadata={"help": help})


#: the fitness proxy of a search that names none (``--proxy``), also PRE-NAS's prior where the evaluator has no proxy
DEFAULT_PROXY = "reg-swap"
#: ``--prior none``: PRE-NAS's initial population is random (the prior is off)
NO_PRIOR = "none"


def flag(name: str) -> str:
    """The CLI flag of a field: ``ground_truth`` -> ``--ground-truth``."""
    return "--" + name.replace("_", "-")


class RunConfig:
    """Shared reading, checking and saving for the dataclass configs of ``evonas search``."""

    #: what a run folder written before a field existed ran with (so resuming it runs on as it ran)
    BEFORE: typing.ClassVar[dict[str, Any]] = {}
    #: what a saved ``None`` meant in a run folder written before the run resolved that key's default at its
    #: start (a resumed run goes on as it ran, and its ``resolved.json`` says so)
    UNSET_BEFORE: typing.ClassVar[dict[str, Any]] = {}
    #: the :data:`RESUMABLE` keys a run may keep: key -> ``rule(saved, resumed, run_dir)``, why this run keeps it
    #: (``saved``, ``resumed``: what the run ran on and would run on), or None where it may change
    KEPT: typing.ClassVar[dict[str, Callable[[Any, Any, Path], str | None]]] = {}

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """Hook to convert plain values (e.g. a comma-separated list) before they are type-checked."""
        return data

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any], where: str = "config") -> C:
        """From plain keys (dashes or underscores); unknown keys and ill-typed values are errors."""
        data = {key.replace("-", "_"): value for key, value in data.items()}
        names = cls.field_names()
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        data = cls.normalise(cls, dict(data))  # type: ignore[arg-type]
        hints = typing.get_type_hints(cls)
        return cls(**{name: check_type(name, value, hints[name], where) for name, value in data.items()})

    @classmethod
    def from_file(cls: type[C], path: Path) -> C:
        """Read a TOML config file with the same keys as the class."""
        return cls.from_dict(read_toml(path), where=str(path))

    def check_ranges(self, rules: dict[str, tuple[bool, str]]) -> None:
        """Raise :class:`ConfigError` for the first ``name: (ok, allowed)`` rule that fails."""
        for name, (ok, allowed) in rules.items():
            if not ok:
                raise ConfigError(f"{name} = {getattr(self, name)!r} is out of range: must be {allowed}")

    @classmethod
    def resumed(cls: type[C], run_dir: Path, changes: dict[str, Any] | None = None,
                where: str = "flags") -> tuple[C, C]:
        """(what the user asked, what the run runs on) of the run in ``run_dir``, with ``changes`` applied.

        ``changes`` may only touch :data:`RESUMABLE` keys: a resumed run may go further, run
        elsewhere (workers, Ray) or report against ground truth; anything that changes what is
        searched is refused (a value equal to the saved one, as asked or as resolved, in any
        spelling, is no change), and so is a change of a key the run keeps (:attr:`KEPT`: a
        run that times latency keeps its device). Limits given replace the saved ones: ``--resume RUN
        --evaluations 500`` runs until 500 evaluations, whatever cycle limit the run had. The
        resolved values stay the original run's (the window, a calibration), so a resumed run
        continues the one it resumes; a folder from before ``resolved.json`` holds them in
        ``config.json`` (and :attr:`BEFORE` what it ran with where a key is missing).
        """
        folder = Path(run_dir)
        raw = read_run_config(folder)
        raw = {**{key: value for key, value in cls.BEFORE.items() if key not in raw}, **raw}
        user = cls.from_dict(raw, where=str(folder / CONFIG_FILE))
        resolved = (cls.from_dict(read_json(folder, RESOLVED_FILE), where=str(folder / RESOLVED_FILE))
                    if (folder / RESOLVED_FILE).exists() else user)
        resolved = dataclasses.replace(resolved, **{key: value for key, value in cls.UNSET_BEFORE.items()
                                                    if getattr(resolved, key) is None})
        changes = {key.replace("-", "_"): value for key, value in (changes or {}).items()}
        given = cls.from_dict({**raw, **changes}, where=where)
        for key in changes:
            value = getattr(given, key)
            if key not in RESUMABLE and value != getattr(user, key) and value != getattr(resolved, key):
                raise ConfigError(
                    f"{flag(key)} {changes[key]} cannot change when resuming (the run has {key} = "
                    f"{getattr(resolved, key)!r}); a resumed run may change only "
                    f"{', '.join(flag(k) for k in RESUMABLE)}; start a new run with --out"
                )
        applied = {key: getattr(given, key) for key in changes if key in RESUMABLE}
        if any(key in changes for key in LIMITS):
            applied = {**dict.fromkeys(LIMITS), **applied}
        runs_on = dataclasses.replace(resolved, **applied)
        for key in (k for k in changes if k in cls.KEPT):
            why = cls.KEPT[key](resolved, runs_on, folder)
            if why is not None:
                raise ConfigError(f"{flag(key)} {changes[key]} cannot change when resuming {folder}: {why}, "
                                  "or start a new run with --out")
        return dataclasses.replace(user, **applied), runs_on

    @classmethod
    def resumed_from(cls: type[C], run_dir: Path, changes: dict[str, Any] | None = None) -> C:
        """The config the resumed run runs on (see :meth:`resumed`)."""
        return cls.resumed(run_dir, changes)[1]

    def save(self, run_dir: Path, resolved: RunConfig | None = None) -> None:
        """Write ``config.json`` (this config, as asked) and ``resolved.json`` (what the run runs on) into the run folder.

        Called once every check has passed (:func:`evonas.preamble.begin`): a refused start
        or resume writes nothing.
        """
        write_json(Path(run_dir), CONFIG_FILE, dataclasses.asdict(self))  # type: ignore[call-overload]
        write_json(Path(run_dir), RESOLVED_FILE, dataclasses.asdict(resolved or self))  # type: ignore[call-overload]


def check_type(name: str, value: Any, hint: Any, where: str = "config") -> Any:
    """``value`` if it fits the type ``hint`` (ints are accepted as floats), else a :class:`ConfigError`."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None and len(options) < len(typing.get_args(hint)):
            return None
        hint = options[0]
    origin = typing.get_origin(hint) or hint
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, (int, float)) and not isinstance(value, bool),
        str: isinstance(value, str),
        dict: isinstance(value, dict),
        list: isinstance(value, list) and all(isinstance(v, str) for v in value),
    }.get(origin, True)
    if not ok:
        raise ConfigError(f"{where}: {name} = {value!r} must be {_describe(origin)}")
    return float(value) if origin is float else value


def _describe(kind: Any) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text",
            dict: "network arguments (KEY=VALUE,... or a table)", list: "a list of names"}.get(kind, str(kind))


def parse_net_args(text: str | None) -> dict[str, object]:
    """``"C=3,layers=1,stem=false"`` -> ``{"C": 3, "layers": 1, "stem": False}``."""
    out: dict[str, object] = {}
    for item in filter(None, (s.strip() for s in (text or "").split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--net: expected KEY=VALUE pairs separated by commas, got {item!r}")
        if key.strip() in out:
            raise ConfigError(f"--net {text}: {key.strip()} is given twice; give each key once")
        v = value.strip()
        if v.lower() in ("true", "false"):
            out[key.strip()] = v.lower() == "true"
        else:
            try:
                out[key.strip()] = int(v)
            except ValueError:
                try:
                    out[key.strip()] = float(v)
                except ValueError:
                    raise ConfigError(f"--net: value of {key.strip()!r} must be a number or true/false, got {v!r}") from None
    return out


def parse_budget(value: Any) -> dict[str, float]:
    """``"params=3e6,flops=6e8"`` -> ``{"params": 3e6, "flops": 6e8}``; a bare number is refused with the new spelling."""
    text = str(value).strip()
    if _is_number(text):
        raise ConfigError(f"--budget {text}: say which cost it limits, e.g. --budget params={text} "
                          "(or flops=..., latency=... in ms; evonas list costs)")
    out: dict[str, float] = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        name, sep, limit = item.partition("=")
        if name.strip() in out:
            raise ConfigError(f"--budget {text}: {name.strip()} is limited twice; give each cost once")
        try:
            out[name.strip()] = parse_quantity(limit)
        except ValueError:
            raise ConfigError(f"--budget {item}: expected COST=LIMIT pairs separated by commas, e.g. "
                              "params=3e6,flops=600M,latency=5 (suffixes K, M, G)") from None
        if not sep or not name.strip():
            raise ConfigError(f"--budget {item}: expected COST=LIMIT, e.g. params=3e6")
    return out


#: suffixes a budget limit may carry: 600M = 6e8 (thousands, millions, billions; any case)
SUFFIXES = {"k": 1e3, "m": 1e6, "g": 1e9}


def parse_quantity(text: str) -> float:
    """``"600M"`` -> 6e8, ``"3.5k"`` -> 3500.0, ``"2e6"`` -> 2e6; a ``ValueError`` for anything else."""
    text = text.strip()
    scale = SUFFIXES.get(text[-1:].lower(), 1.0) if text else 1.0
    return float(text[:-1] if scale != 1.0 else text) * scale


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML config file as a dict; a missing or malformed file is a :class:`ConfigError`."""
    try:
        return tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {path}: {err}") from None


def read_run_config(run_dir: Path) -> dict[str, Any]:
    """The ``config.json`` of a run folder, for ``--resume``."""
    return read_json(Path(run_dir), CONFIG_FILE)


def device_kept(saved: SearchBase, resumed: SearchBase, run_dir: Path) -> str | None:
    """Why a resumed run that times latency keeps its ``--device``: its ``latency.csv`` was timed there.

    A run that reads ``--latency-table`` or measures no latency may move (None); ``auto``
    names the device it stands for here, so ``auto`` on a machine without CUDA is ``cpu``.
    """
    from evonas.device import AUTO, default_device

    def named(device: str | None) -> str:
        return default_device() if device == AUTO else device or "cpu"

    if "latency" not in resumed.costs() or resumed.latency_table is not None or named(saved.device) == named(resumed.device):
        return None
    return (f"its latencies ({Path(run_dir) / LATENCY_FILE}) were timed on {named(saved.device)}; resume with "
            f"--device {saved.device or 'cpu'}")


@dataclasses.dataclass
class SearchBase(RunConfig):
    """The vocabulary every search shares (single- and multi-objective): what is searched, on what data, how far."""

    space: str = option("nb201", "search space (evonas list spaces)")
    dataset: str | None = option(None, "normalisation constants of the input images: cifar10, cifar100 or imagenet "
                                       "(default: cifar10's; a class folder's own statistics)")
    data: str | None = option(None, "input images: a class folder (DIR/<class>/<image>, or DIR/train and DIR/val), "
                                    "a CIFAR python-batch directory, an .npz/.npy file or 'gaussian' "
                                    "(default: the packaged batch of 64 CIFAR-10 images)")
    image_size: int | None = option(None, "side of the square input images in pixels: a class folder's are resized "
                                          "(shorter side) and centre-cropped to it (default: the data's own size)")
    population: int = option(10, "population size")
    cycles: int | None = option(None, "cycles (multi-objective: generations) after the initial population "
                                      "(default 20, multi-objective 10; no limit with --evaluations alone)")
    evaluations: int | None = option(None, "budget: stop once this many distinct architectures are scored "
                                           "(--queries: the same, for evaluators that query or train)")
    samples: int = option(16, "images per input batch (S)")
    repeats: int | None = option(None, "random re-initialisations averaged per score (default: the space's "
                                       "scoring_repeats, 4; darts: 2)")
    seed: int = option(0, "random seed of the search and of the re-initialisations")
    init: str | None = option(None, "warm start: seed the initial population with the architectures of a CSV (arch "
                                    "column), a JSON list or another run folder (its hall of fame or front); topped "
                                    "up by sampling, repeats and those over a params/flops --budget left out with a "
                                    "note; kept in the run folder's init.json")
    net: dict[str, Any] = option(help="arguments of the scored network, replacing the space's scoring network, "
                                      "e.g. C=8,N=1 (evonas list spaces shows the defaults)", factory=dict)
    ground_truth: str | None = option(None, "table of trained accuracies (NAS-Bench-201 CSV) to report the result "
                                            "against; read before the search, never during it")
    workers: int = option(1, "score on this many local worker processes (with --ray: Ray actors)")
    ray: str | None = option(None, "score on a Ray cluster: its address, 'auto' or 'local'")
    gpus_per_worker: float | None = option(None, "with --ray: GPUs each Ray actor holds, fractions allowed (0.25: four "
                                                 "actors share a GPU; default: 1 when scoring on CUDA, else 0)")
    evaluator: str = option("proxy", "what a search evaluates architectures with (evonas list evaluators): "
                                     "proxy (training-free), table (a benchmark table), train (short training)")
    table: str | None = option(None, "evaluator table: CSV of trained architectures (arch column in the space's "
                                     "notation)")
    valid_col: str | None = option(None, "evaluator table: the column the search reads (default cifar10_valid_acc)")
    test_col: str | None = option(None, "evaluator table: the column the result is reported with, never read during "
                                        "the search (default cifar10_test_acc, if the table has it)")
    recipe: str | None = option(None, "evaluator train: training recipe (evonas list recipes; default quick)")
    epochs: int | None = option(None, "evaluator train: epochs per evaluated architecture (default 2)")
    no_inherit: bool = option(False, "evaluator train: train every child from scratch instead of from its parent's "
                                     "weights")
    device: str | None = option(None, "where networks are built, scored and trained: cpu, cuda, cuda:N or auto "
                                      "(default: cpu for proxies; evaluator train: cuda when present)")
    budget: dict[str, Any] = option(help="limits on what the network to deploy costs, e.g. params=3e6,flops=6e8,latency=5 "
                                         "(evonas list costs; latency in ms): an architecture over one is infeasible, "
                                         "never scored nor returned", factory=dict)
    latency_table: str | None = option(None, "latency: CSV of times measured elsewhere (columns arch,ms; arch in the "
                                             "space's notation) instead of timing on this machine")
    latency_batch: int | None = option(None, "latency: images per timed forward pass (default 1)")
    latency_runs: int | None = option(None, "latency: timed passes per architecture; their median is its latency "
                                            "(default 10)")
    latency_warmup: int | None = option(None, "latency: untimed passes before timing (default 3)")
    latency_threads: int | None = option(None, "latency: CPU threads while timing (default 1)")
    track: list[str] = option(help="experiment trackers that log the run: mlflow, tensorboard or both, e.g. "
                                   "mlflow,tensorboard (pip install 'evonas[mlflow]' / 'evonas[tensorboard]'; "
                                   "default none)", factory=list)

    #: cycles of a search given neither cycles nor evaluations
    DEFAULT_CYCLES: typing.ClassVar[int] = 20
    KEPT = {"device": device_kept}

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """``net`` and ``budget`` may be given as ``KEY=VALUE,...`` text (as the flags take them), ``track`` as
        comma-separated names."""
        if isinstance(data.get("net"), str):
            data["net"] = parse_net_args(data["net"])
        if "budget" in data and not isinstance(data["budget"], dict):
            data["budget"] = parse_budget(data["budget"])
        if isinstance(data.get("track"), str):
            data["track"] = [t.strip() for t in data["track"].split(",") if t.strip()]
        return data

    def latency_options(self) -> dict[str, Any]:
        """The latency cost's options given (None: its default), keyed as :class:`evonas.costs.Latency` takes them."""
        return {"table": self.latency_table, "batch": self.latency_batch, "runs": self.latency_runs,
                "warmup": self.latency_warmup, "threads": self.latency_threads}

    def costs(self) -> list[str]:
        """The costs this search measures: those it limits (and, multi-objective, those it minimises)."""
        return list(self.budget)

    def resolved_copy(self: C) -> C:
        """A copy of this config, range-checked, with the defaults every search shares filled in.

        The config a user gives is never changed: what a search resolves (a default, a
        calibration, a window) goes into a copy, which the run folder keeps as ``resolved.json``
        beside the user's ``config.json`` (as scikit-learn keeps fitted attributes apart from
        the parameters it was given).
        """
        resolved = copy.deepcopy(self)
        resolved.check_common()
        return resolved

    def check_common(self) -> None:
        """The range checks every search shares, filling in their defaults (on :meth:`resolved_copy`'s copy)."""
        if self.cycles is None and self.evaluations is None:
            self.cycles = self.DEFAULT_CYCLES
        if not isinstance(self.budget, dict):  # a config built in code, not read: the old spelling, a bare count
            self.budget = parse_budget(self.budget)
        for name, limit in self.budget.items():
            if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0:
                raise ConfigError(f"--budget {name}={limit}: a limit must be a number > 0")
        latency = [k for k, v in self.latency_options().items() if v is not None]
        if latency and "latency" not in self.costs():
            raise ConfigError(f"{flag('latency_' + latency[0])} applies only where latency is measured (--budget "
                              "latency=MS, or latency among --objectives)")
        if self.latency_table is not None and len(latency) > 1:
            raise ConfigError(f"{flag('latency_' + latency[1])} sets how latency is timed; with --latency-table "
                              "nothing is timed")
        self.check_ranges({
            "population": (self.population >= 2, ">= 2"),
            "cycles": (self.cycles is None or self.cycles >= 0, ">= 0 (or unset: until the evaluation budget is spent)"),
            "evaluations": (self.evaluations is None or self.evaluations >= 1, ">= 1 distinct architectures (or unset)"),
            "samples": (self.samples >= 2, ">= 2"),
            "image_size": (self.image_size is None or self.image_size >= 1, "a whole number of pixels >= 1 (or unset)"),
            "repeats": (self.repeats is None or self.repeats >= 1, ">= 1 (or unset: the space's default)"),
            "workers": (self.workers >= 1, ">= 1"),
            "ray": (self.ray is None or self.ray.strip() != "", "a Ray address, 'auto' or 'local'"),
            "epochs": (self.epochs is None or self.epochs >= 1, ">= 1"),
            "gpus_per_worker": (self.gpus_per_worker is None or (self.gpus_per_worker >= 0 and self.ray is not None),
                                ">= 0, with --ray (GPUs are given to Ray actors)"),
        })
        self.check_evaluator_options()

    #: the options of each evaluator: given with another evaluator they are refused
    EVALUATOR_OPTIONS: typing.ClassVar[dict[str, tuple[str, ...]]] = {
        "proxy": ("mu", "sigma", "target_size"),
        "table": ("table", "valid_col", "test_col"),
        "train": ("recipe", "epochs", "no_inherit"),
    }

    def check_evaluator_options(self) -> None:
        """Only the chosen evaluator's own options are given (a flag is never ignored)."""
        for name, options in self.EVALUATOR_OPTIONS.items():
            given = [o for o in options if getattr(self, o, None) not in (None, False)]
            if name != self.evaluator and given:
                raise ConfigError(f"{flag(given[0])} is an option of --evaluator {name}; this search evaluates with "
                                  f"--evaluator {self.evaluator}")
        if self.evaluator == "table" and self.table is None:
            raise ConfigError("--evaluator table needs --table CSV (e.g. ../shared/data/nb201_cifar10.csv)")


@dataclasses.dataclass
class SearchConfig(SearchBase):
    """Everything that defines a single-objective run (the CLI flags and config-file keys have these names)."""

    #: runs from before ``--window`` were synchronous
    BEFORE: typing.ClassVar[dict[str, Any]] = {"window": 1}
    #: PRE-NAS runs from before its prior was on by default (issue 30) saved ``prior: null``: they had none
    UNSET_BEFORE: typing.ClassVar[dict[str, Any]] = {"prior": NO_PRIOR}

    proxy: str | None = option(None, "fitness proxy of the proxy evaluator (evonas list proxies; default reg-swap)")
    strategy: str = option("swap-nas", "search strategy (evonas list strategies)")
    mutations: int | None = option(None, "swap-nas: children mutated from the parent per cycle (default 5)")
    crossover: float | None = option(None, "swap-nas: probability of node-incoming crossover per cycle (default 0.5)")
    tournament: int | None = option(None, "swap-nas, rea, pre-nas: tournament sample size (default: half the population)")
    candidates: int | None = option(None, "pre-nas: op-mutants of the parent ranked by the predictor per cycle (default 20)")
    per_cycle: int | None = option(None, "pre-nas: candidates evaluated per cycle, chosen by stratified predicted "
                                         "percentile (default 2)")
    predictor: str | None = option(None, "pre-nas: scikit-learn regressor: rf, gbdt, svr, mlp, bayesian-ridge, "
                                         "kernel-ridge, linear, gp or a class name (default rf)")
    features: list[str] | None = option(None, "pre-nas: training-free proxies added to the predictor's one-hot "
                                              "features, e.g. swap,params (default none)")
    prior: str | None = option(None, "pre-nas: a training-free proxy that picks the initial population from "
                                     "--prior-samples random architectures, evaluating none of them (proxy scorings, "
                                     "reported as prior_scorings); none: random architectures (default: the search's "
                                     "--proxy, reg-swap with --evaluator table or train)")
    prior_samples: int | None = option(None, "pre-nas: random architectures the prior scores (default 1000)")
    predictor_target: str | None = option(None, "pre-nas: what the predictor is fitted to: value or rank "
                                                "(default value)")
    mu: float | None = option(None, "regularisation centre, in thousands of parameters of the scored network "
                                    "(with --sigma; default: calibrated from sampled sizes)")
    sigma: float | None = option(None, "regularisation width, in (thousands of parameters)^2")
    target_size: float | None = option(None, "steer a regularised proxy to this size, in thousands of parameters of "
                                             "the scored network (sets mu, and sigma = mu^2)")
    halloffame: int = option(10, "best architectures kept")
    window: int | str | None = option(None, "swap-nas, rea, random, pre-nas: cycles in flight (pipelined steady state: cycle c "
                                      "is bred before cycle c-1 is merged); 1: the synchronous search; auto: from "
                                      "--workers, 1 for one or two workers (the resolved value is saved) (default auto)")

    def check(self) -> SearchConfig:
        """Raise :class:`ConfigError` naming the first value out of range; else the resolved copy (see
        :meth:`SearchBase.resolved_copy`); nothing has run or been written yet."""
        config = self.resolved_copy()
        if config.evaluator == "proxy" and config.proxy is None:
            config.proxy = DEFAULT_PROXY
        if config.evaluator != "proxy" and config.proxy is not None:
            raise ConfigError(f"--proxy is an option of --evaluator proxy; this search evaluates with --evaluator {config.evaluator}")
        config.check_ranges({
            "mutations": (config.mutations is None or config.mutations >= 1, ">= 1"),
            "crossover": (config.crossover is None or 0.0 <= config.crossover <= 1.0, "in [0, 1]"),
            "tournament": (config.tournament is None or 1 <= config.tournament <= config.population,
                           f"in [1, population = {config.population}]"),
            "halloffame": (config.halloffame >= 1, ">= 1"),
            "candidates": (config.candidates is None or config.candidates >= 1, ">= 1"),
            "per_cycle": (config.per_cycle is None or config.per_cycle >= 1, ">= 1"),
            "prior_samples": (config.prior_samples is None or config.prior_samples >= 1, ">= 1"),
            "window": (config.window is None or config.window >= 1, "a whole number >= 1 or auto"),
        })
        if config.sigma is not None and not config.sigma > 0:
            raise ConfigError(f"sigma = {config.sigma} is impossible: it divides (params - mu)^2, so it must be > 0")
        if config.mu is not None and not config.mu > 0:
            raise ConfigError(f"mu = {config.mu} is impossible: it is a model size (in thousands of parameters), so > 0")
        return config

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """``features`` may be given as a comma-separated string (and ``net`` as text)."""
        if isinstance(data.get("features"), str):
            data["features"] = [f.strip() for f in data["features"].split(",") if f.strip()]
        if isinstance(data.get("window"), str):
            text = data["window"].strip()
            if text != "auto" and not text.isdigit():
                raise ConfigError(f"--window {text}: must be a whole number >= 1 or auto")
            data["window"] = None if text == "auto" else int(text)
        return SearchBase.normalise(self, data)

    def strategy_options(self) -> dict[str, Any]:
        """The strategy options given (None: the strategy's default)."""
        return {"mutations": self.mutations, "crossover": self.crossover, "tournament": self.tournament,
                "candidates": self.candidates, "per_cycle": self.per_cycle, "predictor": self.predictor,
                "features": self.features, "prior": None if self.prior == NO_PRIOR else self.prior,
                "prior_samples": self.prior_samples,
                "target": self.predictor_target, "window": self.window}


@dataclasses.dataclass
class MooConfig(SearchBase):
    """Everything that defines a multi-objective run (CLI flags and config-file keys have these names).

    The shared vocabulary (:class:`~evonas.config.SearchBase`) means here: ``population``
    is also the offspring per generation, and ``cycles`` are the generations after the
    initial sample (pymoo runs ``cycles + 1`` generations); ``evaluations`` stops the run
    after the generation that reaches the budget.
    """

    population: int = option(20, "population size (also offspring per generation)")
    objectives: list[str] = option(help="multi-objective search, 'PROXY,COST[,COST]': maximise the (plain) proxy, "
                                        "minimise each cost of the network to deploy (evonas list costs), e.g. "
                                        "swap,params or swap,flops,latency ('accuracy,COST' with --evaluator table or "
                                        "train)", factory=lambda: ["swap", SIZE_OBJECTIVE])
    algorithm: str | None = option(None, "multi-objective algorithm (evonas list algorithms; default nsga2, with 3 or "
                                         "more objectives nsga3)")
    crossover: float = option(0.9, "probability that a mating applies node-incoming crossover")

    DEFAULT_CYCLES = 10
    #: the algorithm of a search with two objectives, and of one with more
    DEFAULT_ALGORITHMS: typing.ClassVar[tuple[str, str]] = ("nsga2", "nsga3")

    @property
    def proxy(self) -> str:
        """The proxy of the first objective."""
        return self.objectives[0]

    @property
    def cost_objectives(self) -> list[str]:
        """The costs minimised: every objective after the first."""
        return self.objectives[1:]

    def costs(self) -> list[str]:
        return list(dict.fromkeys([*self.cost_objectives, *self.budget]))

    def check(self) -> MooConfig:
        """Raise :class:`ConfigError` naming the first value out of range (cost names are checked by the registry);
        else the resolved copy (see :meth:`SearchBase.resolved_copy`)."""
        config = self.resolved_copy()
        first = ACCURACY_OBJECTIVE if config.evaluator != "proxy" else "PROXY"
        if len(config.objectives) < 2 or len(set(config.objectives)) < len(config.objectives) or (
                config.evaluator != "proxy" and config.proxy != ACCURACY_OBJECTIVE):
            raise ConfigError(
                f"objectives = {','.join(config.objectives)!r}: must be '{first},COST[,COST]', distinct (e.g. "
                f"'{'swap' if first == 'PROXY' else first},params'): the evaluator's score to maximise, then the "
                "costs to minimise (evonas list costs)"
            )
        if config.algorithm is None:
            config.algorithm = config.DEFAULT_ALGORITHMS[len(config.objectives) > 2]
        config.check_ranges({
            "crossover": (0.0 <= config.crossover <= 1.0, "in [0, 1]"),
        })
        return config

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """``objectives`` may be given as a comma-separated string (and ``net`` as text)."""
        if isinstance(data.get("objectives"), str):
            data["objectives"] = [o.strip() for o in data["objectives"].split(",")]
        return SearchBase.normalise(self, data)
