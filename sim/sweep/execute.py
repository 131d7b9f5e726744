"""Chunks of a sweep, their seeds, and where they run: in this process, on local workers, on Dask.

A chunk is one point of the design and one block of its replications, run as one model over
that many replicas. Its seed comes from the sweep's seed and the chunk's index alone
(``numpy.random.SeedSequence(seed, spawn_key=(index,))``), never from which worker runs it or
when, so a sweep gives the same table on one worker, many, or a cluster. Workers receive the
validated scenario itself (no file access) and send back the outcome arrays; only this process
writes files.
"""

from __future__ import annotations

import gc
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.errors import UserError
from sim.runner import simulate
from sim.scenario import Scenario, ScenarioSource
from sim.sweep.spec import Design

Outcomes = dict[str, np.ndarray]


@dataclass(frozen=True)
class Chunk:
    """Replications ``first`` to ``first + reps - 1`` of point ``point``; ``index`` orders chunks."""

    index: int
    point: int
    first: int
    reps: int


@dataclass(frozen=True)
class Task:
    chunk: Chunk
    scenario: Scenario
    seed: int
    per_replica: dict[str, np.ndarray] | None = None
    """Dispositions given per replica (a calibration's particles), by dotted name."""
    point: bool = False
    """Every replica with the single calibrated set (``--point``) instead of one drawn from the ensemble."""


def blocks_per_point(reps: int, chunk_reps: int) -> int:
    return math.ceil(reps / chunk_reps)


def plan(points: int, reps: int, chunk_reps: int) -> Iterator[Chunk]:
    """Every chunk of the sweep, point by point (a generator: a million points cost no memory)."""
    blocks = blocks_per_point(reps, chunk_reps)
    for point in range(points):
        for block in range(blocks):
            first = block * chunk_reps
            yield Chunk(point * blocks + block, point, first, min(chunk_reps, reps - first))


def chunk_seed(seed: int, index: int) -> int:
    """The seed of chunk ``index``: a pure function of the sweep seed and the index."""
    state = np.random.SeedSequence(seed, spawn_key=(index,)).generate_state(2, dtype=np.uint32)
    return int(state[0]) << 32 | int(state[1])


COLLECT_EVERY = 20_000
"""Replications run between two garbage collections in a process (a model's agents and the
model refer to each other, so only the collector frees a finished model; it runs rarely by
itself, and a 10,000-replica model holds about 9 MB)."""
_since_collect = 0


def run_chunk(task: Task) -> tuple[Chunk, Outcomes]:
    """Run one chunk (in any process); return its outcome arrays."""
    global _since_collect
    run = simulate(task.scenario, replicas=task.chunk.reps, seed=task.seed, record_events=0, record_series=False,
                   per_replica=task.per_replica, point=task.point)
    _since_collect += task.chunk.reps
    if _since_collect >= COLLECT_EVERY:
        gc.collect()
        _since_collect = 0
    return task.chunk, run.outcomes


def tasks(design: Design, source: ScenarioSource, reps: int, chunk_reps: int, seed: int, skip: set[int],
          point: bool = False) -> Iterator[Task]:
    """The tasks of the chunks not in ``skip``, each with its point's scenario built on demand."""
    current: tuple[int, Scenario] | None = None
    for chunk in plan(len(design), reps, chunk_reps):
        if chunk.index in skip:
            continue
        if current is None or current[0] != chunk.point:
            current = (chunk.point, source.load(design.overrides(chunk.point)))
        yield Task(chunk, current[1], chunk_seed(seed, chunk.index), point=point)


class Executor(Protocol):
    workers: int

    def run(self, tasks: Iterable[Task], tag: str = "") -> Iterator[tuple[Chunk, Outcomes]]: ...

    def close(self) -> None: ...


class InProcess:
    """Chunks one after the other in this process (``--workers 1``)."""

    workers = 1

    def run(self, tasks: Iterable[Task], tag: str = "") -> Iterator[tuple[Chunk, Outcomes]]:
        for task in tasks:
            yield run_chunk(task)

    def close(self) -> None:
        pass


class LocalPool:
    """Chunks on local worker processes, a bounded number in flight."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        # Importing mesa sets the global start method to "spawn", which re-imports everything in
        # each worker (seconds of CPU). On Linux, from a process with no Python threads, workers
        # are forked: the model is imported already, and the only other threads are the idle
        # pools of OpenBLAS and jemalloc, which register fork handlers (Python 3.12 still warns
        # about them). Otherwise a fork server imports the model once and forks the workers.
        methods = multiprocessing.get_all_start_methods()
        fork = sys.platform == "linux" and "fork" in methods and threading.active_count() == 1
        if fork:
            context = multiprocessing.get_context("fork")
        elif "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["sim.runner"])
        else:
            context = multiprocessing.get_context("spawn")
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning)
            self.pool.submit(int).result()  # start the workers now, before this process starts threads

    def run(self, tasks: Iterable[Task], tag: str = "") -> Iterator[tuple[Chunk, Outcomes]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        return _bounded(tasks, 2 * self.workers, lambda t: self.pool.submit(run_chunk, t),
                        lambda pending: wait(pending, return_when=FIRST_COMPLETED)[0])

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def scheduler_address(address: str) -> str:
    """``--cluster ADDRESS`` checked with Dask's own parser: a ``tcp://HOST:PORT`` (or ``HOST:PORT``)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    if not address.strip():
        raise UserError("--cluster: give a scheduler address, e.g. tcp://10.0.0.5:8786")
    try:
        scheme, location = parse_address(address.strip(), strict=False)
        host, port = parse_host_port(location)
    except ValueError as error:
        raise UserError(f"--cluster {address}: not a scheduler address ({error}); expected tcp://HOST:PORT") from None
    if scheme != "tcp":
        raise UserError(f"--cluster {address}: {scheme}:// is not supported; give a tcp://HOST:PORT scheduler address")
    if not host or not 0 < port < 65536:
        raise UserError(f"--cluster {address}: expected tcp://HOST:PORT with a port from 1 to 65535")
    return f"tcp://{location}"


def probe_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` who it is, within ``timeout`` seconds; a one-line error unless a Dask scheduler answers.

    A plain HTTP server or any other service either never answers Dask's handshake or answers
    bytes Dask cannot read; both end here instead of hanging the client."""
    import asyncio

    from distributed.comm import connect

    async def identity() -> object:
        # connect() gives up on an unreachable address after ``timeout`` (an OSError); its own
        # handshake can wait forever on a service that never answers, hence the outer bound
        comm = await asyncio.wait_for(connect(address, timeout=timeout), 2 * timeout + 1)
        try:
            await comm.write({"op": "identity"})
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    try:
        reply = asyncio.run(identity())
    except TimeoutError:
        raise UserError(f"--cluster {address}: no Dask scheduler answered (gave up after {2 * timeout + 1:g} s at most)") from None
    except OSError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UserError(f"--cluster {address}: cannot reach the Dask scheduler ({reason})") from None
    except Exception as error:  # noqa: BLE001 - whatever a non-Dask service makes the reader do (even a MemoryError)
        raise UserError(f"--cluster {address}: not a Dask scheduler ({type(error).__name__})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise UserError(f"--cluster {address}: the service there is not a Dask scheduler")


class DaskCluster:
    """Chunks on an existing Dask distributed scheduler; the same chunk function, the same seeds."""

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        import logging

        try:
            from distributed import Client
        except ImportError:
            raise UserError("--cluster needs dask.distributed: pip install 'peninsula[cluster]'") from None
        address = scheduler_address(address)
        quiet = [logging.getLogger(name) for name in ("distributed", "distributed.client", "distributed.comm.core",
                                                      "distributed.comm.tcp", "distributed.core")]
        levels = [log.level for log in quiet]
        for log in quiet:
            log.setLevel(logging.CRITICAL)
        try:
            probe_scheduler(address, timeout)
            try:
                self.client = Client(address, timeout=f"{timeout}s", set_as_default=False)
            except Exception as error:  # noqa: BLE001 - one line whatever the client raises
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise UserError(f"--cluster {address}: cannot reach the Dask scheduler ({reason})") from None
            try:
                self.client.wait_for_workers(1, timeout=timeout)
            except (TimeoutError, OSError):
                self.client.close()
                raise UserError(f"--cluster {address}: the scheduler has no workers (waited {timeout:g} s)") from None
        finally:
            for log, level in zip(quiet, levels, strict=True):
                log.setLevel(level)
        threads = sum(self.client.nthreads().values())
        self.workers = max(1, threads)

    def run(self, tasks: Iterable[Task], tag: str = "") -> Iterator[tuple[Chunk, Outcomes]]:
        """``tag`` (the sweep's fingerprint) names the tasks: the same key means the same result."""
        import queue

        finished: queue.SimpleQueue = queue.SimpleQueue()

        def submit(task: Task):  # noqa: ANN202 - a distributed Future
            future = self.client.submit(run_chunk, task, key=f"peninsula-{tag or os.getpid()}-{task.chunk.index}", pure=False)
            future.add_done_callback(finished.put)
            return future

        def wait_any(pending: set) -> set:
            done = {finished.get()}
            while not finished.empty():
                done.add(finished.get())
            return done & pending

        return _bounded(tasks, 2 * self.workers, submit, wait_any)

    def close(self) -> None:
        self.client.close()


def _bounded(tasks: Iterable[Task], limit: int, submit: Callable, finished: Callable) -> Iterator[tuple[Chunk, Outcomes]]:
    """Submit tasks keeping at most ``limit`` in flight; yield results as they finish."""
    queue = iter(tasks)
    pending: set = set()
    for task in queue:
        pending.add(submit(task))
        if len(pending) >= limit:
            break
    while pending:
        done = finished(pending)
        for future in done:
            pending.discard(future)
            yield future.result()
            next_task = next(queue, None)
            if next_task is not None:
                pending.add(submit(next_task))


def make_executor(workers: int | None, cluster: str | None, timeout: float = 10.0) -> Executor:
    """Dask if ``cluster`` is given (even empty: that is an error), else local processes (in this
    process for one worker)."""
    if cluster is not None:
        return DaskCluster(cluster, timeout)
    workers = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()) or 1
    return InProcess() if workers == 1 else LocalPool(workers)
