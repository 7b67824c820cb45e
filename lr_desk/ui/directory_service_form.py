"""One of a partner's services, on three pages: the service (what, where, when), its
capacity (taking referrals, a waiting list, paused, closed; how many it takes; how soon
it replies; when that was last confirmed, with a one-click "Confirmed today") and who
it is for (ages, catchment, benefits, once only, other criteria).

Each page's fields scroll inside it and Save and Cancel stay below, so the dialog fits
1366x768 and 1280x720. Every field is checked as it is typed by
services.directory.validate_service (with services.directory_terms); a mistake on a page
not on show marks that page's tab and Save opens it at the field.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QApplication, QFormLayout, QPushButton, QWidget

from lr_desk.services import directory, directory_terms
from lr_desk.services.context import Desk
from lr_desk.store.models import (
    BENEFITS_RULES,
    CAPACITY,
    CAPACITY_PERIODS,
    DELIVERY,
    Partner,
    PartnerService,
)
from lr_desk.ui.directory_editors import DirectoryEditor, form_scroll, hint
from lr_desk.ui.directory_models import marked
from lr_desk.ui.forms import check, combo, line_edit, set_combo, text_edit
from lr_desk.ui.pages import Pages
from lr_desk.ui.tasks import Tasks

PAGES = ("Ser&vice", "&Capacity", "Eli&gibility")
MARK = " ⚠"  # on a tab whose page has a mistake to put right
CAPACITY_FIELDS = ("capacity", "wait_weeks", "paused_until", "takes", "takes_per",
                   "reply_days", "reply_deadline_days", "capacity_confirmed_on")
ELIGIBILITY_FIELDS = ("min_age", "max_age", "catchment", "benefits_rule", "once_only",
                      "once_lookback_months", "criteria")


def _number(name: str, placeholder: str = "") -> QWidget:
    w = line_edit(name, placeholder)
    w.setMaximumWidth(160)
    return w


class ServiceDialog(DirectoryEditor):
    SAVE = staticmethod(directory.save_service)
    CHOOSE_PARTNER = "Choose the partner…"
    SIZE = (640, 620)

    def __init__(self, tasks: Tasks, desk: Desk, partners: list[Partner],
                 service: PartnerService | None = None, partner_id: str | None = None,
                 parent=None, today: date | None = None):
        key = f"service:{service.id}" if service else "service:new"
        title = f"Edit {service.name}" if service else "New partner service"
        super().__init__(tasks, desk, key, title, service.id if service else None, parent)
        self.today = today or date.today()
        self.partner_ids = {p.id for p in partners}
        self.capacity_form = QFormLayout()
        self.eligibility_form = QFormLayout()
        for form in (self.capacity_form, self.eligibility_form):
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._service_page(partners)
        self._capacity_page()
        self._eligibility_page()
        f = self.f.widgets
        f["delivery"].currentIndexChanged.connect(self._delivery_changed)
        f["capacity"].currentIndexChanged.connect(self._capacity_changed)
        f["once_only"].toggled.connect(self._once_changed)
        f["capacity_confirmed_on"].textChanged.connect(self._show_confirmed)
        if service is not None:
            initial = as_service_form(service)
        else:
            lists = desk.lists
            initial = {"partner_id": partner_id or "", "delivery": "hub",
                       "site_code": desk.site_code if any(
                           s.code == desk.site_code and s.kind == "hub" for s in lists.sites)
                       else "", "capacity": "taking", "takes_per": "month",
                       "reply_deadline_days": str(directory_terms.DEFAULT_REPLY_DEADLINE)}
        self.finish_layout(initial)
        self._delivery_changed()
        self._capacity_changed()
        self._once_changed()
        self._show_confirmed()

    # -- the three pages ------------------------------------------------------------------
    def _service_page(self, partners: list[Partner]) -> None:
        lists = self.desk.lists
        f, form = self.f, self.form
        f.add(form, "partner_id", "&Partner", combo(
            "Partner organisation", {p.id: marked(p.name, p.is_example) for p in partners},
            blank=self.CHOOSE_PARTNER))
        f.add(form, "name", "Service &name", line_edit("Service name"))
        f.add(form, "category", "Ca&tegory", combo(
            "Category", {c.code: c.name for c in lists.categories}, blank="Choose a category…"))
        f.add(form, "delivery", "&Where it is delivered", combo("Where it is delivered",
                                                                DELIVERY))
        f.add(form, "site_code", "&Hub", combo(
            "Hub", {s.code: directory.short_site_name(s) for s in lists.sites
                    if s.kind == "hub"}, blank="Choose the hub…"))
        f.add(form, "location", "P&lace", line_edit(
            "Place", "For community services, e.g. Example Church Hall, Walton"))
        f.add(form, "when_text", "Days and t&imes", line_edit(
            "Days and times", "e.g. Tuesdays 10:00 to 12:30"))
        f.add(form, "phone", "Ph&one", line_edit("Service phone", "If not the partner's"))
        f.add(form, "web", "We&b address", line_edit("Service web address"))
        f.add(form, "description", "&Description", text_edit("Description"))

    def _capacity_page(self) -> None:
        f, form = self.f, self.capacity_form
        f.add(form, "capacity", "&Status", combo("Capacity status", CAPACITY))
        f.add(form, "wait_weeks", "Typical wait (w&eeks)", _number(
            "Typical wait in weeks", "e.g. 6"))
        f.add(form, "paused_until", "Paused &until", line_edit(
            "Paused until", "day/month/year, e.g. 03/03/2027"))
        f.add(form, "takes", "Ta&kes new referrals", _number(
            "New referrals it can take", "Empty: not said"))
        f.add(form, "takes_per", "Per", combo(
            "New referrals per", {k: k.capitalize() for k in CAPACITY_PERIODS}))
        f.add(form, "reply_days", "Usually &replies in (days)", _number(
            "Usually replies in days", "e.g. 5"))
        f.add(form, "reply_deadline_days", "Reply deadline (days)", _number(
            "Reply deadline in days", "14"))
        form.addRow("", hint("A referral not answered by its deadline shows on Today as "
                             "awaiting reply, to chase.", "Reply deadline note"))
        f.add(form, "capacity_confirmed_on", "Confirmed on", line_edit(
            "Capacity confirmed on", "day/month/year"))
        self.confirm_button = QPushButton("Confirmed toda&y")
        self.confirm_button.setAccessibleName("Confirmed today")
        self.confirm_button.setToolTip("The partner confirmed its capacity today: set "
                                       "Confirmed on to today's date")
        self.confirm_button.clicked.connect(self.confirmed_today)
        form.addRow("", self.confirm_button)
        self.confirmed_hint = hint("", "Capacity confirmed", "warning")
        self.confirmed_hint.setWordWrap(True)
        form.addRow("", self.confirmed_hint)

    def _eligibility_page(self) -> None:
        f, form = self.f, self.eligibility_form
        f.add(form, "min_age", "&Ages from", _number("Youngest age", "Empty: any age"))
        f.add(form, "max_age", "Ages up to", _number("Oldest age", "Empty: any age"))
        f.add(form, "catchment", "Catch&ment", line_edit(
            "Catchment", directory_terms.CATCHMENT_HINT))
        form.addRow("", hint("Council areas (Liverpool, Sefton, Knowsley…) or postcode "
                             "districts (L4, L20) or sectors (L20 3), with commas between. "
                             "Empty: wherever they live.", "Catchment note"))
        f.add(form, "benefits_rule", "Bene&fits", combo("Benefits rule", BENEFITS_RULES))
        f.add(form, "once_only", "", check("Once only: funded &just once per person",
                                          "Once only"))
        f.add(form, "once_lookback_months", "Looking back (months)", _number(
            "Once only look-back in months", "Empty: ever"))
        f.add(form, "criteria", "Other criteria", text_edit(
            "Other criteria", "In words, e.g. Referred by a GP; carers only"))

    def body(self) -> QWidget:
        self.pages = Pages("Service, capacity and eligibility")
        for form, title in zip((self.form, self.capacity_form, self.eligibility_form), PAGES,
                               strict=True):
            scroll = form_scroll(form, f"{title.replace('&', '')}: the form")
            self.pages.addTab(scroll, title)
        self.scroll = self.pages.widget(0)
        QApplication.instance().focusChanged.connect(self._focus_moved)
        return self.pages

    def _page_of(self, widget: QWidget) -> int:
        for n in range(self.pages.count()):
            if self.pages.widget(n).isAncestorOf(widget):
                return n
        return -1

    def _focus_moved(self, _old, new) -> None:
        """An Alt+letter or a message took the focus to a field on another page: show it."""
        if new is not None and self.isAncestorOf(new):
            page = self._page_of(new)
            if page >= 0 and page != self.pages.currentIndex():
                self.pages.setCurrentIndex(page)

    # -- behaviour ------------------------------------------------------------------------
    def confirmed_today(self) -> None:
        self.f.widgets["capacity_confirmed_on"].setText(self.today.strftime("%d/%m/%Y"))

    def _show_confirmed(self, *_args) -> None:
        text = self.f.widgets["capacity_confirmed_on"].text().strip()
        try:
            day = directory_terms.optional_day(text)
        except ValueError:
            day = None
        said = ""
        if not text:
            said = "Never confirmed: ask the partner, then press Confirmed today."
        elif day is not None and self.today - day > directory_terms.CONFIRMED_FOR:
            said = "Unconfirmed: last confirmed over 30 days ago. Ask the partner again."
        self.confirmed_hint.setText(said)
        self.confirmed_hint.setVisible(bool(said))

    def _delivery_changed(self, *_args) -> None:
        at_hub = self.f.widgets["delivery"].currentData() == "hub"
        self.f.widgets["site_code"].setEnabled(at_hub)

    def _capacity_changed(self, *_args) -> None:
        status = self.f.widgets["capacity"].currentData()
        self.f.widgets["wait_weeks"].setEnabled(status == "waiting")
        self.f.widgets["paused_until"].setEnabled(status == "paused")

    def _once_changed(self, *_args) -> None:
        self.f.widgets["once_lookback_months"].setEnabled(
            self.f.widgets["once_only"].isChecked())

    def set_partners(self, partners: list[Partner]) -> None:
        """Offer the partners as they are now (one may have been added meanwhile),
        keeping the current choice and not counting as a change by the user."""
        box = self.f.widgets["partner_id"]
        keep = box.currentData() or ""
        blocker = QSignalBlocker(box)
        box.clear()
        box.addItem(self.CHOOSE_PARTNER, "")
        for p in partners:
            box.addItem(marked(p.name, p.is_example), p.id)
        set_combo(box, keep)
        del blocker
        self.partner_ids = {p.id for p in partners}

    def validate(self, payload: dict) -> None:
        directory.validate_service(payload, {c.code for c in self.desk.lists.categories},
                                   self.partner_ids, self.today)

    def collect(self) -> dict:
        values = self.f.values()
        if values["delivery"] != "hub":
            values["site_code"] = ""  # a community service has no hub
        return values

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        super().show_errors(errors, only_touched)
        shown = {k for k, label in self.f.errors.items() if label.text()}
        for n, title in enumerate(PAGES):
            page = self.pages.widget(n)
            wrong = any(page.isAncestorOf(self.f.widgets[k]) for k in shown)
            self.pages.setTabText(n, title + (MARK if wrong else ""))
            self.pages.setTabToolTip(n, "Something here needs putting right" if wrong else "")

    def focus_error(self, errors: dict[str, str]) -> None:
        for key, widget in self.f.widgets.items():
            if key in errors:
                self.pages.setCurrentIndex(self._page_of(widget))
                widget.setFocus()
                return


def _text(value) -> str:
    return "" if value is None else str(value)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def as_service_form(s: PartnerService) -> dict:
    """The service's values as its form holds them (numbers and dates as typed)."""
    return {"partner_id": s.partner_id, "name": s.name, "category": s.category,
            "delivery": s.delivery, "site_code": s.site_code, "location": s.location,
            "when_text": s.when_text, "phone": s.phone, "web": s.web,
            "description": s.description,
            "capacity": s.capacity or "taking", "wait_weeks": _text(s.wait_weeks),
            "paused_until": _day(s.paused_until), "takes": _text(s.takes),
            "takes_per": s.takes_per or "month", "reply_days": _text(s.reply_days),
            "reply_deadline_days": _text(s.reply_deadline_days),
            "capacity_confirmed_on": _day(s.capacity_confirmed_on),
            "min_age": _text(s.min_age), "max_age": _text(s.max_age),
            "catchment": s.catchment or "", "benefits_rule": s.benefits_rule or "",
            "once_only": bool(s.once_only),
            "once_lookback_months": _text(s.once_lookback_months),
            "criteria": s.criteria or ""}
