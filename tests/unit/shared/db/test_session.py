"""Rows written at commit are frozen snapshots: a change made after queuing never silently
vanishes (on SQLite in memory: no server, no socket)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.engine import create_engine
from shared.db.schema import make_base
from shared.db.session import ChangedAfterSnapshot, RowSnapshot, row_of, session_factory

Base = make_base()


class Thing(Base):
    __tablename__ = "thing"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.String(32), default=None)


@pytest.fixture
def sessions():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield session_factory(engine)
    engine.dispose()


def stored(sessions) -> list[tuple]:
    with sessions() as session:
        return [
            tuple(row)
            for row in session.execute(
                sa.select(Thing.id, Thing.state, Thing.note).order_by(Thing.id)
            )
        ]


def test_an_object_changed_after_its_snapshot_fails_the_commit_instead_of_losing_the_change(
    sessions,
):
    thing = Thing(id=1, state="new")
    with sessions() as session:
        session.insert_at_commit(Thing.__table__, row_of(thing))
        thing.state = "issued"  # too late: the snapshot says "new"
        with pytest.raises(ChangedAfterSnapshot, match=r"Thing changed .*\(state\)"):
            session.commit()
        session.rollback()
    assert stored(sessions) == []  # nothing half-written either


def test_setting_a_column_left_unset_after_the_snapshot_is_refused_too(sessions):
    thing = Thing(id=1, state="new")
    with sessions() as session:
        session.insert_at_commit(Thing.__table__, row_of(thing))
        thing.note = "added later"
        with pytest.raises(ChangedAfterSnapshot, match=r"\(note\)"):
            session.commit()


def test_an_object_unchanged_after_its_snapshot_is_written_as_it_was(sessions):
    thing = Thing(id=1, state="issued", note="final")
    with sessions() as session:
        session.insert_at_commit(Thing.__table__, row_of(thing))
        session.commit()
    assert stored(sessions) == [(1, "issued", "final")]


def test_a_row_is_copied_when_queued_and_the_snapshot_cannot_change(sessions):
    row = {"id": 2, "state": "queued"}
    with sessions() as session:
        session.insert_at_commit(Thing.__table__, row)
        row["state"] = "changed afterwards"  # the caller's dict, not the queued row
        queued = session.rows_at_commit[Thing.__table__][0]
        with pytest.raises(TypeError, match="snapshot"):
            queued["state"] = "changed"
        with pytest.raises(TypeError):
            queued.update(state="changed")
        session.commit()
    assert stored(sessions) == [(2, "queued", None)]
    assert isinstance(row_of(Thing(id=3, state="x")), RowSnapshot)


def test_rows_go_with_a_rollback_and_are_not_kept_on_the_session(sessions):
    with sessions() as session:
        session.insert_at_commit(Thing.__table__, {"id": 4, "state": "rolled back"})
        session.rollback()
        assert session.rows_at_commit == {}
        session.insert_at_commit(Thing.__table__, {"id": 5, "state": "kept"})
        session.commit()
        assert "rows_at_commit" not in str(session.info)
    assert stored(sessions) == [(5, "kept", None)]
