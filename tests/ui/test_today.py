"""Today: what is due, for me, my hub or everyone, worked out afresh when shown."""

from __future__ import annotations

from datetime import date, timedelta

from lr_desk.services import advisors, dropin, people


def _follow_up(desk, given, advisor_id, site, days_ago=0):
    with desk.store.session() as s:
        person = people.register(s, {"given_name": given, "family_name": "Lewis"},
                                 advisor_id, site)
        made = date.today() - timedelta(days=days_ago)
        dropin.record_drop_in(s, person.id, advisor_id, {
            "conversation": {"site_code": site, "mode": "drop_in",
                             "date": made.strftime("%d/%m/%Y")},
            "follow_up": {"due_date": made.strftime("%d/%m/%Y"), "way": "call",
                          "assigned_to": advisor_id, "site_code": site}}, today=made)


def test_today_shows_mine_my_hub_and_everyone_and_refreshes_when_shown(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    me = window.desk.advisor_id
    with desk.store.session() as s:
        bootle = advisors.create(s, "Bea Bootle", "bootle").id
    _follow_up(desk, "Mine", me, "walton")
    _follow_up(desk, "Overdue", me, "walton", days_ago=3)
    _follow_up(desk, "Elsewhere", bootle, "bootle")

    window.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(window.today.loaded, timeout=10_000):
        window.tabs.setCurrentWidget(window.today)  # shown: worked out afresh

    def names():
        return sorted(r.person_name.split()[0] for r in window.today.follow_ups.rows)

    assert names() == ["Mine", "Overdue"]
    assert "1 today, 1 overdue" in window.today.follow_up_label.text()
    scope = window.today.scope
    with qtbot.waitSignal(window.today.loaded, timeout=10_000):
        scope.setCurrentIndex(scope.findData("all"))
    assert names() == ["Elsewhere", "Mine", "Overdue"]
    with qtbot.waitSignal(window.today.loaded, timeout=10_000):
        scope.setCurrentIndex(scope.findData("hub"))
    assert names() == ["Mine", "Overdue"]  # both at Walton, this desk's hub
