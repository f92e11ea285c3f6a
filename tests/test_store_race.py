"""Two users reserving the same parcel at the same moment, each on their own connection.

Exactly one wins; the other gets a ReservationError; nothing is half-written. On PostGIS the
two transactions really overlap and the unique partial index decides; on the GeoPackage SQLite's
single write lock queues them and the second sees the first's reservation.
"""

from __future__ import annotations

import functools
import threading
import time

import pytest
import sqlalchemy as sa

from landplan.errors import ReservationError
from landplan.store import open_store
from tests._concurrency import at_once

ROUNDS = ["P-1", "P-2", "P-5"]


def _race(store_url: str, parcel_ids: list[str], projects_ids: list[str]) -> list[object]:
    """Run one reserve per project at once, each thread on its own Store (own connections)."""
    stores = [open_store(store_url) for _ in projects_ids]
    for s in stores:
        s.count("parcels")  # connect before the start line
    results = at_once(
        [
            functools.partial(s.reserve, project_id, parcel_ids, who=f"user{i}")
            for i, (s, project_id) in enumerate(zip(stores, projects_ids, strict=True))
        ],
        catch=ReservationError,
    )
    for s in stores:
        s.close()
    return results


@pytest.mark.parametrize("parcel", ROUNDS)
def test_two_users_race_for_one_parcel(zone_store, store_url, parcel):
    results = _race(store_url, [parcel], ["PR-1", "PR-2"])
    errors = [r for r in results if isinstance(r, ReservationError)]
    wins = [r for r in results if not isinstance(r, ReservationError)]
    assert len(wins) == 1 and len(errors) == 1, results
    assert parcel in str(errors[0]) and "nothing was reserved" in str(errors[0])
    active = zone_store.reservations()
    assert active["parcel_id"].tolist() == [parcel]


def test_overlapping_batches_are_all_or_nothing(zone_store, store_url):
    results = _race(store_url, ["P-1", "P-2"], ["PR-1", "PR-2"])
    assert sum(isinstance(r, ReservationError) for r in results) == 1, results
    active = zone_store.reservations()
    assert sorted(active["parcel_id"]) == ["P-1", "P-2"]
    assert active["project_id"].nunique() == 1


@pytest.mark.postgis
def test_unique_index_decides_between_open_transactions(postgis_url):
    """Two transactions insert the same active reservation; the second waits, then fails."""
    s = open_store(postgis_url)
    s.init()
    table = s._backend.tables["reservations"]
    row = {"parcel_id": "P-1", "who": "x", "reserved_at": sa.func.now()}
    first = s._backend.engine.connect()
    tx = first.begin()
    first.execute(table.insert().values(project_id="PR-1", **row))
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with s._backend.engine.begin() as conn:
                conn.execute(table.insert().values(project_id="PR-2", **row))
            outcome.append(None)
        except sa.exc.IntegrityError as exc:
            outcome.append(exc)

    t = threading.Thread(target=second)
    t.start()
    time.sleep(0.5)
    assert t.is_alive(), "the second insert should wait for the first transaction"
    tx.commit()
    first.close()
    t.join(30)
    assert len(outcome) == 1 and s._backend.is_unique_violation(outcome[0])
    assert s.reservations()["project_id"].tolist() == ["PR-1"]
    s.close()
