"""Both cores for work that is the same for every file: an ordered map over a process pool.

:func:`ordered_map` gives ``[function(item) for item in items]``, in the order of ``items``,
whether it runs in this process or in worker processes, so a caller's output does not depend on
how many workers there were. ``generator.validate`` uses it to load and schema-check the
procedure files of a catalog.

Processes: ``TTHC_WORKERS`` in the environment, this process included (``1`` runs everything
here, with no worker), else the number of CPUs this process may use. Below a threshold of items (``serial_below``) the work stays
in this process, where starting workers would cost more than it saves. Processes are forked
when this process runs a single thread (the workers then start at once, with the parent's
compiled schemas); otherwise, e.g. under ``mkdocs serve``'s watcher threads, they are started
by a fork server. Inside a worker of another pool the work stays in that worker. Where a pool cannot be made at all (no working ``sem_open``, as in some
containers) or breaks, the work is done in this process: slower, same result.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from typing import Any, Callable, Sequence, TypeVar

from generator.errors import UsageError
from generator.i18n import _

T = TypeVar("T")
R = TypeVar("R")

#: Environment variable that sets the number of worker processes (``1``: none, all in this process).
WORKERS_ENV = "TTHC_WORKERS"


def worker_count(workers: int | None = None) -> int:
    """The number of worker processes to use.

    Args:
        workers: an explicit count (wins over the environment); ``None`` for
            ``$TTHC_WORKERS``, else the CPUs available to this process.

    Raises:
        UsageError: ``TTHC_WORKERS`` or ``workers`` is not a whole number of at least 1.
    """
    if workers is None:
        text = os.environ.get(WORKERS_ENV, "").strip()
        if not text:
            return _cpus()
        try:
            workers = int(text)
        except ValueError:
            raise UsageError(_("{env}={text!r} is not a number: write the number of worker processes, e.g. {env}=2 "
                               "(1 = no workers)").format(env=WORKERS_ENV, text=text)) from None
    if workers < 1:
        raise UsageError(_("the number of worker processes must be at least 1, not {workers} ({env}=1 runs without "
                           "workers)").format(workers=workers, env=WORKERS_ENV))
    return workers


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def ordered_map(function: Callable[[T], R], items: Sequence[T], *, workers: int | None = None,
                serial_below: int = 200) -> list[R]:
    """``[function(item) for item in items]``, in several processes when that pays.

    The items are cut into chunks, queued to ``workers - 1`` worker processes; this process
    works too, taking chunks from the end of the queue that no worker has started, and then
    collects the workers' results. So ``workers=2`` on two cores keeps both busy, and only
    the workers' share of the results is sent between processes.

    Args:
        function: a module-level function (workers import it by name); it should not raise
            for bad input (an exception is re-raised here, as it would be in a loop).
        items: picklable arguments.
        workers: the number of processes, this one included (see :func:`worker_count`).
        serial_below: fewer items than this run in this process only.

    Returns:
        The results, in the order of ``items``.
    """
    count = min(worker_count(workers), len(items))
    if count <= 1 or len(items) < serial_below or multiprocessing.current_process().daemon:
        return [function(item) for item in items]  # (a pool's worker may not start processes of its own)
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and threading.active_count() == 1 else "forkserver" if "forkserver" in methods else None
    size = max(1, len(items) // (count * 8))  # several chunks per process: even load, little overhead
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    try:
        forked = {"initializer": end_with_parent, "initargs": (os.getpid(),)} if method == "fork" else {}
        with concurrent.futures.ProcessPoolExecutor(count - 1, mp_context=multiprocessing.get_context(method), **forked) as pool:
            locale = {name: os.environ.get(name) for name in _LOCALE_VARIABLES}
            done = share_chunks(pool, chunks, lambda chunk: pool.submit(_run_chunk, function, chunk, locale),
                                lambda chunk: _run_chunk(function, chunk))
            return [result for chunk_results in done for result in chunk_results]
    except (OSError, NotImplementedError, concurrent.futures.process.BrokenProcessPool):
        return [function(item) for item in items]


def share_chunks(pool: concurrent.futures.Executor, chunks: Sequence[Any], submit: Callable[[Any], Any],
                 here: Callable[[Any], R]) -> list[R]:
    """Each chunk's result, in order: every chunk is queued to ``pool`` (``submit(chunk)`` gives its
    future) and this process works too, taking chunks from the end that no worker has started
    (``here(chunk)``), so ``workers - 1`` forked processes keep every core busy. An error or
    Ctrl-C here stops the pool (:func:`stop_pool`) before it is raised."""
    try:
        futures = [submit(chunk) for chunk in chunks]
        done: dict[int, R] = {}
        for index in reversed(range(len(chunks))):
            if not futures[index].cancel():  # a worker has it, so it has every earlier chunk too
                break
            done[index] = here(chunks[index])
        return [done[index] if index in done else future.result() for index, future in enumerate(futures)]
    except BaseException:
        stop_pool(pool)
        raise


def stop_pool(pool: concurrent.futures.Executor) -> None:
    """On the way out of a pool's ``with`` after an error or Ctrl-C in this process: the chunks no
    worker has begun are dropped, and only those being worked on are waited for (else every chunk
    queued was still done, minutes after a Ctrl-C at 10,000 procedures).

    The wait is here, not in the ``with``: after a ``shutdown(wait=False)`` the pool forgets its
    manager thread, so the ``with`` waited for nothing and the thread was still stopping the workers
    when Python ended; now and then (a race: 5 of 20, then 1 of 40 Ctrl-C of ``tthc validate``
    here) Python's exit handler wrote to the thread's wake-up pipe as the thread closed it:
    "Exception ignored in: <module 'threading'>", a traceback ending in "OSError: [Errno 9] Bad
    file descriptor" (Python 3.11's concurrent.futures).
    """
    pool.shutdown(wait=True, cancel_futures=True)


def end_with_parent(parent: int) -> None:
    """Run first in each process forked from the build's (``initializer`` of a pool): it is
    killed when that process, ``parent``, ends (Linux's ``PR_SET_PDEATHSIG``; nothing elsewhere).
    Else a ``tthc`` killed (SIGTERM, SIGKILL, out of memory) left its forked processes waiting
    forever on pipes only they still held open, with the site's lock (every later build said
    another one was running), the caller's standard output and their copy of the catalog.

    It also ignores Ctrl-C (SIGINT, which the terminal sends to every process of the command):
    the build's process stops the work (:func:`stop_pool`) and says so in one line; each forked
    process printed its own KeyboardInterrupt traceback, and a pool whose worker died of it
    printed Python's ``InvalidStateError`` for the chunks this process had taken itself."""
    import ctypes
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (linux/prctl.h)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


#: The environment that chooses the messages' language (generator/i18n.py): a worker started by a
#: fork server has the environment of the moment that server started, so the caller's is sent along.
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _run_chunk(function: Callable[[T], R], chunk: Sequence[T], locale: dict[str, str | None] | None = None) -> list[R]:
    for name, value in (locale or {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return [function(item) for item in chunk]
