"""Long reads never hold up saves: the retention list (a 1-year list on a busy desk reads
every person) runs on the read lane, so a save made while it is being listed is answered
first. Ordering only, never wall-clock: on the save lane the list, asked for first, would
always be answered first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from lr_desk import settings
from lr_desk.services import people
from lr_desk.store.base import new_id
from lr_desk.store.models import Person
from tests.ui.conftest import make_profile

MANY = 40_000  # people with no contact for years: the list takes a while to read


def _fill(store, advisor_id: str, count: int) -> None:
    """Many people registered years ago, written in bulk (as a sync would bring them)."""
    long_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3 * 365)
    with store.session() as s:
        for start in range(0, count, 5000):
            s.execute(insert(Person), [
                {"id": new_id(), "given_name": f"Given{n}", "family_name": f"Family{n}",
                 "registered_site": "walton", "registered_by": advisor_id,
                 "created_at": long_ago, "updated_at": long_ago}
                for n in range(start, min(start + 5000, count))])


def test_a_save_made_while_the_retention_list_is_read_is_answered_first(
        qtbot, desks, tmp_path):
    folder = tmp_path / "profile"
    make_profile(folder, name="Mona Manager", role="manager")
    desk = desks.start(folder)
    advisor = desk.window.desk.advisor_id
    _fill(desk.window.store, advisor, MANY)
    with desk.window.store.session() as s:
        settings.put(s, "retention_years", 1)

    answered: list[str] = []
    dialog = desk.window.rights.show_retention()  # lists at once (the worker reads)
    dialog.loaded.connect(lambda: answered.append("retention list"))
    desk.tasks.run(lambda s: people.register(
        s, {"given_name": "Saved", "family_name": "Meanwhile"}, advisor, "walton").id,
        lambda _pid: answered.append("save"))

    qtbot.waitUntil(lambda: len(answered) == 2, timeout=60_000)
    assert answered == ["save", "retention list"]
    assert len(dialog.rows) == MANY  # the whole list, read beside the save
    assert "Saved Meanwhile" not in {r.name for r in dialog.rows}  # (registered today)

    # changing the years saves the setting on the save lane, then lists again
    with qtbot.waitSignal(dialog.loaded, timeout=60_000):
        dialog.years.setValue(4)
    assert dialog.rows == [] and dialog.summary.text() == \
        "Nobody has gone 4 years without contact."
    with desk.window.store.session() as s:
        assert settings.get(s, "retention_years") == 4
