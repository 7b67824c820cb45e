"""The drop-in form's prescription list: removing and half-typed items."""

from __future__ import annotations

from sqlalchemy import select

from lr_desk.store.models import PrescriptionItem
from lr_desk.ui.dropin import DropInDialog


def _drop_in(desk, qtbot) -> DropInDialog:
    person = desk.window.new_person({})
    qtbot.keyClicks(person.f.widgets["given_name"], "Rhys")
    qtbot.keyClicks(person.f.widgets["family_name"], "Owen")
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        person.save()
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    return desk.window.record_drop_in(page.view.person)


def _own_step(dialog, qtbot, title: str) -> None:
    items = dialog.item_f.widgets
    items["kind"].setCurrentIndex(items["kind"].findData("own_step"))
    qtbot.keyClicks(items["title"], title)
    assert dialog.add_item()


def _saved_titles(desk) -> list[str]:
    with desk.store.session() as s:
        return sorted(s.scalars(select(PrescriptionItem.title)))


def test_removing_an_item_saves_the_rest_once(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    _own_step(dialog, qtbot, "Walk daily")
    _own_step(dialog, qtbot, "Call my sister")
    dialog.items_view.setCurrentIndex(dialog.items.index(0, 0))  # "Walk daily"
    dialog.remove_item()
    assert dialog.item_f.widgets["title"].text() == ""  # nothing left half-loaded
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert _saved_titles(desk) == ["Call my sister"]


def test_an_item_typed_but_not_added_is_not_dropped_on_save(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    items = dialog.item_f.widgets
    items["kind"].setCurrentIndex(items["kind"].findData("own_step"))
    qtbot.keyClicks(items["why"], "I want to feel fitter")  # no description yet
    dialog.save()
    assert dialog.isVisible()  # it says what is missing instead of losing the why
    assert "finish or clear" in dialog.banner.text()
    assert items["why"].toPlainText() == "I want to feel fitter"
    qtbot.keyClicks(items["title"], "Swim on Saturdays")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert _saved_titles(desk) == ["Swim on Saturdays"]


def test_an_item_being_changed_stays_one_item_after_a_crash(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    _own_step(dialog, qtbot, "Walk daily")
    dialog.items_view.setCurrentIndex(dialog.items.index(0, 0))  # loaded to be changed
    payload = dialog.collect()  # what the autosaved draft holds
    dialog.dirty = False
    dialog.reject()

    again = desk.window.record_drop_in(dialog.person)
    again.load_payload(payload)  # as restored from the draft after a crash
    with qtbot.waitSignal(again.saved, timeout=10_000):
        again.save()
    assert _saved_titles(desk) == ["Walk daily"]
