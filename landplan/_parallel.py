"""Element-wise work on long arrays of geometries, shared among the machine's cores.

shapely's functions release Python's global interpreter lock while GEOS works, as NumPy's do in
their loops, so threads of one process can share such work without copying the geometries.
The work handed here is element-wise (each result depends on its own row alone), so the parts'
results, put back in order, are the result of one call on the whole: the same values whatever
the number of cores.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

__all__ = ["by_parts", "cores"]

#: Fewer rows than this per part are not worth a thread.
MIN_PART = 4096
_PARTS_PER_CORE = 4

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_inside = threading.local()

R = TypeVar("R")


def cores() -> int:
    """How many cores this process may run on (``LANDPLAN_THREADS`` where set)."""
    asked = os.environ.get("LANDPLAN_THREADS", "").strip()
    if asked.isdigit() and int(asked) > 0:
        return int(asked)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def by_parts(fn: Callable[..., R], *arrays: np.ndarray, min_part: int = MIN_PART) -> R:
    """Return ``fn(*arrays)``, computed on consecutive parts of the rows on several threads.

    Parameters
    ----------
    fn
        Element-wise in the first axis of every array: row ``i`` of its result depends on row
        ``i`` of the arrays alone. It returns an array, a tuple of arrays or a mapping of names
        to arrays, each with one row per row of the input.
    *arrays
        Arrays of the same length, cut at the same rows.
    min_part
        The fewest rows a part has: shorter inputs are computed at once, on this thread.

    Examples
    --------
    >>> import shapely
    >>> squares = shapely.box(np.arange(10000.0), 0.0, np.arange(10000.0) + 1.0, 1.0)
    >>> area = by_parts(shapely.area, squares)
    >>> area.shape, float(area.sum())
    ((10000,), 10000.0)
    """
    n = len(arrays[0]) if arrays else 0
    threads = cores()
    # A few parts per core: a core slowed by other work, or given the costlier rows, takes
    # fewer of them.
    parts = min(_PARTS_PER_CORE * threads, n // max(min_part, 1))
    if threads < 2 or parts < 2 or getattr(_inside, "part", False):
        return fn(*arrays)
    edges = np.linspace(0, n, parts + 1).round().astype(int)
    pool = _shared_pool()
    futures = [
        pool.submit(_part, fn, [a[lo:hi] for a in arrays]) for lo, hi in itertools.pairwise(edges)
    ]
    return _joined([f.result() for f in futures])


def _part(fn: Callable[..., Any], arrays: list[np.ndarray]) -> Any:
    # Work handed out from inside a part runs in that part: the pool never waits on itself.
    _inside.part = True
    try:
        return fn(*arrays)
    finally:
        _inside.part = False


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=cores(), thread_name_prefix="landplan")
        return _pool


def _joined(results: list[Any]) -> Any:
    first = results[0]
    if isinstance(first, Mapping):
        return {k: np.concatenate([r[k] for r in results]) for k in first}
    if isinstance(first, tuple):
        return tuple(np.concatenate(column) for column in zip(*results, strict=True))
    return np.concatenate(results)
