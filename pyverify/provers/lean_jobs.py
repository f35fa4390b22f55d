"""Compiling generated Lean files with the bare compiler: one after another, or on a local Dask
cluster where each file waits only for the files it imports (a split module's blocks then
compile in parallel; `pyverify check --workers N`)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyverify.errors import PyVerifyError


@dataclass(frozen=True)
class Job:
    """Compile cwd/relative into olean. needs: the jobs (by relative path) whose oleans it imports."""

    relative: str
    cwd: Path
    olean: Path
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What the compiler said about one job: return code (None: not run, because a job it needs
    failed), its output, and when it started and ended (time.time())."""

    returncode: int | None
    output: str
    started: float
    ended: float


def compile_job(lean: str, job: Job, env: dict, timeout: float | None, *needed: Outcome) -> Outcome:
    """Run `lean -o olean relative` in job.cwd, unless a job it needs did not compile."""
    now = time.time()
    if any(n.returncode != 0 for n in needed):
        return Outcome(None, "", now, now)
    job.olean.parent.mkdir(parents=True, exist_ok=True)
    job.olean.unlink(missing_ok=True)
    try:
        proc = subprocess.run([lean, "-o", str(job.olean), job.relative], cwd=job.cwd, capture_output=True, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return Outcome(1, f"{job.relative}:1:0: error: lean did not finish within {timeout} s", now, time.time())
    return Outcome(proc.returncode, proc.stdout + proc.stderr, now, time.time())


def run_jobs(lean: str, jobs: list[Job], env: dict, timeout: float | None, workers: int = 1,
             say: Callable[[str], None] = lambda m: None) -> dict[str, Outcome]:
    """Every job's outcome, by relative path. jobs are in an order where each comes after what it
    needs. workers <= 1: in this process, in order; else on Dask: inside a Dask task (a sweep's
    check), on that task's own cluster; elsewhere on a local cluster of that many single-threaded
    workers (threads: the work is in the compiler's processes)."""
    if workers <= 1:
        outcomes: dict[str, Outcome] = {}
        for job in jobs:
            say(f"lean {job.relative}")
            outcomes[job.relative] = compile_job(lean, job, env, timeout, *(outcomes[n] for n in job.needs))
        return outcomes
    try:
        from dask.distributed import Client, LocalCluster, get_worker, worker_client
    except ImportError:
        raise PyVerifyError("--workers needs dask.distributed: pip install 'dask[distributed]'") from None
    try:
        get_worker()  # inside a task of a Dask cluster (a sweep): use that cluster's workers
    except ValueError:
        say(f"compiling {len(jobs)} files on {workers} Dask workers")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=":0")
        with cluster, Client(cluster) as client:
            return _submit(client, lean, jobs, env, timeout)
    with worker_client() as client:  # the task steps aside while its jobs run
        return _submit(client, lean, jobs, env, timeout)


def _submit(client, lean: str, jobs: list[Job], env: dict, timeout: float | None) -> dict[str, Outcome]:
    futures = {}
    for job in jobs:
        futures[job.relative] = client.submit(compile_job, lean, job, env, timeout, *(futures[n] for n in job.needs),
                                              pure=False)
    return dict(zip(futures, client.gather(list(futures.values()))))
