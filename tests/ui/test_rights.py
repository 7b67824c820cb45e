"""A person's rights at the desk, through the real widgets: a manager exports everything
held about a person from their page (warned that the files leave the protected store),
and lists the people due for review under retention, changing the years and opening
one. An advisor sees neither."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import Qt
from sqlalchemy import select

from lr_desk import settings
from lr_desk.services import people
from lr_desk.services.retention import years_before
from lr_desk.store.models import AuditEvent, Conversation, Person
from tests.sheets.conftest import read_back
from tests.ui.conftest import make_profile
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_person_page import choose_from_more


def _register(desk, given: str, family: str, **raw) -> str:
    with desk.window.store.session() as s:
        return people.register(s, {"given_name": given, "family_name": family, **raw},
                               desk.window.desk.advisor_id, "walton").id


def _page(desk, qtbot, person_id: str):
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        desk.window.open_person(person_id)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    return page


def test_a_manager_exports_everything_held_from_the_person_page(qtbot, desks, tmp_path):
    folder = tmp_path / "profile"
    make_profile(folder, name="Mona Manager", role="manager")
    desk = desks.start(folder)
    pid = _register(desk, "Rita", "Ahmed", phone="07700 900321")
    _register(desk, "Someone", "Else", phone="07700 900654")
    page = _page(desk, qtbot, pid)
    assert page.export_action.text() == "E&xport everything held…"
    menu = page.more_menu.actions()  # in More actions, before what cannot be undone
    assert menu.index(page.export_action) < menu.index(page.erase_action)
    assert next(a for a in menu if a.isSeparator()) in menu[menu.index(page.export_action):]
    assert unnamed_controls(page) == [] and mnemonic_clashes(page) == {}

    choose_from_more(qtbot, page, page.export_action)
    dialog = page.export_dialog
    assert dialog.isVisible()
    assert "leave the desk's protected (encrypted) store" in dialog.warning.text()
    assert "delete them" in dialog.warning.text()
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}

    # bad input is said at the field, and nothing is written
    out = tmp_path / "for Rita"
    dialog.folder.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.f.errors["folder"].text() == "There is no folder there. Choose one that exists."
    assert dialog.f.errors["agreed"].isVisibleTo(dialog)
    out.mkdir()
    qtbot.mouseClick(dialog.agreed, Qt.MouseButton.LeftButton)
    assert dialog.agreed.isChecked()

    with qtbot.waitSignal(dialog.exported, timeout=20_000) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert sorted(p.name for p in out.iterdir()) == sorted([result.pdf.name, result.json.name])
    assert str(out) in dialog.status.text() and result.pdf.name in dialog.status.text()
    document = json.loads(result.json.read_text(encoding="utf-8"))
    assert document["person"]["phone"] == "07700 900321"
    assert document["about"]["made_by"] == "Mona Manager"
    text = read_back(result.pdf.read_bytes()).text
    assert "Rita" in text and "07700 900321" in text and "Someone" not in text
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    with desk.window.store.session() as s:
        assert s.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "export", AuditEvent.person_id == pid)).all() == [
            "subject access: pdf+json"]


def test_an_advisor_has_neither_export_nor_retention(qtbot, desks, profile):
    desk = desks.start(profile)
    page = _page(desk, qtbot, _register(desk, "Rita", "Ahmed"))
    assert getattr(page, "export_action", None) is None
    assert [a.text() for a in page.more_menu.actions() if not a.isSeparator()] == [
        "&Erase this person's information…"]
    desk.window.menuBar().actions()[0].menu().aboutToShow.emit()
    assert not desk.window.rights.retention_action.isVisible()
    assert desk.window.rights.show_retention() is None


def _contact(desk, person_id: str, when: datetime) -> None:
    """A conversation then, and the person registered then too."""
    with desk.window.store.session() as s:
        s.add(Conversation(person_id=person_id, occurred_at=when, site_code="walton",
                           advisor_id=desk.window.desk.advisor_id))
        s.get(Person, person_id).created_at = when.astimezone(UTC).replace(tzinfo=None)


def test_the_retention_view_lists_for_the_years_chosen_and_opens_a_person(
        qtbot, desks, tmp_path):
    folder = tmp_path / "profile"
    make_profile(folder, name="Mona Manager", role="manager")
    desk = desks.start(folder)
    today = date.today()
    at = time(11, 0)
    ten = _register(desk, "Tenyears", "Ago")
    _contact(desk, ten, datetime.combine(years_before(today, 10), at))
    five = _register(desk, "Fiveyears", "Ago")
    _contact(desk, five, datetime.combine(years_before(today, 5), at))
    recent = _register(desk, "Lastweek", "Only")
    _contact(desk, recent, datetime.combine(today - timedelta(days=7), at))

    menu = desk.window.menuBar().actions()[0].menu()
    menu.aboutToShow.emit()
    action = desk.window.rights.retention_action
    assert action.isVisible() and action.text() == "People d&ue for review under retention…"
    assert len([a for a in menu.actions() if "&ue" in a.text()]) == 1
    action.trigger()
    dialog = desk.window.rights.retention_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=10_000)
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    assert dialog.years.value() == 8
    assert [r.name for r in dialog.rows] == ["Tenyears Ago"]
    assert dialog.model.index(0, 3).data() == "10"
    assert dialog.summary.text() == "1 person with no contact for 8 years or more."

    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.years.setValue(3)
    assert [r.name for r in dialog.rows] == ["Tenyears Ago", "Fiveyears Ago"]  # oldest first
    with desk.window.store.session() as s:
        assert settings.get(s, "retention_years") == 3

    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(1, 0))
    assert dialog.selected_person_id() == five and dialog.open_button.isEnabled()
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert opened.args[0].person_id == five

    # opened again later, the setting is this desk's
    dialog.close()
    again = desk.window.rights.show_retention()
    qtbot.waitUntil(lambda: again.model.rowCount() == 2, timeout=10_000)
    assert again.years.value() == 3 and again.years.text() == "3 years"
    with qtbot.waitSignal(again.loaded, timeout=10_000):
        again.years.setValue(1)
    assert again.years.text() == "1 year"
