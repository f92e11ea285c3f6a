"""Python's cyclic garbage collector around the zone's millions of geometries.

A zone of 10⁶ parcels holds millions of shapely geometries, each an object the collector
tracks, and it traces every tracked object each time it runs in full: in ``landplan match`` on
such a zone a dozen full collections while loading, and more while matching, took three
seconds, finding nothing, as a geometry refers to no other object and so can be in no cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["keep_for_the_command", "making_many", "one_command"]


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


@contextmanager
def one_command() -> Iterator[None]:
    """Run one command of the command line, which may keep its zone out of the collector's scans.

    Inside the block, :func:`keep_for_the_command` exempts every object alive from the scans;
    at its end they are scanned again as before, so a process that runs several commands (a
    test, a script calling :func:`landplan.cli.main`) keeps nothing exempt between them.
    """
    global _in_command
    outer = _in_command
    _in_command = True
    try:
        yield
    finally:
        _in_command = outer
        if not outer:
            gc.unfreeze()


def keep_for_the_command() -> None:
    """Exempt every object alive now from the collector's later scans, until the command ends.

    A command loads its zone once and keeps it until it ends: the collector need not trace
    the loaded objects in each full collection. They are still freed when their last
    reference goes. Does nothing outside :func:`one_command` (a library call, a long-lived
    process), where the caller's objects must stay the collector's.
    """
    if _in_command:
        gc.freeze()
