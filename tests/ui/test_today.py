"""Today: today's follow-ups first, then the overdue ones grouped and counted, dates with
their year when it is not this year; Follow-up done from here with what happened; for
me, my hub or everyone; worked out afresh when shown or when something changes."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QWidget

from lr_desk.services import advisors, dates, dropin, people
from lr_desk.services.changes import Changed
from lr_desk.store.models import FollowUp
from lr_desk.ui.person_steps import StepDialog
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls


def _follow_up(desk, given, advisor_id, site, days_ago=0, due_time="", family="Lewis"):
    with desk.store.session() as s:
        person = people.register(s, {"given_name": given, "family_name": family},
                                 advisor_id, site)
        made = date.today() - timedelta(days=days_ago)
        return dropin.record_drop_in(s, person.id, advisor_id, {
            "conversation": {"site_code": site, "mode": "drop_in",
                             "date": made.strftime("%d/%m/%Y"), "time": "00:00"},
            "follow_up": {"due_date": made.strftime("%d/%m/%Y"), "way": "call",
                          "assigned_to": advisor_id, "site_code": site,
                          "due_time": due_time}}, today=made).follow_up_id


def _shown(qtbot, window):
    """Today on screen, worked out afresh."""
    other = window.tabs.widget(1)
    window.tabs.setCurrentWidget(other)
    with qtbot.waitSignal(window.today.loaded, timeout=20_000):
        window.tabs.setCurrentWidget(window.today)
    qtbot.waitUntil(lambda: window.tasks.pending == 0, timeout=20_000)
    return window.today


def _tree(page) -> list[tuple[str, list[list[str]]]]:
    """The follow-ups as shown: each group's title, and its rows' cells."""
    model = page.follow_ups
    out = []
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        rows = [[model.index(r, c, group).data() for c in range(model.columnCount())]
                for r in range(model.rowCount(group))]
        out.append((group.data(), rows))
    return out


def cut_off(root: QWidget) -> list[str]:
    """Text on screen that does not fit where it is: labels (wrapped or not) and the
    cells of item views, measured with the font they are drawn in."""
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text():
            continue
        width = label.contentsRect().width()
        if label.wordWrap():
            if label.heightForWidth(label.width()) > label.height() + 1:
                found.append(f"{label.accessibleName() or label.text()!r}: needs "
                             f"{label.heightForWidth(label.width())} px high, has "
                             f"{label.height()}")
        elif label.fontMetrics().horizontalAdvance(label.text().replace("&", "")) > width:
            found.append(f"{label.text()!r}: wider than its {width} px")
    for view in root.findChildren(QAbstractItemView):
        if not view.isVisibleTo(root) or isinstance(view.parentWidget(), QComboBox):
            continue
        model = view.model()
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for r in range(model.rowCount(parent)):
                for c in range(model.columnCount(parent)):
                    index = model.index(r, c, parent)
                    text = index.data() or ""
                    rect = view.visualRect(index)
                    if not text or rect.isEmpty():
                        continue
                    need = max(view.fontMetrics().horizontalAdvance(line)
                               for line in str(text).splitlines() or [""])
                    if need + 6 > rect.width() and "\n" not in text:  # (3 px margins)
                        found.append(f"{text!r}: {need} px of text in a {rect.width()} px "
                                     "cell")
                stack.append(model.index(r, 0, parent))
    return found


def test_today_first_then_overdue_grouped_and_counted_with_the_year(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    me = window.desk.advisor_id
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    for i in range(10):  # ten overdue ones, as the desk had: today's still come first
        _follow_up(desk, f"Old{i}", me, "walton", days_ago=400 + i)
    _follow_up(desk, "Afternoon", me, "walton", due_time="14:00")
    _follow_up(desk, "Morning", me, "walton", due_time="09:30")
    _follow_up(desk, "Anytime", me, "walton")
    _follow_up(desk, "LastWeek", me, "walton", days_ago=(today - monday).days + 3)
    page = _shown(qtbot, window)

    shown = _tree(page)
    assert [title for title, _ in shown] == [
        "Due today (3)", "Last week (1)", "Older (10)"]
    assert [row[:2] for row in shown[0][1]] == [
        ["09:30", "Morning Lewis"], ["14:00", "Afternoon Lewis"], ["Any time", "Anytime Lewis"]]
    old_day = today - timedelta(days=400)
    assert shown[2][1][0][0] == dates.day(old_day, today)
    assert shown[2][1][0][0].endswith(str(old_day.year))  # not this year: it says so
    assert shown[2][1][0][4] == dates.days_ago(old_day, today) == "13 months ago"
    last_week = today - timedelta(days=(today - monday).days + 3)
    assert shown[1][1][0][0] == dates.day(last_week, today)
    assert page.counts.text() == "3 due today, 11 overdue (1 last week, 10 older)"
    assert page.heading.text() == f"Today, {dates.long_day(today)}"

    # it fits the hubs' screens with nothing cut off
    window.show()
    assert_fits(window)
    for size in ((1366, 768 - 70), (1280, 720 - 70)):
        window.resize(*size)
        qtbot.waitUntil(lambda s=size: window.width() == s[0], timeout=5_000)
        assert cut_off(page) == [], size
    assert unnamed_controls(page) == [] and mnemonic_clashes(page) == {}


def test_follow_up_done_from_today_with_what_happened(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    me = window.desk.advisor_id
    fid = _follow_up(desk, "Rhian", me, "walton", due_time="10:00")
    _follow_up(desk, "Sioned", me, "walton", days_ago=2)
    page = _shown(qtbot, window)
    tree = page.follow_up_table

    # from the keyboard: into the list, down to Rhian's row (below "Due today")
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Home)
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert page.selected().person_name == "Rhian Lewis"
    assert page.done_button.isEnabled()
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Follow-up do&ne
    qtbot.waitUntil(lambda: any(d.isVisible() for d in page.findChildren(StepDialog)),
                    timeout=5_000)
    [step] = [d for d in page.findChildren(StepDialog) if d.isVisible()]
    assert step.windowTitle() == "Follow-up done"
    qtbot.waitUntil(lambda: window.tasks.pending == 0, timeout=20_000)
    assert unnamed_controls(step) == [] and mnemonic_clashes(step) == {}
    assert step.findChild(QLabel).text() == "Rhian Lewis: phone call, due today"
    result = step.f.widgets["result"]
    assert result.hasFocus() and result.currentData() == ""

    # Enter with nothing chosen: said at the field, nothing saved
    qtbot.keyClick(result, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: step.f.errors["result"].isVisible(), timeout=5_000)
    assert step.f.errors["result"].text() == "Please choose what happened."
    # choose by typing its first letter, Tab to the words, type them, Enter saves
    qtbot.keyClick(result, Qt.Key.Key_S)
    assert result.currentText() == "Spoke to them"
    qtbot.keyClick(result, Qt.Key.Key_Tab)
    words = step.f.widgets["outcome"]
    assert words.hasFocus()
    qtbot.keyClicks(words, "Joined the walking group")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(words, Qt.Key.Key_Return)
    with desk.store.session() as s:
        done = s.get(FollowUp, fid)
        assert done.done_at is not None
        assert done.outcome == "Spoke to them: Joined the walking group"
    assert [r.person_name for r in page.follow_ups.rows] == ["Sioned Lewis"]
    assert page.counts.text().startswith("0 due today, 1 overdue")
    assert _tree(page)[0] == ("Due today: nothing due", [])


def test_today_hears_what_changed_and_only_what_it_shows(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    page = _shown(qtbot, window)
    assert page.follow_ups.rows == []
    fid = _follow_up(desk, "Later", window.desk.advisor_id, "walton")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.on_changed(Changed.of({"follow_up": {fid}}))
    assert [r.person_name for r in page.follow_ups.rows] == ["Later Lewis"]
    qtbot.waitUntil(lambda: window.tasks.pending == 0, timeout=20_000)
    with qtbot.assertNotEmitted(page.loaded, wait=300):
        page.on_changed(Changed.of({"course": {"c1"}, "partner": {"p1"}}))
    # not on screen: worked out when next shown, not before
    window.tabs.setCurrentIndex(1)
    with qtbot.assertNotEmitted(page.loaded, wait=300):
        page.on_changed(Changed.of({"conversation": {"x"}}))
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        window.tabs.setCurrentWidget(page)


def test_today_shows_mine_my_hub_and_everyone(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    me = window.desk.advisor_id
    with desk.store.session() as s:
        bootle = advisors.create(s, "Bea Bootle", "bootle").id
    _follow_up(desk, "Mine", me, "walton")
    _follow_up(desk, "Overdue", me, "walton", days_ago=3)
    _follow_up(desk, "Elsewhere", bootle, "bootle")
    page = _shown(qtbot, window)

    def names():
        return sorted(r.person_name.split()[0] for r in page.follow_ups.rows)

    assert names() == ["Mine", "Overdue"]
    assert page.counts.text().startswith("1 due today, 1 overdue")
    scope = page.scope
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        scope.setCurrentIndex(scope.findData("all"))
    assert names() == ["Elsewhere", "Mine", "Overdue"]
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        scope.setCurrentIndex(scope.findData("hub"))
    assert names() == ["Mine", "Overdue"]  # both at Walton, this desk's hub
