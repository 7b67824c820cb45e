"""The drop-in, built for speed at the desk: the conversation and the needs raised (tick
boxes: a letter jumps, Space ticks), the plan added from one search-as-you-type picker
over the directory (Enter adds; a course's day and time come from the directory), each
item's words and referral beside it, consent to share recorded in place when a referral
needs it, a follow-up from presets, and Enter saves; the wellbeing questions on a page of
their own (ui.dropin_wellbeing). It scrolls inside a fixed frame with Save and Cancel
always on screen, and reopens at the size it was left."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import choices, consent, dates, dropin
from lr_desk.services.choices import Choice
from lr_desk.services.context import Desk
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import FOLLOWUP_WAYS, ITEM_KINDS
from lr_desk.ui import style
from lr_desk.ui.consent import events
from lr_desk.ui.dropin_checks import Checks
from lr_desk.ui.dropin_parts import (
    REFERRAL,
    ItemPanel,
    conversation_box,
    follow_up_box,
    lines,
    preset_chosen,
    show_rows,
    tidy_time,
)
from lr_desk.ui.dropin_wellbeing import DropInPages
from lr_desk.ui.forms import EditorDialog, Fields
from lr_desk.ui.picker import Picker
from lr_desk.ui.tasks import Tasks

SIZE = QSize(1240, 640)  # fits 1280x720 (less a taskbar and a title bar) at 100%


class DropInDialog(EditorDialog):
    def __init__(self, tasks: Tasks, desk: Desk, person, parent=None):
        super().__init__(tasks, f"dropin:{person.id}",
                         f"Drop-in with {person.display_name}", desk.autosave_seconds, parent)
        self.desk, self.person = desk, person
        self.today = date.today()
        self.sharing: consent.Sharing | None = None
        self.open_follow_up: dropin.OpenFollowUp | None = None
        self.f = f = Fields(self.mark_dirty)
        lists = desk.lists

        conv, self.needs = conversation_box(f, lists, desk.site_code)
        self.needs.changed.connect(self.mark_dirty)

        # the plan ---------------------------------------------------------------------
        plan = QGroupBox("Their plan")
        self.picker = Picker()
        # the directory's entries are made ready once the form is on screen and typing
        QTimer.singleShot(0, self, lambda: self.picker.set_choices(choices.build(
            lists.courses, lists.services, lists.sites, self.today)))
        self.picker.chosen.connect(self.add_choice)
        self.picker.box.textChanged.connect(self.mark_dirty)  # kept in the draft too
        picker_label = QLabel("&Add from the directory (Enter adds)")
        picker_label.setBuddy(self.picker.box)
        self.items = QStandardItemModel(self)
        self.items_view = QListView()
        self.items_view.setModel(self.items)
        self.items_view.setAccessibleName("In their plan")
        self.items_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items_view.setWordWrap(True)
        lines(self.items_view, 5)
        self.items_view.selectionModel().currentChanged.connect(self._item_selected)
        items_label = QLabel("In their p&lan")
        items_label.setBuddy(self.items_view)
        self.remove_button = QPushButton("Remo&ve")
        self.remove_button.setAccessibleName("Remove the chosen item from their plan")
        self.remove_button.clicked.connect(self.remove_item)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.items_view, activated=self.remove_item,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.items_error = style.message(QLabel(), "error")
        self.items_error.setAccessibleName("Message for their plan")
        self.items_error.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(items_label, 1)
        row.addWidget(self.remove_button)
        plan_layout = QVBoxLayout(plan)
        plan_layout.addWidget(picker_label)
        plan_layout.addWidget(self.picker)
        plan_layout.addLayout(row)
        plan_layout.addWidget(self.items_view)
        plan_layout.addWidget(self.items_error)
        plan_layout.addStretch(1)

        # the item chosen, and the follow-up -------------------------------------------
        item_box = QGroupBox("The item chosen")
        self.panel = ItemPanel()
        self.item_f = self.panel.f
        self.panel.edited.connect(self._item_edited)
        self.panel.consent_changed.connect(lambda _on: self._item_edited("consent"))
        QVBoxLayout(item_box).addWidget(self.panel)
        self.checks = Checks(self)  # eligibility and load, for the picker and the item
        fu, self.close_open = follow_up_box(f, lists, desk.advisor_id)
        self.close_open.toggled.connect(self.mark_dirty)
        f.widgets["follow_up.preset"].currentIndexChanged.connect(self._preset_chosen)
        f.widgets["follow_up.due_time"].editingFinished.connect(
            lambda: tidy_time(f.widgets["follow_up.due_time"]))
        f.widgets["conversation.escalated"].toggled.connect(self._escalation_toggled)
        right_column = QVBoxLayout()
        right_column.addWidget(item_box)
        right_column.addWidget(fu)
        right_column.addStretch(1)

        body = QWidget()
        columns = QHBoxLayout(body)
        columns.addWidget(conv, 4)
        columns.addWidget(plan, 4)
        columns.addLayout(right_column, 4)
        layout = QVBoxLayout(self)
        self.pages = DropInPages(body, self.mark_dirty)  # and the wellbeing questions
        layout.addWidget(self.pages, 1)
        bottom = QHBoxLayout()  # messages beside Save: they never push the form about
        bottom.addWidget(self.banner, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)
        self.remember_size("dropin", SIZE)
        self._escalation_toggled(False)
        self._preset_chosen()
        self._item_selected(QModelIndex(), QModelIndex())
        events().recorded.connect(self._load_sharing)
        changed = getattr(tasks, "changed", None)  # the desk's announcement, where it has one
        if changed is not None:
            changed.connect(self.on_changed)
        pid = person.id
        self.tasks.run(lambda s: (consent.sharing(s, pid), dropin.open_follow_up(s, pid)),
                       self._loaded)
        self.checks.load()
        self.ready()
        f.widgets["conversation.what_matters"].setFocus()

    # -- what is loaded when it opens ---------------------------------------------------
    def _loaded(self, found) -> None:
        self.sharing, self.open_follow_up = found
        self._consent_check()
        fu = self.open_follow_up
        if fu is not None:
            way = FOLLOWUP_WAYS.get(fu.way, "").lower()
            due = dates.day(fu.due_date, self.today)
            self.close_open.setText(f"Mar&k their follow-up due {due}"
                                    f"{' (' + way + ')' if way else ''} as done")
            self.close_open.setAccessibleName(self.close_open.text().replace("&", ""))
            self.close_open.setVisible(True)

    def _load_sharing(self, *_person_id) -> None:
        pid = self.person.id
        self.tasks.run(lambda s: consent.sharing(s, pid), self._sharing_loaded)

    def _sharing_loaded(self, sharing: consent.Sharing) -> None:
        self.sharing = sharing
        self._consent_check()

    def on_changed(self, changed) -> None:
        """The desk's announcement of a change: consent recorded elsewhere counts here."""
        if changed.touches("consent", "partner_service", "partner"):
            self._load_sharing()
        self.checks.on_changed(changed)

    # -- the plan -------------------------------------------------------------------------
    def add_choice(self, value: Choice | str) -> None:
        """Add what the picker gave (a directory entry, or their own step's words) and
        choose it, so their words and the referral can be added beside it."""
        if isinstance(value, Choice):
            raw = {"kind": value.kind, "title": value.title,
                   "course_id": value.id if value.kind == "course" else "",
                   "service_id": value.id if value.kind != "course" else "",
                   "where_when": value.line}
        else:
            raw = {"kind": "own_step", "title": value, "course_id": "", "service_id": "",
                   "where_when": ""}
        raw.update({"why": "", "first_step": "", "target_date": "", "refer": False,
                    "referral_status": "suggested", "consent": False})
        self.items.appendRow(self._row(raw))
        self.items_view.setCurrentIndex(self.items.index(self.items.rowCount() - 1, 0))
        self.mark_dirty()

    def _row(self, raw: dict) -> QStandardItem:
        row = QStandardItem(self._label(raw))
        row.setData(raw, Qt.ItemDataRole.UserRole)
        row.setEditable(False)
        row.setToolTip(raw.get("where_when", ""))
        return row

    def _label(self, raw: dict) -> str:
        text = f"{ITEM_KINDS.get(raw['kind'], '')}: {raw.get('title', '')}"
        if raw.get("refer"):
            text += f" (referral: {REFERRAL.get(raw.get('referral_status', ''), '')})"
        return text

    def _current(self) -> QStandardItem | None:
        index = self.items_view.currentIndex()
        return self.items.item(index.row()) if index.isValid() else None

    def _item_selected(self, current, _previous=None) -> None:
        row = self.items.item(current.row()) if current.isValid() else None
        self.panel.show_item(row.data(Qt.ItemDataRole.UserRole) if row else None)
        self.remove_button.setEnabled(row is not None)
        self._consent_check()
        self.checks.show()

    def _item_edited(self, key: str) -> None:
        row = self._current()
        if row is None:
            return
        raw = {**row.data(Qt.ItemDataRole.UserRole), **self.panel.values(),
               "consent": self.panel.consent.isChecked()}
        row.setData(raw, Qt.ItemDataRole.UserRole)
        row.setText(self._label(raw))
        self.item_f.touched.add(key)
        self._consent_check()
        self.checks.show()
        self.mark_dirty()

    def remove_item(self) -> None:
        index = self.items_view.currentIndex()
        if index.isValid():
            self.items.removeRow(index.row())
            self._item_selected(self.items_view.currentIndex())
            self.mark_dirty()

    def _consent_check(self) -> None:
        """At the chosen item's referral: sent without their consent to share, say so and
        offer the tick box that records it with this drop-in."""
        row = self._current()
        raw = row.data(Qt.ItemDataRole.UserRole) if row else {}
        sending = raw.get("refer") and raw.get("referral_status") == "sent"
        reason = self.sharing.reason(raw.get("service_id")) if sending and self.sharing \
            else None
        partner = self.sharing.partner_of.get(raw.get("service_id"), ("", ""))[1] \
            if reason else ""
        self.panel.show_consent(reason, partner, bool(raw.get("consent")))

    # -- the follow-up --------------------------------------------------------------------
    def _preset_chosen(self, *_args) -> None:
        preset_chosen(self.f, self.today, self._loading)

    def _escalation_toggled(self, on: bool) -> None:
        """The reason and the action, only while escalating (the last rows of their
        column: showing them moves nothing typed)."""
        show_rows(self.f, ("conversation.escalation_reason",
                           "conversation.escalation_action"), on)

    # -- the whole form -----------------------------------------------------------------
    def collect(self) -> dict:
        v = self.f.values()
        conv = {k.removeprefix("conversation."): val for k, val in v.items()
                if k.startswith("conversation.")}
        conv["needs"] = self.needs.values()
        items = [self._consent_wanted(self.items.item(r).data(Qt.ItemDataRole.UserRole))
                 for r in range(self.items.rowCount())]
        preset = v["follow_up.preset"] or "none"
        follow = None
        if preset != "none":
            follow = {k.removeprefix("follow_up."): val for k, val in v.items()
                      if k.startswith("follow_up.") and k != "follow_up.preset"}
        close = self.open_follow_up.id if self.open_follow_up and \
            self.close_open.isChecked() else ""
        return {"conversation": conv, "items": items, "follow_up": follow, "preset": preset,
                "close_follow_up": close, "picker": self.picker.box.text(),
                "wellbeing": self.pages.values()}

    def _consent_wanted(self, raw: dict) -> dict:
        """Consent ticked counts only while the referral is sent and still needs it."""
        wanted = bool(raw.get("consent") and raw.get("refer") and
                      raw.get("referral_status") == "sent" and
                      (self.sharing is None or self.sharing.reason(raw.get("service_id"))))
        return raw if wanted == bool(raw.get("consent")) else {**raw, "consent": wanted}

    def restore(self, payload: dict) -> None:
        conv = payload.get("conversation") or {}
        self.f.load({f"conversation.{k}": val for k, val in conv.items() if k != "needs"})
        self.needs.set_values(conv.get("needs") or ())
        self.items.clear()
        for raw in payload.get("items") or ():
            if isinstance(raw, dict):
                self.items.appendRow(self._row(raw))
        follow = payload.get("follow_up")
        self.f.load({"follow_up.preset": payload.get("preset") or
                     ("other" if follow else "none")})
        if isinstance(follow, dict):
            self.f.load({f"follow_up.{k}": val for k, val in follow.items()})
        self._preset_chosen()
        self._item_selected(self.items_view.currentIndex())
        if isinstance(payload.get("picker"), str):  # typed there, not added yet
            self.picker.box.setText(payload["picker"])
        self.pages.set_values(payload.get("wellbeing"))

    def validate(self, payload: dict) -> None:
        errors: dict[str, str] = {}
        try:
            dropin.validate_drop_in(payload, self.today, self.desk.lists.known(),
                                    self.checks.checker)
        except ValidationError as exc:
            errors.update(exc.errors)
        if self.sharing is not None:  # sent without consent: said before the save tries
            for i, item in enumerate(payload["items"]):
                if item.get("refer") and item.get("referral_status") == "sent" and \
                        not item.get("consent"):
                    reason = self.sharing.reason(item.get("service_id"))
                    if reason:
                        errors.setdefault(f"items.{i}.referral_status", reason)
        if errors:
            raise ValidationError(errors)

    def show_errors(self, errors, only_touched) -> None:
        self.f.show_errors(errors, only_touched)
        self.pages.show_errors(errors)
        if only_touched:  # as they type: consent is asked for in place, not said twice
            errors = {k: v for k, v in errors.items() if not k.endswith(".override_reason")
                      and not (k.endswith(".referral_status") and "agreed to share" in v)}
        item_errors = sorted((k, v) for k, v in errors.items() if k.startswith("items."))
        lines = [f"Item {int(k.split('.')[1]) + 1}: {v}" for k, v in item_errors]
        if "conversation.needs" in errors:
            lines.insert(0, errors["conversation.needs"])
        text = "\n".join(dict.fromkeys(lines))
        self.items_error.setText(text)
        self.items_error.setVisible(bool(text))
        style.mark_error(self.items_view, bool(item_errors))
        row = self.items_view.currentIndex().row()
        mine = {k.split(".", 2)[2]: v for k, v in item_errors if int(k.split(".")[1]) == row}
        mine["referral"] = mine.pop("referral_status", "") or mine.pop("service_id", "")
        if self.panel.consent.isVisible():  # the reason is said there already
            mine.pop("referral")
        if mine.get("override_reason"):  # asked by the save (the checks not read yet)
            self.panel.ask_reason()
        self.item_f.show_errors({k: v for k, v in mine.items() if v}, only_touched=False)

    def focus_error(self, errors) -> None:
        if self.pages.focus_error(errors):  # the wellbeing questions' page, if only theirs
            return
        fields = [k for k in self.f.widgets if k in errors]
        items = sorted(k for k in errors if k.startswith("items."))
        if items and not (fields and fields[0].startswith("conversation.")):
            row = int(items[0].split(".")[1])
            self.items_view.setCurrentIndex(self.items.index(row, 0))
            self.show_errors(errors, only_touched=False)
            key = items[0].split(".", 2)[2]
            widget = {"why": "why", "first_step": "first_step", "target_date": "target_date",
                      "override_reason": "override_reason"}.get(key, "referral")
            target = self.item_f.widgets[widget]
            (target if target.isEnabled() else self.items_view).setFocus(
                Qt.FocusReason.OtherFocusReason)
            return
        self.f.focus_first_error(errors)

    def save(self) -> None:
        typed = " ".join(self.picker.box.text().split())
        if typed and not self._saving:  # typed in the picker, not added: not dropped
            self.show_notice(f"“{typed}” is not in their plan yet: press Enter to add it, "
                             "or Escape to clear it.")
            self.picker.box.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().save()

    def submit(self, payload: dict) -> None:
        person_id, advisor_id, today = self.person.id, self.desk.advisor_id, self.today
        data = {k: v for k, v in payload.items() if k not in ("preset", "picker")}
        self.tasks.run(lambda s: dropin.record_drop_in(s, person_id, advisor_id, data, today),
                       self.saved_ok, self.save_failed)

    def saved_ok(self, result) -> None:
        super().saved_ok(result)
        if any(i.get("consent") for i in self.collect()["items"]):
            events().recorded.emit(self.person.id)  # the person's page shows it
