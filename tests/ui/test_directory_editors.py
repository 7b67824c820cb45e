"""The directory's editors driven as an advisor would: a partner's named contacts, and a
service's capacity and eligibility, typed with keys and clicks, saved, read back."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lr_desk.services import contacts
from lr_desk.services.contacts import ContactRow
from lr_desk.store.models import Partner, PartnerService
from lr_desk.ui.directory_models import NO_CONTACT, ServicesModel
from lr_desk.ui.directory_service_form import MARK, ServiceDialog
from tests.ui import test_directory as base
from tests.ui.screen import assert_fits
from tests.ui.test_directory import (
    WAIT,
    column,
    make_page,
    open_dialog,
    select_row,
    settle,
    type_into,
)

env = base.env  # the directory page's fixture: a real profile, its tasks and desk


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.text()!r} is off"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def alt(qtbot, window, key: Qt.Key) -> None:
    """Alt+letter in ``window`` (made the active window first, as using it makes it)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)
    qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(250)  # a button's Alt+letter clicks it a moment later (animateClick)


def fill_contact(qtbot, box, **values) -> None:
    """The contact form the box opened: each field typed, then Enter."""
    form = box.dialog
    assert form.isVisible()
    for key, text in values.items():
        type_into(qtbot, form.f.widgets[key], text)
    qtbot.keyClick(form.f.widgets[next(iter(values))], Qt.Key.Key_Return)


def read_contacts(env, partner_id: str) -> list[ContactRow]:
    with env.store.session() as s:
        return contacts.contacts(s, partner_id)


def partner_id(env, name: str) -> str:
    with env.store.session() as s:
        return s.query(Partner).filter_by(name=name).one().id


def test_a_partners_contacts_added_edited_moved_and_removed(qtbot, env):
    page = make_page(qtbot, env)
    dialog = open_dialog(qtbot, env, page.add_partner_button)
    box = dialog.contacts
    type_into(qtbot, dialog.f.widgets["name"], "Alpha Befriending")
    assert box.warning.isVisible()  # no key contact yet
    assert not box.edit_button.isEnabled() and not box.remove_button.isEnabled()

    click(qtbot, box.add_button)
    fill_contact(qtbot, box, name="Kim Alpha", role="Coordinator", phone="0151 111 2222",
                 email="kim@alpha.example")
    assert not box.warning.isVisible()  # the first contact is the key contact
    # a mistake is said at the field, and OK keeps the form open
    click(qtbot, box.add_button)
    fill_contact(qtbot, box, name="Lee Beta", phone="12")
    form = box.dialog
    assert form.isVisible()
    assert form.f.errors["phone"].text() == "A phone number has between 7 and 15 digits."
    type_into(qtbot, form.f.widgets["phone"], "07700 900123")
    qtbot.keyClick(form.f.widgets["phone"], Qt.Key.Key_Return)
    assert not form.isVisible()
    assert [(r["name"], r["is_key"]) for r in box.rows()] == [
        ("Kim Alpha", True), ("Lee Beta", False)]

    # Lee becomes the key contact: chosen in the list, then Make key contact (Alt+K)
    box.table.setFocus()
    box.table.selectRow(1)
    alt(qtbot, dialog, Qt.Key.Key_K)
    assert [(r["name"], r["is_key"]) for r in box.rows()] == [
        ("Kim Alpha", False), ("Lee Beta", True)]
    assert box.model.index(1, 0).data() == "Lee Beta (key contact)"
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, dialog.save_button)
    settle(qtbot, env)
    pid = partner_id(env, "Alpha Befriending")
    saved = read_contacts(env, pid)
    assert [(c.name, c.role, c.phone, c.email, c.is_key) for c in saved] == [
        ("Lee Beta", "", "07700 900123", "", True),
        ("Kim Alpha", "Coordinator", "0151 111 2222", "kim@alpha.example", False)]
    qtbot.waitUntil(lambda: "Alpha Befriending" in column(page.services_model, 0),
                    timeout=WAIT)
    row = column(page.services_model, 0).index("Alpha Befriending")
    assert page.services_model.index(row, ServicesModel.CONTACT).data() == "Lee Beta"

    # opened again: the contacts are read back; Kim edited (Enter on the list), Lee removed
    select_row(page.services_table, "Alpha Befriending")
    dialog = open_dialog(qtbot, env, page.edit_partner_button)
    box = dialog.contacts
    assert [r["name"] for r in box.rows()] == ["Lee Beta", "Kim Alpha"]
    box.table.setFocus()
    box.table.selectRow(1)
    qtbot.keyClick(box.table, Qt.Key.Key_Return)
    fill_contact(qtbot, box, role="Manager")
    box.table.selectRow(0)
    alt(qtbot, dialog, Qt.Key.Key_M)  # Remove
    assert [(r["name"], r["is_key"]) for r in box.rows()] == [("Kim Alpha", True)]
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, dialog.save_button)
    settle(qtbot, env)
    assert [(c.name, c.role, c.is_key) for c in read_contacts(env, pid)] == [
        ("Kim Alpha", "Manager", True)]


def test_removing_the_last_contact_flags_the_partner(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.services_table, "Example Housing Trust")
    dialog = open_dialog(qtbot, env, page.edit_partner_button)
    box = dialog.contacts
    # the key contact kept from before contacts is on the list, ready to edit
    assert [(r["name"], r["id"], r["is_key"]) for r in box.rows()] == [
        ("Alex Example", None, True)]
    box.table.setFocus()
    box.table.selectRow(0)
    click(qtbot, box.remove_button)
    assert box.rows() == [] and box.warning.isVisible()
    assert "No key contact" in box.warning.text()
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, dialog.save_button)
    settle(qtbot, env)
    pid = partner_id(env, "Example Housing Trust")
    assert read_contacts(env, pid) == []
    qtbot.waitUntil(lambda: "2 partners have no named key contact" in page.status.text(),
                    timeout=WAIT)
    row = next(i for i, p in enumerate(column(page.services_model, 0))
               if p.startswith("Example Housing Trust"))
    assert page.services_model.index(row, ServicesModel.CONTACT).data() == NO_CONTACT


def test_catchups_every_n_months(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.services_table, "Example Housing Trust")
    dialog = open_dialog(qtbot, env, page.edit_partner_button)
    box = dialog.f.widgets["catchup_every_months"]
    assert box.currentData() == "3"
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Down)  # (a space would open the list)
    assert box.currentData() == "6"
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, dialog.save_button)
    settle(qtbot, env)
    with env.store.session() as s:
        assert s.get(Partner, partner_id(env, "Example Housing Trust")).catchup_every_months == 6


def service_dialog(qtbot, env, page, name: str) -> ServiceDialog:
    select_row(page.services_table, name, ServicesModel.SERVICE)
    dialog = open_dialog(qtbot, env, page.edit_button)
    assert isinstance(dialog, ServiceDialog)
    return dialog


def test_a_services_capacity_and_eligibility_typed_saved_and_read_back(qtbot, env):
    page = make_page(qtbot, env)
    dialog = service_dialog(qtbot, env, page, "Job club")
    f = dialog.f.widgets
    assert not dialog.confirmed_hint.isHidden()  # never confirmed
    alt(qtbot, dialog, Qt.Key.Key_C)  # the Capacity page
    assert dialog.pages.currentIndex() == 1
    alt(qtbot, dialog, Qt.Key.Key_S)  # Status
    assert f["capacity"].hasFocus()
    qtbot.keyClicks(f["capacity"], "Wait")
    assert f["capacity"].currentData() == "waiting" and f["wait_weeks"].isEnabled()
    assert not f["paused_until"].isEnabled()
    type_into(qtbot, f["wait_weeks"], "6")
    type_into(qtbot, f["takes"], "10")
    qtbot.keyClicks(f["takes_per"], "W")
    type_into(qtbot, f["reply_days"], "5")
    type_into(qtbot, f["reply_deadline_days"], "21")
    today = date.today()  # (when it is pressed: a run may cross midnight)
    alt(qtbot, dialog, Qt.Key.Key_Y)  # Confirmed today
    assert f["capacity_confirmed_on"].text() == today.strftime("%d/%m/%Y")
    assert dialog.confirmed_hint.isHidden()

    alt(qtbot, dialog, Qt.Key.Key_G)  # Eligibility
    assert dialog.pages.currentIndex() == 2
    type_into(qtbot, f["min_age"], "18")
    type_into(qtbot, f["max_age"], "25")
    type_into(qtbot, f["catchment"], "sefton, l20 3")
    qtbot.keyClicks(f["benefits_rule"], "O")
    alt(qtbot, dialog, Qt.Key.Key_J)  # Once only
    assert f["once_only"].isChecked() and f["once_lookback_months"].isEnabled()
    type_into(qtbot, f["once_lookback_months"], "36")
    type_into(qtbot, f["criteria"], "Referred by a GP")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.keyClick(f["once_lookback_months"], Qt.Key.Key_Return)  # Enter saves
    settle(qtbot, env)
    with env.store.session() as s:
        svc = s.query(PartnerService).filter_by(name="Job club").one()
        assert (svc.capacity, svc.wait_weeks, svc.takes, svc.takes_per, svc.reply_days,
                svc.reply_deadline_days, svc.capacity_confirmed_on) == (
            "waiting", 6, 10, "week", 5, 21, today)
        assert (svc.min_age, svc.max_age, svc.catchment, svc.benefits_rule, svc.once_only,
                svc.once_lookback_months, svc.criteria) == (
            18, 25, "Sefton, L20 3", "on", True, 36, "Referred by a GP")
    m = page.services_model
    qtbot.waitUntil(lambda: "Waiting list, about 6 weeks; takes 10 a week" in column(
        m, ServicesModel.CAPACITY), timeout=WAIT)
    row = column(m, ServicesModel.SERVICE).index("Job club")
    assert m.index(row, ServicesModel.WHO).data() == (
        "Ages 18 to 25; Sefton, L20 3; only people on benefits; once only (3 years); "
        "other criteria")
    assert "Referred by a GP" in m.index(row, ServicesModel.WHO).data(
        Qt.ItemDataRole.ToolTipRole)

    # opened again, it shows what was saved
    dialog = service_dialog(qtbot, env, page, "Job club")
    f = dialog.f.widgets
    assert (f["capacity"].currentData(), f["wait_weeks"].text(), f["takes"].text(),
            f["min_age"].text(), f["catchment"].text(), f["once_only"].isChecked()) == (
        "waiting", "6", "10", "18", "Sefton, L20 3", True)
    dialog.reject()


def test_mistakes_on_a_page_not_on_show_mark_its_tab_and_save_opens_it(qtbot, env):
    page = make_page(qtbot, env)
    dialog = service_dialog(qtbot, env, page, "Tenancy support")
    f = dialog.f.widgets
    dialog.pages.setCurrentIndex(2)
    type_into(qtbot, f["min_age"], "40")
    type_into(qtbot, f["max_age"], "30")
    type_into(qtbot, f["catchment"], "Sefton, Bootle")
    assert dialog.f.errors["max_age"].text() == "The oldest age can't be below the youngest (40)."
    assert dialog.f.errors["catchment"].text().startswith("'Bootle' isn't a local authority")
    dialog.pages.setCurrentIndex(1)
    qtbot.keyClicks(f["capacity"], "P")  # paused, with no date
    assert f["capacity"].currentData() == "paused" and f["paused_until"].isEnabled()
    dialog.pages.setCurrentIndex(0)
    assert dialog.pages.tabText(2).endswith(MARK)
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and "check" in dialog.banner.text()
    assert dialog.pages.currentIndex() == 1 and f["paused_until"].hasFocus()
    assert dialog.f.errors["paused_until"].text().startswith("Say until when it is paused")
    assert dialog.pages.tabText(1).endswith(MARK) and dialog.pages.tabText(2).endswith(MARK)
    assert not dialog.pages.tabText(0).endswith(MARK)
    type_into(qtbot, f["paused_until"], "3/3/2030")
    dialog.pages.setCurrentIndex(2)
    type_into(qtbot, f["max_age"], "65")
    type_into(qtbot, f["catchment"], "Sefton, L20")
    assert not any(dialog.pages.tabText(n).endswith(MARK) for n in range(3))
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, dialog.save_button)
    settle(qtbot, env)
    with env.store.session() as s:
        svc = s.query(PartnerService).filter_by(name="Tenancy support").one()
        assert (svc.capacity, svc.paused_until, svc.min_age, svc.max_age, svc.catchment) == (
            "paused", date(2030, 3, 3), 40, 65, "Sefton, L20")


def test_both_editors_fit_the_screen_on_every_page(qtbot, env, tmp_path):
    page = make_page(qtbot, env)
    select_row(page.services_table, "Example Housing Trust")
    partner = open_dialog(qtbot, env, page.edit_partner_button)
    partner.resize(1366, 768)
    assert_fits(partner)
    partner.grab().save(str(tmp_path / "partner.png"))
    dialog = service_dialog(qtbot, env, page, "Tenancy support")
    for n in range(dialog.pages.count()):
        dialog.pages.setCurrentIndex(n)
        QApplication.processEvents()
        assert_fits(dialog)
        assert dialog.save_button.isVisible()
        dialog.grab().save(str(tmp_path / f"service-{n}.png"))
    click(qtbot, partner.contacts.add_button)
    assert_fits(partner.contacts.dialog)


def test_contacts_typed_and_not_saved_come_back_with_the_draft(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.services_table, "Example Housing Trust")
    dialog = open_dialog(qtbot, env, page.edit_partner_button)
    click(qtbot, dialog.contacts.add_button)
    fill_contact(qtbot, dialog.contacts, name="Sol Newman", role="Trustee")
    dialog.save_draft()  # what the autosave timer does
    settle(qtbot, env)
    dialog.hide()  # as if the desk had crashed: no Save, no Cancel

    again = open_dialog(qtbot, env, page.edit_partner_button)
    assert again is not dialog and "restored" in again.banner.text()
    assert [(r["name"], r["is_key"]) for r in again.contacts.rows()] == [
        ("Alex Example", True), ("Sol Newman", False)]
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        click(qtbot, again.save_button)
    settle(qtbot, env)
    saved = read_contacts(env, partner_id(env, "Example Housing Trust"))
    assert [(c.name, c.role, c.is_key) for c in saved] == [
        ("Alex Example", "", True), ("Sol Newman", "Trustee", False)]
