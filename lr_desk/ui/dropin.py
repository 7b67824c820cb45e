"""The drop-in as one flowing form: the conversation, the social prescription co-created
in it (with referrals), and the follow-up agreed. Keyboard only is fine: Tab moves on,
Alt+letter jumps to a field, Ctrl+S saves."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import consent, dropin
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import ESCALATION_REASONS, FOLLOWUP_WAYS, ITEM_KINDS, MODES
from lr_desk.ui.consent import ConsentOffer, events, offer_consent
from lr_desk.ui.context import Desk
from lr_desk.ui.forms import (
    ERROR_STYLE,
    EditorDialog,
    Fields,
    check,
    combo,
    line_edit,
    scrolled,
    set_combo,
    text_edit,
)
from lr_desk.ui.tasks import Tasks

OPENING = {"suggested": "Suggested", "agreed": "Agreed", "sent": "Sent"}
ITEM_FIELDS = ("kind", "link", "title", "why", "first_step", "target_date", "refer",
               "referral_status")


class DropInDialog(EditorDialog):
    def __init__(self, tasks: Tasks, desk: Desk, person, parent=None):
        super().__init__(tasks, f"dropin:{person.id}",
                         f"Drop-in with {person.display_name}", desk.autosave_seconds, parent)
        self.desk = desk
        self.person = person
        self.today = date.today()
        lists = desk.lists
        self.f = Fields(self.mark_dirty)
        f = self.f

        # 1. the conversation ----------------------------------------------------------
        conv = QGroupBox("1. The conversation")
        form = QFormLayout(conv)
        now = datetime.now()
        f.add(form, "conversation.date", "&Date", line_edit("Conversation date"))
        f.widgets["conversation.date"].setText(now.strftime("%d/%m/%Y"))
        f.add(form, "conversation.time", "&Time", line_edit("Conversation time", "HH:MM"))
        f.widgets["conversation.time"].setText(now.strftime("%H:%M"))
        f.add(form, "conversation.site_code", "&Where",
              combo("Where", {s.code: s.name for s in lists.sites}))
        set_combo(f.widgets["conversation.site_code"], desk.site_code)
        f.add(form, "conversation.mode", "H&ow", combo("How we met", MODES))
        self.needs = QStandardItemModel(self)
        for cat in lists.categories:
            item = QStandardItem(cat.name)
            item.setData(cat.code, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            self.needs.appendRow(item)
        self.needs.itemChanged.connect(self.mark_dirty)
        self.needs_view = QListView()
        self.needs_view.setModel(self.needs)
        self.needs_view.setAccessibleName("Needs raised (Space ticks one)")
        self.needs_view.setMinimumHeight(120)
        needs_label = QLabel("&Needs raised")
        needs_label.setBuddy(self.needs_view)
        form.addRow(needs_label, self.needs_view)
        f.add(form, "conversation.what_matters", "What &matters to me",
              text_edit("What matters to me", "In their own words"))
        f.add(form, "conversation.private_notes", "&Private notes",
              text_edit("Private advisor notes", "Never printed on their sheet"))
        f.add(form, "conversation.escalated", "", check("&Escalate: something needs acting on"))
        f.add(form, "conversation.escalation_reason", "Reason",
              combo("Escalation reason", ESCALATION_REASONS, blank="Choose…"))
        f.add(form, "conversation.escalation_action", "Action taken",
              text_edit("Escalation action taken"))

        # 2. the prescription ------------------------------------------------------------
        rx = QGroupBox("2. Their social prescription")
        rx_layout = QVBoxLayout(rx)
        self.items = QStandardItemModel(self)
        self.items_view = QListView()
        self.items_view.setModel(self.items)
        self.items_view.setAccessibleName("Prescription items")
        self.items_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items_view.setMaximumHeight(120)
        self.items_view.selectionModel().currentChanged.connect(self._item_selected)
        items_label = QLabel("Items so far (select one to change it)")
        items_label.setBuddy(self.items_view)
        self.items_error = QLabel()
        self.items_error.setStyleSheet(ERROR_STYLE)
        self.items_error.setWordWrap(True)
        self.items_error.setVisible(False)
        self.items_error.setAccessibleName("Message for prescription items")
        rx_layout.addWidget(items_label)
        rx_layout.addWidget(self.items_view)
        rx_layout.addWidget(self.items_error)

        self.item_f = Fields(self._item_changed)
        item_form = QFormLayout()
        self.item_f.add(item_form, "kind", "&Kind of item", combo("Kind of item", ITEM_KINDS))
        self.item_f.add(item_form, "link", "From the directo&ry",
                        combo("From the directory", {}, blank="(not in the directory)"))
        self.item_f.add(item_form, "title", "Descri&be it",
                        line_edit("Item description", "What it is, in plain words"))
        self.item_f.add(item_form, "why", "Wh&y (their words)", text_edit("Why, in their words"))
        self.item_f.add(item_form, "first_step", "&First step", text_edit("First step"))
        self.item_f.add(item_form, "target_date", "By when",
                        line_edit("Target date", "day/month/year"))
        self.item_f.add(item_form, "refer", "", check("Refer them to this partner &service"))
        self.item_f.add(item_form, "referral_status", "Referral status",
                        combo("Referral status", OPENING))
        rx_layout.addLayout(item_form)
        buttons = QHBoxLayout()
        self.add_item_button = QPushButton("&Add to prescription")
        self.add_item_button.setAccessibleName("Add item to prescription")
        self.add_item_button.clicked.connect(self.add_item)
        self.remove_item_button = QPushButton("Remo&ve item")
        self.remove_item_button.setAccessibleName("Remove selected item")
        self.remove_item_button.clicked.connect(self.remove_item)
        buttons.addWidget(self.add_item_button)
        buttons.addWidget(self.remove_item_button)
        buttons.addStretch(1)
        rx_layout.addLayout(buttons)
        self.item_f.widgets["kind"].currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self._editing_row: int | None = None

        # 3. the follow-up ---------------------------------------------------------------
        fu = QGroupBox("3. Follow-up")
        fu_form = QFormLayout(fu)
        f.add(fu_form, "follow_up.agreed", "", check("A follow-up is a&greed"))
        f.add(fu_form, "follow_up.due_date", "Fo&llow-up date",
              line_edit("Follow-up date", "day/month/year"))
        f.add(fu_form, "follow_up.due_time", "Follow-up time", line_edit("Follow-up time",
                                                                          "HH:MM"))
        f.add(fu_form, "follow_up.way", "Follow-up way", combo("Follow-up way", FOLLOWUP_WAYS))
        f.add(fu_form, "follow_up.assigned_to", "Wit&h",
              combo("Follow-up advisor", {a.id: a.name for a in lists.advisors}))
        set_combo(f.widgets["follow_up.assigned_to"], desk.advisor_id)
        f.widgets["follow_up.agreed"].toggled.connect(self._follow_up_toggled)
        self._follow_up_toggled(False)
        f.widgets["conversation.escalated"].toggled.connect(self._escalation_toggled)
        self._escalation_toggled(False)

        body = QWidget()
        v = QVBoxLayout(body)
        v.addWidget(conv)
        v.addWidget(rx)
        v.addWidget(fu)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scrolled(body, "Drop-in form"), 1)
        layout.addWidget(self.buttons)
        self.resize(720, 860)
        # a referral sent needs their consent to share: said at once where Sent is chosen
        self.sharing: consent.Sharing | None = None
        self.consent_offer = ConsentOffer(self, tasks, person.id, desk.advisor_id)
        events().recorded.connect(self._load_sharing)
        self._load_sharing()
        self.ready()
        f.widgets["conversation.what_matters"].setFocus()

    # -- sub-form for one item ------------------------------------------------------
    def _kind_changed(self, *_):
        kind = self.item_f.widgets["kind"].currentData()
        link = self.item_f.widgets["link"]
        link.blockSignals(True)
        link.clear()
        link.addItem("(not in the directory)", "")
        if kind == "course":
            for c in self.desk.lists.courses:
                where = self.desk.lists.site_name(c.site_code)
                example = " [example]" if c.is_example else ""
                link.addItem(f"{c.title} – {where}{example}", c.id)
        elif kind in ("partner_service", "volunteering", "peer_support"):
            for row in self.desk.lists.services:
                example = " [example]" if row.service.is_example else ""
                link.addItem(f"{row.partner.name}: {row.service.name}{example}", row.service.id)
        link.blockSignals(False)
        can_refer = kind != "course" and kind != "own_step"
        self.item_f.widgets["refer"].setEnabled(can_refer)
        if not can_refer:
            self.item_f.widgets["refer"].setChecked(False)
        self.item_f.widgets["referral_status"].setEnabled(
            can_refer and self.item_f.widgets["refer"].isChecked())

    def _item_changed(self, key: str) -> None:
        if key == "refer":
            self.item_f.widgets["referral_status"].setEnabled(
                self.item_f.widgets["refer"].isChecked())
        if key in ("refer", "referral_status", "link"):
            self._consent_check()
        if not self._loading:
            self.dirty = True

    def _item_raw(self) -> dict:
        v = self.item_f.values()
        kind = v["kind"]
        return {"kind": kind, "title": v["title"], "why": v["why"],
                "first_step": v["first_step"], "target_date": v["target_date"],
                "course_id": v["link"] if kind == "course" else "",
                "service_id": v["link"] if kind != "course" else "",
                "refer": v["refer"], "referral_status": v["referral_status"] or "suggested"}

    def _item_label(self, raw: dict) -> str:
        name = raw["title"] or self.desk.lists.known().services.get(raw["service_id"]) or \
            self.desk.lists.known().courses.get(raw["course_id"], "")
        text = f"{ITEM_KINDS.get(raw['kind'], '')}: {name}"
        if raw.get("refer"):
            text += f" (referral: {OPENING.get(raw['referral_status'], '')})"
        return text

    def add_item(self) -> bool:
        """Add (or update) the item in the sub-form; False if it needs correcting."""
        raw = self._item_raw()
        errors = self._check_items([raw])
        shown = {k.removeprefix("items.0."): v for k, v in errors.items()}
        self.item_f.show_errors({("link" if k in ("service_id", "course_id") else k): v
                                 for k, v in shown.items()}, only_touched=False)
        if errors:
            self.item_f.focus_first_error({("link" if k in ("service_id", "course_id") else k): v
                                           for k, v in shown.items()})
            return False
        row = QStandardItem(self._item_label(raw))
        row.setData(raw, Qt.ItemDataRole.UserRole)
        row.setEditable(False)
        if self._editing_row is not None and self._editing_row < self.items.rowCount():
            self.items.setItem(self._editing_row, row)
        else:
            self.items.appendRow(row)
        self._editing_row = None
        self.items_view.clearSelection()
        self.dirty = True
        self._clear_item_form()
        self.item_f.widgets["kind"].setFocus()
        self.show_errors(self.check(self.collect()), only_touched=True)
        return True

    def remove_item(self) -> None:
        index = self.items_view.currentIndex()
        if index.isValid():
            self.items.removeRow(index.row())
            # nothing is being edited now: clear the selection and the item's form, or the
            # next row would be loaded into it and saved a second time
            self.items_view.setCurrentIndex(QModelIndex())
            self._editing_row = None
            self._clear_item_form()
            self.dirty = True

    def _item_selected(self, current, _previous) -> None:
        if not current.isValid():
            return
        raw = current.data(Qt.ItemDataRole.UserRole)
        self._editing_row = current.row()
        self._loading = True
        try:
            self.item_f.load({"kind": raw["kind"]})
            self._kind_changed()
            self.item_f.load({**raw, "link": raw["course_id"] or raw["service_id"]})
        finally:
            self._loading = False
        self.add_item_button.setText("&Update item")

    def _clear_item_form(self) -> None:
        self._loading = True
        try:
            self.item_f.load({"title": "", "why": "", "first_step": "", "target_date": "",
                              "refer": False, "link": "", "referral_status": "suggested"})
            self.item_f.touched.clear()
            self.item_f.show_errors({}, only_touched=False)
        finally:
            self._loading = False
        self.add_item_button.setText("&Add to prescription")

    def _check_items(self, items: list[dict]) -> dict[str, str]:
        payload = {"conversation": {"site_code": self.desk.site_code, "mode": "drop_in",
                                    "date": self.today.strftime("%d/%m/%Y")}, "items": items}
        try:
            dropin.validate_drop_in(payload, self.today, self.desk.lists.known())
        except ValidationError as exc:
            return {k: v for k, v in exc.errors.items() if k.startswith("items.")}
        return {}

    def _load_sharing(self, *_person_id) -> None:
        pid = self.person.id
        self.tasks.run(lambda s: consent.sharing(s, pid), self._sharing_loaded)

    def _sharing_loaded(self, sharing: consent.Sharing) -> None:
        self.sharing = sharing
        self._consent_check()

    def _consent_check(self) -> None:
        """Say at the item's referral status when Sent needs their consent to share first,
        and offer to record it (the save checks again, against the store)."""
        if self.sharing is None:
            return
        raw = self._item_raw()
        sent = raw["refer"] and raw["referral_status"] == "sent"
        reason = self.sharing.reason(raw["service_id"]) if sent else None
        label = self.item_f.errors["referral_status"]
        label.setText(reason or "")
        label.setVisible(bool(reason))
        self.item_f.widgets["referral_status"].setAccessibleDescription(reason or "")
        sending = [i["service_id"] for i in (*self.collect()["items"], raw)
                   if i.get("refer") and i.get("referral_status") == "sent"]
        self.consent_offer.offer(self.sharing.blocked(sending))

    # -- the whole form ---------------------------------------------------------------
    def _follow_up_toggled(self, on: bool) -> None:
        for key in ("follow_up.due_date", "follow_up.due_time", "follow_up.way",
                    "follow_up.assigned_to"):
            self.f.widgets[key].setEnabled(on)

    def _escalation_toggled(self, on: bool) -> None:
        for key in ("conversation.escalation_reason", "conversation.escalation_action"):
            self.f.widgets[key].setEnabled(on)

    def collect(self) -> dict:
        v = self.f.values()
        conv = {k.removeprefix("conversation."): val for k, val in v.items()
                if k.startswith("conversation.")}
        conv["needs"] = [self.needs.item(r).data(Qt.ItemDataRole.UserRole)
                         for r in range(self.needs.rowCount())
                         if self.needs.item(r).checkState() == Qt.CheckState.Checked]
        items = [self.items.item(r).data(Qt.ItemDataRole.UserRole)
                 for r in range(self.items.rowCount())]
        follow = None
        if v["follow_up.agreed"]:
            follow = {k.removeprefix("follow_up."): val for k, val in v.items()
                      if k.startswith("follow_up.") and k != "follow_up.agreed"}
        return {"conversation": conv, "items": items, "follow_up": follow,
                "pending_item": self._item_raw(), "editing_row": self._editing_row}

    def restore(self, payload: dict) -> None:
        conv = payload.get("conversation", {})
        self.f.load({f"conversation.{k}": val for k, val in conv.items() if k != "needs"})
        wanted = set(conv.get("needs", []))
        for r in range(self.needs.rowCount()):
            item = self.needs.item(r)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in wanted else Qt.CheckState.Unchecked)
        self.items.clear()
        for raw in payload.get("items", []):
            row = QStandardItem(self._item_label(raw))
            row.setData(raw, Qt.ItemDataRole.UserRole)
            row.setEditable(False)
            self.items.appendRow(row)
        follow = payload.get("follow_up")
        self.f.load({"follow_up.agreed": bool(follow)})
        if follow:
            self.f.load({f"follow_up.{k}": val for k, val in follow.items()})
        pending = payload.get("pending_item")
        if pending:
            self.item_f.load({"kind": pending.get("kind", "")})
            self._kind_changed()
            self.item_f.load({**pending, "link": pending.get("course_id") or
                              pending.get("service_id", "")})
        # an item being changed stays the one being changed (not added a second time)
        editing = payload.get("editing_row")
        self._editing_row = editing if isinstance(editing, int) else None
        if self._editing_row is not None:
            self.add_item_button.setText("&Update item")

    def validate(self, payload: dict) -> None:
        dropin.validate_drop_in(payload, self.today, self.desk.lists.known())

    def show_errors(self, errors, only_touched) -> None:
        self.f.show_errors(errors, only_touched)
        item_errors = sorted((k, v) for k, v in errors.items() if k.startswith("items."))
        text = "\n".join(f"Item {int(k.split('.')[1]) + 1}: {v}" for k, v in item_errors)
        if "conversation.needs" in errors:
            text = errors["conversation.needs"] + ("\n" + text if text else "")
        self.items_error.setText(text)
        self.items_error.setVisible(bool(text))

    def save(self) -> None:
        # an item typed but not yet added is added first, rather than silently dropped
        pending = self._item_raw()
        typed = any(pending[k] for k in ("title", "why", "first_step", "target_date",
                                          "service_id", "course_id"))
        if typed and not self.add_item():
            self.show_notice("Please finish or clear the item you were adding.")
            return
        super().save()

    def save_failed(self, exc: BaseException) -> bool:
        offer_consent(self, exc, self.desk.advisor_id)  # Sent held back: offer to record it
        return super().save_failed(exc)

    def submit(self, payload: dict) -> None:
        person_id, advisor_id, today = self.person.id, self.desk.advisor_id, self.today
        data = {k: v for k, v in payload.items() if k not in ("pending_item", "editing_row")}
        self.tasks.run(lambda s: dropin.record_drop_in(s, person_id, advisor_id, data, today),
                       self.saved_ok, self.save_failed)
