"""Scoring architectures in parallel, on local worker processes or a Ray cluster, behind one ``map``.

Every place that scores architectures takes a ``map`` function (DEAP's ``toolbox.map``, the
``map_fn`` of :func:`~evonas.moo.run_moo` and :func:`~evonas.correlation.correlate`), so
parallelism is "pass another map". :func:`make_map` returns one that keeps the order of its
inputs; scores are seeded per architecture, not per worker, so a run finds the same
architectures with any number of workers.

What travels to a worker: the scorer, with its input batch, once, when the worker starts.
A task then carries the architecture and the function to apply, pickled with the scorer
replaced by a reference to the worker's copy (pickle's ``persistent_id``), so a wrapper
such as ``functools.partial(f, scorer)`` costs a few bytes per task, not a batch.

Local workers are started with "forkserver" (or "spawn" where it is missing), never
"fork": forking the parent would copy a process whose torch (OpenMP) thread pools are
already running, and a child forked while one of their threads holds a lock deadlocks. The
fork server is a fresh process that imports torch and evonas but runs no torch operation,
so forking workers from it is safe, and each starts in milliseconds instead of importing
torch again as a "spawn" worker does (pool start-up 2.6 s rather than 4.3 s here).

A worker that dies (killed, out of memory, crashed) does not lose the run: its tasks are
retried once (local: the pool is rebuilt; Ray: the actor restarts), then
:class:`~evonas.errors.WorkerError` says so in one line. Searches checkpoint only after a whole cycle, so
a failed cycle is simply repeated by ``--resume``.
"""

from __future__ import annotations

import functools
import io
import itertools
import multiprocessing
import os
import pickle
import socket
from abc import ABC, abstractmethod
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Sequence

from evonas.errors import ConfigError, WorkerError

#: ``map_fn(function, items) -> iterable of results, in the order of items``.
MapFn = Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[Any]]

#: Times a task is run again after the worker running it died.
RETRIES = 1
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
_SCORER = "scorer"  # the persistent id standing for the worker's installed scorer


class Map(ABC):
    """An ordered ``map`` that can also start work without waiting: what :func:`make_map` returns.

    ``map_fn(fn, items)`` gives ``fn(item)`` for every item, in order; ``submit(fn, items)``
    starts them and gives one object per item whose ``result()`` waits for it. Any other
    ``map`` (the builtin, a user's) is accepted wherever a ``MapFn`` is, and runs submitted
    work at once (:func:`submit`).
    """

    @abstractmethod
    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterable[Any]: ...

    @abstractmethod
    def submit(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]: ...

    def close(self) -> None:
        """Stop the workers (nothing for a map without any)."""


class SerialMap(Map):
    """The builtin ``map``, in this process; ``submit`` runs the work now."""

    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        return map(fn, items)

    def submit(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Done]:
        return [Done(fn(item)) for item in items]


class Done:
    """An evaluation already made (what a map without ``submit`` gives): ``result()`` returns it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def submit(map_fn: MapFn, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """Start ``fn(item)`` for every item without waiting: one object per item whose ``result()`` waits for it.

    The maps of :func:`make_map` start them on their workers; any other ``map`` (the
    builtin, a user's) runs them now. Pipelined searches submit this way
    (:mod:`evonas.strategy.pipeline`).
    """
    while isinstance(map_fn, functools.partial) and not map_fn.args and not map_fn.keywords:
        map_fn = map_fn.func  # a toolbox part: DEAP's register wraps it in a partial
    return map_fn.submit(fn, items) if isinstance(map_fn, Map) else [Done(r) for r in map_fn(fn, items)]


def cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_rules(workers: int, ray: str | None) -> dict[str, tuple[bool, str]]:
    """The ``RunConfig.check_ranges`` rules of a run's ``workers`` and ``ray`` settings."""
    return {
        "workers": (isinstance(workers, int) and workers >= 1, ">= 1"),
        "ray": (ray is None or (isinstance(ray, str) and ray.strip() != ""), "a Ray address, 'auto' or 'local'"),
    }


@contextmanager
def make_map(workers: int, ray_address: str | None, scorer: Callable[[Any], Any], *,
             gpus_per_worker: float | None = None, device: str = "cpu") -> Iterator[Map]:
    """An ordered ``map`` that scores on ``workers`` local processes or on a Ray cluster; shut down on exit.

    Args:
        workers: local worker processes; 1 (and no ``ray_address``) is the serial builtin
            ``map``. With Ray, the number of actors, at most one per CPU of the cluster
            (1: one per CPU).
        ray_address: a Ray cluster address (``"auto"``: the cluster ``ray start`` made on this
            machine; ``"local"``: a new single-machine instance), or None for local processes.
            If this process already called ``ray.init``, that session is used.
        scorer: installed once in every worker; functions mapped later may refer to it cheaply.
        gpus_per_worker: the (fractional) GPUs each Ray actor holds, e.g. 0.25: four actors
            share a GPU (default: 1 for a scorer on CUDA, else 0).
        device: where the scorer builds its networks, as it declares it
            (:attr:`evonas.evaluators.Evaluator.device`): ``cuda...`` gives each Ray actor a GPU.

    Raises:
        ConfigError: ``workers`` < 1, Ray is not installed or the cluster cannot be reached,
            GPUs per worker without Ray or on a cluster without GPUs.
    """
    if workers < 1:
        raise ConfigError(f"workers = {workers} is out of range: must be >= 1")
    if gpus_per_worker is not None and (gpus_per_worker < 0 or ray_address is None):
        raise ConfigError(f"--gpus-per-worker {gpus_per_worker}: " + (
            "must be >= 0" if gpus_per_worker < 0 else "GPUs are given to Ray actors: give --ray too"))
    if ray_address is None and workers == 1:
        yield SerialMap()
        return
    pool = (RayMap(ray_address, workers, scorer, gpus_per_worker, device=device) if ray_address is not None
            else ProcessMap(workers, scorer))
    try:
        yield pool
    finally:
        pool.close()


class ProcessMap(Map):
    """An ordered ``map`` over local worker processes, each holding the scorer and ``cores // workers`` torch threads."""

    def __init__(self, workers: int, scorer: Callable[[Any], Any]) -> None:
        self.workers, self.scorer = workers, scorer
        self._initargs = (_dumps(scorer), max(1, cores() // workers))
        self._pool = self._start()

    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``fn(item)`` for every item, in order; a dead worker's tasks are run again once on a new pool."""
        payload, todo, done = _dumps(fn, self.scorer), list(items), 0
        for _ in range(RETRIES + 1):
            try:
                for result in self._pool.map(_run, itertools.repeat(payload), todo[done:]):
                    yield result
                    done += 1
                return
            except BrokenProcessPool:
                self._pool.shutdown(wait=True)
                self._pool = self._start()
        raise WorkerError(
            f"a local worker process died twice while scoring ({len(todo) - done} of {len(todo)} tasks left; killed, out of "
            "memory or crashed); results saved so far are intact: continue with --resume (search) or rerun (correlate)"
        )

    def submit(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[_LocalTask]:
        """Start ``fn(item)`` for every item now; a dead worker's tasks are run again once on a new pool."""
        payload = _dumps(fn, self.scorer)
        return [_LocalTask(self, payload, item) for item in items]

    def restart(self, broken: ProcessPoolExecutor) -> None:
        """A new pool in place of ``broken`` (once, however many of its tasks notice)."""
        if self._pool is broken:
            broken.shutdown(wait=True)
            self._pool = self._start()

    def warm(self) -> None:
        """Start every worker now (the pool starts them as tasks arrive): a benchmark times from here."""
        for f in [self._pool.submit(_sleep, 0.2) for _ in range(self.workers)]:
            f.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=_context(), initializer=_install, initargs=self._initargs)


class _LocalTask:
    """One item submitted to a :class:`ProcessMap`: ``result()`` waits; a dead worker's task runs again once."""

    def __init__(self, owner: ProcessMap, payload: bytes, item: Any) -> None:
        self.owner, self.payload, self.item = owner, payload, item
        self.pool, self.future = owner._pool, owner._pool.submit(_run, payload, item)

    def result(self) -> Any:
        for _ in range(RETRIES + 1):
            try:
                return self.future.result()
            except BrokenProcessPool:
                self.owner.restart(self.pool)
                self.pool = self.owner._pool
                self.future = self.pool.submit(_run, self.payload, self.item)
        raise WorkerError("a local worker process died twice while scoring (killed, out of memory or crashed); results "
                          "saved so far are intact: continue with --resume")


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def prestart(workers: int, ray_address: str | None) -> None:
    """Start what local workers are forked from now, so its imports (torch, evonas; ~1 s) overlap the caller's set-up.

    Optional: :func:`make_map` starts it anyway when it is not running.
    """
    if workers > 1 and ray_address is None and START_METHOD == "forkserver":
        _context()
        multiprocessing.forkserver.ensure_running()


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload(["torch", "evonas.evaluators"])
    return context


class RayMap(Map):
    """An ordered ``map`` over a pool of Ray actors (``ray.util.ActorPool``), each holding the scorer.

    ``submit`` batches: a Ray task costs about a millisecond of overhead (Ray's docs advise
    tasks of at least ~100 ms), so items submitted are sent in batches of as many as take
    :data:`TASK_SECONDS` by the time items took so far (1 at first), round-robin over the actors.
    """

    #: what one Ray task should take at least
    TASK_SECONDS = 0.1
    #: most items in one task
    MAX_BATCH = 64

    def __init__(self, address: str, workers: int, scorer: Callable[[Any], Any],
                 gpus_per_worker: float | None = None, *, device: str = "cpu") -> None:
        try:
            import ray
            from ray.util import ActorPool
        except ImportError:
            raise ConfigError(f"--ray {address}: Ray is not installed; pip install 'evonas[ray]'") from None
        self.scorer, self._ray = scorer, ray
        self._owns = not ray.is_initialized()
        if self._owns:
            _check_reachable(address)
            try:
                ray.init(address=address)
            except ConnectionError as err:
                raise ConfigError(f"--ray {address}: no Ray cluster there ({err}); start one with `ray start --head`") from None
            except ValueError as err:  # e.g. a ray:// address without the Ray client installed
                raise ConfigError(f"--ray {address}: {err}") from None
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        actors = min(workers, cpus) if workers > 1 else cpus  # an actor beyond the CPUs would never start
        gpus = 1 if device.startswith("cuda") else 0  # an evaluator on CUDA: a GPU each
        if gpus_per_worker is not None:
            gpus = gpus_per_worker
            if gpus > 0 and ray.cluster_resources().get("GPU", 0) <= 0:
                if self._owns:
                    ray.shutdown()
                raise ConfigError(f"--gpus-per-worker {gpus}: the Ray cluster at {address} has no GPUs")
        if gpus:
            actors = min(actors, max(1, int(ray.cluster_resources().get("GPU", 1) / gpus)))
        # max_restarts=-1: an actor comes back after every death; each task is still retried only RETRIES times
        worker = ray.remote(num_cpus=1, num_gpus=gpus, max_restarts=-1, max_task_retries=RETRIES)(_Worker)
        # the scorer goes to the object store once; tasks carry only a reference to it (in a
        # list, so Ray does not resolve it per task) and an actor fetches it on its first task
        self._scorer_ref = [ray.put(_dumps(scorer))]
        self._actors = [worker.remote(1) for _ in range(actors)]
        self._pool = ActorPool(self._actors)
        self.batch, self._turn = 1, 0
        self._buffer: list[tuple[bytes, Any, _RayTask]] = []
        self._done: dict[Any, list] = {}  # a task's results and how many are not yet read

    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``fn(item)`` for every item, in order, each on the next idle actor."""
        payload = _dumps(fn, self.scorer)
        errors = self._ray.exceptions
        try:
            yield from self._pool.map(lambda actor, item: actor.run.remote(self._scorer_ref, payload, item), list(items))
        except errors.RayActorError as err:
            raise WorkerError(
                f"a Ray worker died twice while scoring ({type(err).__name__}); results saved so far are intact: "
                "continue with --resume (search) or rerun (correlate)"
            ) from None
        except errors.RayTaskError as err:
            raise err.cause from err  # the scorer's own error, with its one-line message

    def submit(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[_RayTask]:
        """Start ``fn(item)`` for every item, batched (a batch leaves when full or when a result is asked for)."""
        payload = _dumps(fn, self.scorer)
        tasks = [_RayTask(self) for _ in items]
        self._buffer += [(payload, item, t) for item, t in zip(items, tasks)]
        if len(self._buffer) >= self.batch:
            self.flush()
        return tasks

    def flush(self) -> None:
        """Send what is buffered, in batches of ``batch``."""
        while self._buffer:
            chunk, self._buffer = self._buffer[:self.batch], self._buffer[self.batch:]
            actor = self._actors[self._turn % len(self._actors)]
            self._turn += 1
            ref = actor.run_batch.remote(self._scorer_ref, [(payload, item) for payload, item, _ in chunk])
            self._done[ref] = [None, len(chunk)]
            for index, (_, _, t) in enumerate(chunk):
                t.ref, t.index = ref, index

    def result(self, ref: Any, index: int) -> Any:
        """Item ``index`` of the task ``ref``; the batch size follows the time its items took."""
        entry = self._done[ref]
        if entry[0] is None:
            errors = self._ray.exceptions
            try:
                entry[0], seconds = self._ray.get(ref)
            except errors.RayActorError as err:
                raise WorkerError(f"a Ray worker died twice while scoring ({type(err).__name__}); results saved so "
                                  "far are intact: continue with --resume") from None
            except errors.RayTaskError as err:
                raise err.cause from err
            per_item = seconds / max(1, len(entry[0]))
            self.batch = max(1, min(self.MAX_BATCH, int(self.TASK_SECONDS / max(per_item, 1e-6))))
        entry[1] -= 1
        if entry[1] == 0:
            del self._done[ref]
        return entry[0][index]

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        if self._owns:
            self._ray.shutdown()


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds on a ``HOST:PORT`` where nothing listens: Ray itself retries for minutes first."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or "://" in address:
        return  # "auto", "local", ray://: Ray answers those quickly itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise ConfigError(
            f"--ray {address}: nothing answers at {host} port {port} ({err}); "
            f"start the head there with `ray start --head --port={port}`"
        ) from None


class _RayTask:
    """One item submitted to a :class:`RayMap`: ``result()`` sends its batch if it is still buffered, then waits."""

    def __init__(self, owner: RayMap) -> None:
        self.owner, self.ref, self.index = owner, None, 0

    def result(self) -> Any:
        if self.ref is None:
            self.owner.flush()
        return self.owner.result(self.ref, self.index)


class _Worker:
    """A Ray actor: fetches and installs the scorer on its first task (and after a restart), then runs tasks."""

    def __init__(self, threads: int) -> None:
        self.threads = threads

    def run(self, scorer: list[Any], payload: bytes, item: Any) -> Any:
        if _installed is None:
            import ray

            _install(ray.get(scorer[0]), self.threads)
        return _run(payload, item)

    def run_batch(self, scorer: list[Any], tasks: list[tuple[bytes, Any]]) -> tuple[list[Any], float]:
        """Several tasks in one Ray task, and the seconds they took (for the batch size)."""
        import time

        start = time.perf_counter()
        results = [self.run(scorer, payload, item) for payload, item in tasks]
        return results, time.perf_counter() - start


# ---- inside a worker -----------------------------------------------------------------------
_installed: Any = None


def _install(scorer: bytes, threads: int) -> None:
    """Worker initialiser: unpickle the scorer once; ``threads`` torch threads so workers share the cores."""
    import torch

    global _installed
    torch.set_num_threads(threads)
    _installed = pickle.loads(scorer)


def _run(payload: bytes, item: Any) -> Any:
    return _function(payload)(item)


@lru_cache(maxsize=8)
def _function(payload: bytes) -> Callable[[Any], Any]:
    return _Unpickler(io.BytesIO(payload)).load()


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        assert pid == _SCORER, pid
        return _installed


# ---- in the parent -------------------------------------------------------------------------
class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, scorer: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.scorer = scorer

    def persistent_id(self, obj: Any) -> str | None:
        return _SCORER if self.scorer is not None and obj is self.scorer else None


def _dumps(obj: Any, scorer: Any = None) -> bytes:
    """``obj`` pickled, with ``scorer`` (if given) as a reference to the worker's installed copy."""
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, scorer).dump(obj)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise ConfigError(
            f"parallel scoring needs a picklable scorer and function (a module-level class or function), "
            f"got {getattr(obj, '__qualname__', type(obj).__qualname__)}: {err}"
        ) from None
    return buffer.getvalue()
