"""The event log keeps records as rows and gives back exactly what was written."""

from __future__ import annotations

import gc

from drillsim.events import (
    RECORD_TYPES,
    DrillStarted,
    EventLog,
    FatigueAssessed,
    PageSent,
)


def _some_records() -> list:
    return [
        DrillStarted(
            t=0.0,
            scenario="s",
            seed=1,
            replication=0,
            start="2026-01-05T00:00:00+00:00",
            tz="UTC",
            duration_s=3600.0,
            services=({"name": "api", "tier": 1},),
            people=(),
        ),
        PageSent(t=1.5, incident="i1", person="ana", level=0, loop=0, off_hours=True, asleep=False),
        FatigueAssessed(
            t=1.5,
            incident="i1",
            person="ana",
            state="awake",
            pages_24h=3,
            shift_hours=2.25,
            ack_factor=1.1,
            error_factor=1.0,
        ),
    ]


def test_records_come_back_equal_and_in_order() -> None:
    written = _some_records()
    log = EventLog(written)
    assert len(log) == 3
    assert list(log) == written
    assert [type(r) for r in log] == [type(r) for r in written]
    assert log.records == written
    assert (log[0], log[-1]) == (written[0], written[-1])


def test_as_dicts_is_each_records_to_dict() -> None:
    written = _some_records()
    log = EventLog()
    for rec in written:
        log.record(rec)
    dicts = log.as_dicts()
    assert dicts == [r.to_dict() for r in written]
    assert [list(d) for d in dicts] == [list(r.to_dict()) for r in written]  # key order too


def test_rows_of_plain_values_leave_the_garbage_collector() -> None:
    """Why the log keeps rows: once collected, a row of strings and numbers is no
    longer tracked, so full collections stop walking the whole log."""
    log = EventLog(_some_records())
    gc.collect()
    tracked = [gc.is_tracked(row) for row in log._rows]
    assert tracked == [True, False, False]  # DrillStarted holds dicts; the pages do not


def test_every_record_kind_is_registered() -> None:
    """A kind missing from RECORD_TYPES could be written but not read back."""
    from drillsim import events

    kinds = {
        cls.kind
        for cls in vars(events).values()
        if isinstance(cls, type) and issubclass(cls, events.Record) and cls is not events.Record
    }
    assert kinds == set(RECORD_TYPES)
