"""The directory's editors: a partner organisation, one of its services, a Recovery
College course.

Each checks as you type with the core's pure ``validate_*`` functions, so the rules live
in one place; the real save goes through ``tasks.run(lambda s: directory.save_*(s, raw,
id, loaded))``, which checks again. The fields scroll inside a fixed frame and Save and
Cancel stay below it, on screen, whatever the screen's size.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSignalBlocker, QSize
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from lr_desk.services import directory
from lr_desk.services.context import Desk
from lr_desk.store.models import DELIVERY, Course, Partner, PartnerService
from lr_desk.ui import style
from lr_desk.ui.directory_models import marked
from lr_desk.ui.forms import EditorDialog, Fields, combo, line_edit, scrolled, set_combo, text_edit
from lr_desk.ui.tasks import Tasks

DEFAULT_PROVIDER = "The Life Rooms Recovery College"
LEAST_ROOM = (440, 260)  # the least a directory editor shrinks to (its fields scroll)


class DirectoryEditor(EditorDialog):
    """What the three editors share: a Fields form in a scroll area, live checks, and
    errors the form has no field for (such as "no longer in the directory") shown in the
    notice. Subclasses set ``SAVE`` and ``VALIDATE`` to the core's functions for their
    record."""

    SIZE = (560, 560)  # what it first opens at, if the screen has room

    def __init__(self, tasks: Tasks, desk: Desk, key: str, title: str, row_id: str | None,
                 parent=None):
        super().__init__(tasks, key, title, desk.autosave_seconds, parent)
        self.desk = desk
        self.row_id = row_id
        self.f = Fields(self.mark_dirty)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

    def finish_layout(self, initial: dict | None) -> None:
        body = QWidget()
        body.setLayout(self.form)
        self.scroll = scrolled(body, f"{self.windowTitle()}: the form")
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)  # one surface with the dialog
        self.scroll.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)
        self.banner.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons)
        self.setMinimumSize(*LEAST_ROOM)
        if initial:
            self.load_payload(initial)
        # the record as the form opened on it: only what is changed here is saved
        self.opened_with = dict(initial) if initial and self.row_id else None
        self.f.touched.clear()  # only what they change is checked as they type
        self.dirty = False
        self.ready()  # from now on, changes are the user's
        next(iter(self.f.widgets.values())).setFocus()
        # as it was last left on this desk (SIZE at first), never larger than the screen
        self.remember_size(f"directory/{type(self).__name__}", QSize(*self.SIZE))

    def validate(self, payload: dict) -> None:
        """Raise ValidationError for the form's values (pure; see services.directory)."""
        type(self).VALIDATE(payload)

    def submit(self, payload: dict) -> None:
        save, raw, row_id, loaded = type(self).SAVE, dict(payload), self.row_id, self.opened_with
        self.tasks.run(lambda s: save(s, raw, row_id, loaded), self.saved_ok,
                       self.save_failed)


def _hint(text: str, name: str, kind: str = "note") -> QLabel:
    label = QLabel(text)
    label.setAccessibleName(name)
    if kind == "note":
        style.note(label)
    else:
        style.message(label, kind)
    return label


class PartnerDialog(DirectoryEditor):
    SAVE = staticmethod(directory.save_partner)
    VALIDATE = staticmethod(directory.validate_partner)

    def __init__(self, tasks: Tasks, desk: Desk, partner: Partner | None = None, parent=None):
        key = f"partner:{partner.id}" if partner else "partner:new"
        title = f"Edit {partner.name}" if partner else "New partner organisation"
        super().__init__(tasks, desk, key, title, partner.id if partner else None, parent)
        f, form = self.f, self.form
        f.add(form, "name", "Organisation &name", line_edit("Organisation name"))
        f.add(form, "phone", "&Phone", line_edit("Phone", "e.g. 0151 000 0000"))
        f.add(form, "web", "&Web address", line_edit("Web address", "e.g. https://example.org"))
        f.add(form, "key_contact", "&Key contact", line_edit("Key contact",
                                                             "The named person referrals go to"))
        self.contact_hint = _hint("No named key contact yet: referrals without a named "
                                  "person tend to go nowhere, so add one if you can.",
                                  "Key contact hint", "warning")
        form.addRow("", self.contact_hint)
        f.add(form, "key_contact_phone", "Key contact p&hone", line_edit("Key contact phone"))
        f.add(form, "key_contact_email", "Key contact &email", line_edit("Key contact email"))
        f.add(form, "notes", "N&otes", text_edit("Notes",
                                                 "Catchment, who they take on, capacity…"))
        f.widgets["key_contact"].textChanged.connect(self._contact_changed)
        self.finish_layout(as_partner_form(partner) if partner else None)
        self._contact_changed(f.widgets["key_contact"].text())

    def _contact_changed(self, text: str) -> None:
        self.contact_hint.setVisible(not text.strip())


class ServiceDialog(DirectoryEditor):
    SAVE = staticmethod(directory.save_service)
    CHOOSE_PARTNER = "Choose the partner…"
    SIZE = (560, 620)

    def __init__(self, tasks: Tasks, desk: Desk, partners: list[Partner],
                 service: PartnerService | None = None, partner_id: str | None = None,
                 parent=None):
        key = f"service:{service.id}" if service else "service:new"
        title = f"Edit {service.name}" if service else "New partner service"
        super().__init__(tasks, desk, key, title, service.id if service else None, parent)
        self.partner_ids = {p.id for p in partners}
        lists = desk.lists
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
        f.widgets["delivery"].currentIndexChanged.connect(self._delivery_changed)
        if service is not None:
            initial = as_service_form(service)
        else:
            initial = {"partner_id": partner_id or "", "delivery": "hub",
                       "site_code": desk.site_code if any(
                           s.code == desk.site_code and s.kind == "hub" for s in lists.sites)
                       else ""}
        self.finish_layout(initial)
        self._delivery_changed()

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

    def _delivery_changed(self, *_args) -> None:
        at_hub = self.f.widgets["delivery"].currentData() == "hub"
        self.f.widgets["site_code"].setEnabled(at_hub)

    def validate(self, payload: dict) -> None:
        directory.validate_service(payload, {c.code for c in self.desk.lists.categories},
                                   self.partner_ids)

    def collect(self) -> dict:
        values = self.f.values()
        if values["delivery"] != "hub":
            values["site_code"] = ""  # a community service has no hub
        return values


class CourseDialog(DirectoryEditor):
    SAVE = staticmethod(directory.save_course)
    VALIDATE = staticmethod(directory.validate_course)
    SIZE = (560, 580)

    def __init__(self, tasks: Tasks, desk: Desk, course: Course | None = None, parent=None,
                 today: date | None = None):
        key = f"course:{course.id}" if course else "course:new"
        title = f"Edit {course.title}" if course else "New Recovery College course"
        super().__init__(tasks, desk, key, title, course.id if course else None, parent)
        self.today = today or date.today()
        f, form = self.f, self.form
        f.add(form, "title", "&Title", line_edit("Course title"))
        f.add(form, "provider", "P&rovider", line_edit("Provider"))
        f.add(form, "site_code", "&Where", combo(
            "Where", {s.code: directory.short_site_name(s) for s in desk.lists.sites},
            blank="Not fixed"))
        f.add(form, "starts_on", "&Starts on", line_edit("Starts on",
                                                         "day/month/year, e.g. 14/02/2026"))
        f.add(form, "ends_on", "E&nds on", line_edit("Ends on", "day/month/year"))
        f.add(form, "when_text", "Days and t&imes", line_edit(
            "Days and times", "e.g. Mondays 10:00 to 12:00, four weeks"))
        self.next_hint = _hint("", "Next session")
        form.addRow("", self.next_hint)
        f.add(form, "description", "&Description", text_edit("Description"))
        for name in ("starts_on", "ends_on", "when_text"):
            f.widgets[name].textChanged.connect(self._show_next)
        self.finish_layout(as_course_form(course) if course else
                           {"provider": DEFAULT_PROVIDER, "site_code": desk.site_code})
        self._show_next()

    def _show_next(self, *_args) -> None:
        """The next session, as the dates and days typed so far make it."""
        said = directory.preview_next(self.f.values(), self.today)
        self.next_hint.setText(f"Next session: {said}" if said else "")
        self.next_hint.setVisible(bool(said))


def as_partner_form(p: Partner) -> dict:
    return {"name": p.name, "phone": p.phone, "web": p.web, "key_contact": p.key_contact,
            "key_contact_phone": p.key_contact_phone, "key_contact_email": p.key_contact_email,
            "notes": p.notes}


def as_service_form(s: PartnerService) -> dict:
    return {"partner_id": s.partner_id, "name": s.name, "category": s.category,
            "delivery": s.delivery, "site_code": s.site_code, "location": s.location,
            "when_text": s.when_text, "phone": s.phone, "web": s.web,
            "description": s.description}


def as_course_form(c: Course) -> dict:
    return {"title": c.title, "provider": c.provider, "site_code": c.site_code,
            "starts_on": c.starts_on.strftime("%d/%m/%Y") if c.starts_on else "",
            "ends_on": c.ends_on.strftime("%d/%m/%Y") if c.ends_on else "",
            "when_text": c.when_text, "description": c.description}
