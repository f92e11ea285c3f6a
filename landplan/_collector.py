"""Python's cyclic garbage collector around the zone's millions of geometries.

A zone of 10⁶ parcels holds millions of shapely geometries, each an object the collector
tracks, and it traces every tracked object each time it runs in full: in ``landplan match`` on
such a zone a dozen full collections while loading, and more while matching, took three
seconds, finding nothing, as a geometry refers to no other object and so can be in no cycle.

Freeing them costs time too: a second and a half for a zone of 10⁶ parcels, one geometry at a
time. A command run as its own process (the ``landplan`` program) keeps what it loaded until
the process ends, and the process ends without freeing it (:func:`end_process`): the system
takes the whole memory back at once.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["end_process", "keep_for_the_command", "let_go", "making_many", "one_command"]


@contextmanager
def making_many() -> Iterator[None]:
    """Make many objects that form no reference cycles without the collector tracing them.

    The collector is paused inside the block and restored as it was after it (a paused block
    inside another stays paused). Reference counting still frees everything as usual; a cycle
    made inside the block is collected by the next collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_in_command = False
# What the command loaded, held until it ends.
_kept: list[object] = []


@contextmanager
def one_command(*, ends_process: bool = False) -> Iterator[None]:
    """Run one command of the command line, which may keep its zone out of the collector's scans.

    Inside the block, :func:`keep_for_the_command` exempts every object alive from the scans;
    at its end they are scanned again as before and what the command kept is let go, so a
    process that runs several commands (a test, a script calling :func:`landplan.cli.main`)
    keeps nothing between them. Where the process ends with the command (``ends_process``),
    what it kept stays until :func:`end_process`.
    """
    global _in_command
    outer = _in_command
    _in_command = True
    try:
        yield
    finally:
        _in_command = outer
        if not (outer or ends_process):
            _kept.clear()
            gc.unfreeze()


def keep_for_the_command(*objects: object) -> None:
    """Keep ``objects`` until the command ends, and exempt every object alive from later scans.

    A command loads its zone once and keeps it until it ends: the collector need not trace
    the loaded objects in each full collection. Does nothing outside :func:`one_command` (a
    library call, a long-lived process), where the caller's objects must stay the collector's
    and are freed when their last reference goes.
    """
    if _in_command:
        _kept.extend(objects)
        gc.freeze()


def let_go(*objects: object) -> None:
    """Stop keeping ``objects`` for the command: it has done with them before it ends.

    They are freed when their last reference goes, as a command that writes large files from a
    result wants the zone the result came from freed first.
    """
    done = {id(o) for o in objects}
    _kept[:] = [o for o in _kept if id(o) not in done]


def end_process(code: int) -> NoReturn:
    """End the process with exit status ``code``, leaving what it holds for the system to free.

    What is written to the standard streams and to the log is flushed first; files a command
    writes are closed by the command itself.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or gone: nothing to write
            stream.flush()
    logging.shutdown()
    os._exit(code)
