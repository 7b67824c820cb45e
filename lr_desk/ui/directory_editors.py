"""The directory's editors: a partner organisation (with its contacts, see
directory_contacts) and a Recovery College course; one of a partner's services is edited
in directory_service_form, on the same base.

Each checks as you type with the core's pure ``validate_*`` functions, so the rules live
in one place; the real save goes through ``tasks.run(lambda s: directory.save_*(s, raw,
id, loaded))``, which checks again. The fields scroll inside a fixed frame and Save and
Cancel stay below it, on screen, whatever the screen's size.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from lr_desk.services import contacts, directory
from lr_desk.services.context import Desk
from lr_desk.services.validation import check_all
from lr_desk.store.models import Course, Partner
from lr_desk.ui import style
from lr_desk.ui.directory_contacts import ContactsBox
from lr_desk.ui.forms import EditorDialog, Fields, combo, line_edit, scrolled, text_edit
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

    def body(self) -> QWidget:
        """What goes between the notice and the buttons: the form, scrolling."""
        self.scroll = form_scroll(self.form, f"{self.windowTitle()}: the form")
        return self.scroll

    def finish_layout(self, initial: dict | None) -> None:
        self.banner.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.body(), 1)
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


def form_scroll(form: QFormLayout, name: str) -> QScrollArea:
    """A form in a scroll area that is one surface with the dialog."""
    body = QWidget()
    body.setLayout(form)
    scroll = scrolled(body, name)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.viewport().setAutoFillBackground(False)
    body.setAutoFillBackground(False)
    return scroll


def hint(text: str, name: str, kind: str = "note") -> QLabel:
    label = QLabel(text)
    label.setAccessibleName(name)
    if kind == "note":
        style.note(label)
    else:
        style.message(label, kind)
    return label


class PartnerDialog(DirectoryEditor):
    """A partner organisation: its name, phone, web address, its named contacts (one the
    key contact; see directory_contacts), how often catch-ups are held, and notes. The
    contacts are read when it opens and saved with it."""

    SAVE = staticmethod(directory.save_partner)
    SIZE = (640, 620)

    def __init__(self, tasks: Tasks, desk: Desk, partner: Partner | None = None, parent=None):
        key = f"partner:{partner.id}" if partner else "partner:new"
        title = f"Edit {partner.name}" if partner else "New partner organisation"
        super().__init__(tasks, desk, key, title, partner.id if partner else None, parent)
        f, form = self.f, self.form
        f.add(form, "name", "Organisation &name", line_edit("Organisation name"))
        f.add(form, "phone", "&Phone", line_edit("Phone", "e.g. 0151 000 0000"))
        f.add(form, "web", "&Web address", line_edit("Web address", "e.g. https://example.org"))
        self.contacts = ContactsBox()
        contacts_label = QLabel("&Contacts")
        contacts_label.setBuddy(self.contacts.table)
        form.addRow(contacts_label, self.contacts)
        self.contacts.changed.connect(self.mark_dirty)
        f.add(form, "catchup_every_months", "Catch-&ups", combo("Catch-ups", CATCHUPS))
        f.add(form, "notes", "N&otes", text_edit("Notes", "Who they take on, how to refer…"))
        # a partner's contacts are read when it opens; until then they are left alone
        self._contacts_ready = partner is None
        self.finish_layout(as_partner_form(partner) if partner else
                           {"catchup_every_months": "3", "contacts": []})
        if partner is not None:
            pid = partner.id
            self.tasks.run(lambda s: [r.as_dict() for r in contacts.contacts(s, pid)],
                           self._contacts_read)

    @property
    def contact_hint(self) -> QLabel:
        """The warning shown while the partner has no named key contact."""
        return self.contacts.warning

    def _contacts_read(self, rows: list[dict]) -> None:
        if self._contacts_ready:  # a draft brought its own meanwhile
            return
        self._contacts_ready = True
        self.load_payload({"contacts": rows})
        if self.opened_with is not None:
            self.opened_with["contacts"] = rows

    def collect(self) -> dict:
        values = self.f.values()
        if self._contacts_ready:
            values["contacts"] = self.contacts.rows()
        return values

    def restore(self, payload: dict) -> None:
        value = str(payload.get("catchup_every_months", ""))
        box = self.f.widgets["catchup_every_months"]
        if value and box.findData(value) < 0:  # a number the list does not offer
            box.addItem(f"Every {value} months", value)
        self.f.load(payload)
        if "contacts" in payload:
            self._contacts_ready = True
            self.contacts.set_rows(payload["contacts"])

    def validate(self, payload: dict) -> None:
        check_all(lambda: directory.validate_partner(payload),
                  lambda: contacts.validate_contacts(payload.get("contacts", [])))

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        super().show_errors(errors, only_touched)
        self.contacts.show_error(errors.get("contacts", ""))

    def focus_error(self, errors: dict[str, str]) -> None:
        if "contacts" in errors and not set(errors) & set(self.f.widgets):
            self.contacts.table.setFocus()
        else:
            super().focus_error(errors)


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
        self.next_hint = hint("", "Next session")
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


CATCHUPS = {"0": "No catch-ups planned", "1": "Every month", "2": "Every 2 months",
            "3": "Every 3 months (quarterly)", "4": "Every 4 months", "6": "Every 6 months",
            "12": "Every year"}


def as_partner_form(p: Partner) -> dict:
    """The partner's values as its form holds them (its contacts are read separately)."""
    every = p.catchup_every_months
    return {"name": p.name, "phone": p.phone, "web": p.web, "notes": p.notes,
            "catchup_every_months": str(every if every is not None else 3)}


def as_course_form(c: Course) -> dict:
    return {"title": c.title, "provider": c.provider, "site_code": c.site_code,
            "starts_on": c.starts_on.strftime("%d/%m/%Y") if c.starts_on else "",
            "ends_on": c.ends_on.strftime("%d/%m/%Y") if c.ends_on else "",
            "when_text": c.when_text, "description": c.description}
