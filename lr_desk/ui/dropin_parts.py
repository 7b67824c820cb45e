"""Parts of the drop-in form: the conversation with the needs as toggles, the panel for
the item chosen in the person's plan (their words, the referral, what the eligibility
and capacity checks say of its service with similar services to swap to, the reason for
referring all the same, and their consent to share, recorded in place when a referral
needs it), and the follow-up."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services.choices import PRESET, PRESETS, due_on
from lr_desk.services.directory import short_site_name
from lr_desk.services.eligibility import Verdict
from lr_desk.services.times import parse_time
from lr_desk.store.models import ESCALATION_REASONS, FOLLOWUP_WAYS, MODES
from lr_desk.ui import style
from lr_desk.ui.forms import Fields, check, combo, line_edit, set_combo, text_edit
from lr_desk.ui.service_gap import GapNotes

REFERRAL = {"": "Not referred", "suggested": "Suggested", "agreed": "Agreed",
            "sent": "Sent to the partner"}
ARROWS = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0),
          Qt.Key.Key_Down: (1, 0)}


class FocusLabel(QLabel):
    """A label whose Alt+letter moves the focus to its buddy and does nothing else: to a
    buddy that takes no focus itself but hands it on (Qt's label skips such a buddy), and
    without clicking a button (Qt's label ticks a tick box it is tied to)."""

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.Shortcut and self.buddy() is not None:
            self.buddy().setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.window().setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
            return True
        return super().event(e)


class NeedToggles(QWidget):
    """The needs raised, as a grid of tick boxes: one stop for Tab (the box last visited),
    arrow keys move between them, a letter jumps to the next need starting with it, Space
    ticks or unticks."""

    changed = Signal()

    def __init__(self, categories, columns: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Needs raised")
        # no stop itself (a screen reader would meet a filler): setFocus and its label's
        # Alt+N (a FocusLabel) go on to the box that is the stop (its focus proxy)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.columns = columns
        self.boxes: dict[str, QCheckBox] = {}
        self.order: list[QCheckBox] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(style.SPACE["m"])
        grid.setVerticalSpacing(style.SPACE["xs"])
        for i, cat in enumerate(categories):
            box = QCheckBox(cat.name.replace("&", "&&"))
            box.setAccessibleName(f"Need: {cat.name}")
            box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            box.installEventFilter(self)
            box.toggled.connect(lambda *_: self.changed.emit())
            grid.addWidget(box, i // columns, i % columns)
            self.boxes[cat.code] = box
        self.order = list(self.boxes.values())
        if self.order:
            self._stop(self.order[0])

    def _stop(self, box: QCheckBox) -> None:
        """Make ``box`` the one Tab stops at (as a group of radio buttons does)."""
        for other in self.order:
            other.setFocusPolicy(Qt.FocusPolicy.StrongFocus if other is box
                                 else Qt.FocusPolicy.ClickFocus)
        self.setFocusProxy(box)

    def values(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def set_values(self, codes) -> None:
        wanted = set(codes or ())
        for code, box in self.boxes.items():
            box.setChecked(code in wanted)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QCheckBox) or watched not in self.order:
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.FocusIn:
            self._stop(watched)
        elif event.type() == QEvent.Type.KeyPress and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            here = self.order.index(watched)
            target = None
            if event.key() in ARROWS:
                rows, cols = ARROWS[event.key()]
                step = rows * self.columns + cols
                target = here + step if 0 <= here + step < len(self.order) else None
            elif event.text()[:1].isalpha():
                letter = event.text()[:1].lower()
                after = self.order[here + 1:] + self.order[:here + 1]
                target = next((self.order.index(b) for b in after
                               if b.text().lower().startswith(letter)), None)
            if target is not None:
                self.order[target].setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if event.key() in ARROWS:
                return True  # at the edge: stay (the scroll area would scroll)
        return super().eventFilter(watched, event)


class ItemPanel(QWidget):
    """The item chosen in the plan: what and where (read from the directory, never typed
    again), their words, the referral, and consent to share when a referral needs it."""

    edited = Signal(str)  # the field's key
    consent_changed = Signal(bool)
    swap = Signal(str)  # a similar service's id, chosen instead
    SHOWN = 3  # warnings shown at the field; the rest in its tooltip
    NAME_WIDTH = 280  # a similar service's name on its button, at most (pixels)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("The item chosen")
        self.heading = style.heading(QLabel("Nothing chosen yet"), "subheading")
        self.heading.setWordWrap(True)
        self.info = style.note(QLabel("Add something from the directory, then choose it "
                                      "here to add their words."))
        self.info.setAccessibleName("Where and when")
        self.f = Fields(self.edited.emit)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.f.add(form, "why", "W&hy", line_edit("Why, in their words", "In their words"))
        self.f.add(form, "first_step", "&First step",
                   line_edit("First step", "What they will do first"))
        self.f.add(form, "target_date", "&By when",
                   line_edit("By when (a date)", "day/month/year, if they set one"))
        self.f.add(form, "referral", "&Referral", combo("Referral", REFERRAL))
        # referring past a blocking warning: why (after Referral in the Tab order)
        self.f.add(form, "override_reason", "Reason",
                   line_edit("Reason for referring all the same",
                             "Why refer, although the checks say not"))
        self.checks = style.message(QLabel(), "warning")
        self.checks.setAccessibleName("What the checks say")
        self.checks.setVisible(False)
        self.similar = QWidget()  # similar services, one under another
        similar_rows = QGridLayout(self.similar)
        similar_rows.setContentsMargins(0, 0, 0, 0)
        similar_rows.setVerticalSpacing(style.SPACE["xs"])
        similar_rows.addWidget(style.note(QLabel("Similar, with room:")), 0, 0, 1, 2)
        self.similar_buttons = []
        for n in range(self.SHOWN):
            button = QPushButton(f"&{n + 1} (a similar service)")
            button.setAccessibleName(f"Similar service {n + 1}: choose it instead")
            button.setVisible(False)
            button.clicked.connect(lambda _on=False, b=button: self.swap.emit(b.property("id")))
            similar_rows.addWidget(button, n + 1, 0)
            self.similar_buttons.append(button)
        similar_rows.setColumnStretch(1, 1)
        self.similar.setVisible(False)
        # consent, in place: a message and a tick box that keep their room when hidden,
        # so nothing moves under the advisor's hands
        self.consent_message = style.message(QLabel(), "warning")
        self.consent_message.setAccessibleName("Consent needed")
        self.consent = QCheckBox("They a&gree to share their information with this partner")
        self.consent.setAccessibleName("They agree to share their information with this "
                                       "partner")
        self.consent.toggled.connect(self.consent_changed.emit)
        for w in (self.consent_message, self.consent):
            policy = w.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            w.setSizePolicy(policy)
            w.setVisible(False)
        line = self.consent_message.fontMetrics().lineSpacing()
        self.consent_message.setMinimumHeight(2 * line + 4)
        self.consent_message.setSizePolicy(QSizePolicy.Policy.Preferred,
                                           QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.info)
        layout.addLayout(form)
        layout.addWidget(self.checks)
        layout.addWidget(self.similar)
        layout.addWidget(self.consent_message)
        layout.addWidget(self.consent)
        self.show_item(None)

    def show_item(self, raw: dict | None) -> None:
        """Show an item's values (None: nothing chosen); signals are held meanwhile."""
        self.asked = False
        for w in (*self.f.widgets.values(), self.consent):
            w.blockSignals(True)
        try:
            self.f.load({"why": (raw or {}).get("why", ""),
                         "first_step": (raw or {}).get("first_step", ""),
                         "target_date": (raw or {}).get("target_date", ""),
                         "referral": referral_of(raw or {}),
                         "override_reason": (raw or {}).get("override_reason", "")})
            self.consent.setChecked(bool((raw or {}).get("consent")))
        finally:
            for w in (*self.f.widgets.values(), self.consent):
                w.blockSignals(False)
        for w in self.f.widgets.values():
            w.setEnabled(raw is not None)
        can_refer = bool(raw and raw.get("service_id") and raw.get("kind") != "course")
        self.f.widgets["referral"].setEnabled(can_refer)
        if raw is None:
            self.heading.setText("Nothing chosen yet")
            self.info.setText("Add something from the directory, then choose it here to "
                              "add their words.")
        else:
            self.heading.setText(raw.get("title", ""))
            self.info.setText(raw.get("where_when", "") or "Their own step")
        self.f.show_errors({}, only_touched=False)
        self.show_checks(None, [])

    def show_checks(self, verdict: Verdict | None, similar: list[tuple[str, str]]) -> None:
        """What the checks say of the item's service (None: nothing to say), with up to
        three similar services, each (id, name), one click or Alt+digit to swap to; and
        the reason's field while the item is referred past a blocking warning."""
        warnings = verdict.warnings if verdict is not None else ()
        lines = [w.text for w in warnings[:self.SHOWN]]
        if len(warnings) > self.SHOWN:
            lines.append(f"and {len(warnings) - self.SHOWN} more (point here to read them)")
        text = "\n".join(lines)
        if verdict is not None and verdict.mark:
            text = f"{verdict.mark}: {text}"
        self.checks.setText(text)
        self.checks.setToolTip(verdict.words() if warnings else "")
        self.checks.setAccessibleDescription(verdict.words() if warnings else "")
        style.message(self.checks, "error" if verdict is not None and verdict.blocking
                      else "warning")
        self.checks.setVisible(bool(warnings))
        for n, button in enumerate(self.similar_buttons):
            shown = n < len(similar) and bool(warnings)
            button.setVisible(shown)
            if shown:
                service_id, name = similar[n]
                short = button.fontMetrics().elidedText(  # a long name: whole in its tip
                    name, Qt.TextElideMode.ElideRight, self.NAME_WIDTH)
                button.setText(f"&{n + 1} {short.replace('&', '&&')}")
                button.setAccessibleName(f"Choose {name} instead")
                button.setToolTip(f"Choose {name} instead (Alt+{n + 1})")
                button.setProperty("id", service_id)
        self.similar.setVisible(bool(warnings) and bool(similar))
        show_rows(self.f, ("override_reason",), bool(
            (self.asked or (verdict is not None and verdict.blocking)) and
            self.f.widgets["referral"].currentData()))

    def ask_reason(self) -> None:
        """The save asked for the reason (the form's checks not read yet): show it."""
        self.asked = True
        show_rows(self.f, ("override_reason",), True)

    def show_consent(self, reason: str | None, partner: str, agreed: bool) -> None:
        """Say, at the referral, that sending needs their consent to share (``reason``),
        with the tick box to record it now; or nothing."""
        self.consent_message.setVisible(bool(reason))
        self.consent.setVisible(bool(reason))
        if reason:
            self.consent_message.setText(
                f"Consent to share with {partner} will be recorded with this drop-in."
                if agreed else reason.replace("Record their consent first.",
                                              "Tick below if they agree now."))
            style.message(self.consent_message, "success" if agreed else "warning")
            self.consent.setAccessibleName(
                f"They agree to share their information with {partner}")

    def values(self) -> dict:
        v = self.f.values()
        referral = v.pop("referral")
        if not referral:
            v["override_reason"] = ""
        return {**v, "refer": bool(referral), "referral_status": referral or "suggested"}


def referral_of(raw: dict) -> str:
    return (raw.get("referral_status") or "suggested") if raw.get("refer") else ""


def show_rows(f: Fields, keys, on: bool) -> None:
    """Show (and turn on) the form rows of ``keys``, or hide them."""
    for key in keys:
        widget = f.widgets[key]
        widget.setEnabled(on)
        f.show_row(key, on)


def lines(widget: QWidget, count: int) -> None:
    """A box of a fixed number of lines: it never grows and pushes the form about."""
    widget.setFixedHeight(widget.fontMetrics().lineSpacing() * count + 14)


def follow_up_box(f: Fields, lists, advisor_id: str) -> tuple[QGroupBox, QCheckBox]:
    """The follow-up: a preset (which fills the date and the way), the date, a time typed
    any common way, the way and the advisor; and the tick box that closes their open
    follow-up (shown once one is found)."""
    box = QGroupBox("Follow-up")
    form = QFormLayout(box)
    f.add(form, "follow_up.preset", "Follow-&up",
          combo("Follow-up", {p.code: p.label for p in PRESETS}))
    f.add(form, "follow_up.due_date", "Dat&e", line_edit("Follow-up date", "day/month/year"))
    f.add(form, "follow_up.due_time", "&Time",
          line_edit("Follow-up time", "any time, e.g. 1030 or 2pm"))
    f.add(form, "follow_up.way", "Wa&y", combo("Follow-up way", FOLLOWUP_WAYS))
    f.add(form, "follow_up.assigned_to", "Advi&sor",
          combo("Follow-up advisor", {a.id: a.name for a in lists.advisors}))
    set_combo(f.widgets["follow_up.assigned_to"], advisor_id)
    close = QCheckBox("Mar&k their open follow-up as done")
    close.setAccessibleName("Mark their open follow-up as done")
    policy = close.sizePolicy()
    policy.setRetainSizeWhenHidden(True)  # appearing once loaded, it moves nothing
    close.setSizePolicy(policy)
    close.setVisible(False)
    form.addRow(close)
    return box, close


def preset_chosen(f: Fields, today: date, loading: bool) -> None:
    """A follow-up's preset chosen: the follow-up's fields on (off for none), and its date
    and way filled in (not while a draft is loading); "other" puts the keyboard at the date."""
    preset = PRESET.get(f.widgets["follow_up.preset"].currentData() or "none")
    on = preset.code != "none"
    for key in ("follow_up.due_date", "follow_up.due_time", "follow_up.way",
                "follow_up.assigned_to"):
        f.widgets[key].setEnabled(on)
    if not on or loading:
        return
    if preset.code != "other":
        due = due_on(today, preset.days)
        f.load({"follow_up.due_date": due.strftime("%d/%m/%Y"), "follow_up.way": preset.way})
    else:
        f.widgets["follow_up.due_date"].setFocus()


def tidy_time(box) -> None:
    """A time typed any common way, shown as 10:30 once the field is left."""
    try:
        tidy = parse_time(box.text())
    except ValueError:
        return  # said at the field by the check
    if tidy != box.text():
        box.setText(tidy)


def conversation_box(f: Fields, lists, site_code: str) -> tuple[QGroupBox, NeedToggles]:
    """The conversation: when, where and how (filled in: rarely changed), what matters in
    their words, the needs raised (and any no service could meet: ui.service_gap),
    private notes and an escalation."""
    conv = QGroupBox("The conversation")
    when = QHBoxLayout()
    left, right = QFormLayout(), QFormLayout()
    now = datetime.now()
    f.add(left, "conversation.date", "&Date", line_edit("Conversation date"))
    f.widgets["conversation.date"].setText(now.strftime("%d/%m/%Y"))
    f.add(left, "conversation.time", "T&ime", line_edit("Conversation time", "10:30"))
    f.widgets["conversation.time"].setText(now.strftime("%H:%M"))
    f.add(right, "conversation.site_code", "&Where",
          combo("Where", {s.code: short_site_name(s) for s in lists.sites}))
    set_combo(f.widgets["conversation.site_code"], site_code)
    f.add(right, "conversation.mode", "H&ow", combo("How we met", MODES))
    when.addLayout(left)
    when.addLayout(right)
    form = QFormLayout()
    f.add(form, "conversation.what_matters", "What &matters",
          text_edit("What matters to me", "In their own words"))
    lines(f.widgets["conversation.what_matters"], 3)
    needs = NeedToggles(lists.categories)
    needs_label = FocusLabel("&Needs raised")
    needs_label.setBuddy(needs)
    form.addRow(needs_label, needs)
    form.addRow("", GapNotes(needs, {c.code: c.name for c in lists.categories},
                             f.widgets["conversation.site_code"]))
    f.add(form, "conversation.private_notes", "&Private notes",
          text_edit("Private advisor notes", "Never printed on their sheet"))
    lines(f.widgets["conversation.private_notes"], 2)
    f.add(form, "conversation.escalated", "", check("Es&calate: something needs acting on"))
    f.add(form, "conversation.escalation_reason", "Reason",
          combo("Escalation reason", ESCALATION_REASONS, blank="Choose…"))
    f.add(form, "conversation.escalation_action", "Action taken",
          text_edit("Escalation action taken"))
    lines(f.widgets["conversation.escalation_action"], 2)
    conv_layout = QVBoxLayout(conv)
    conv_layout.addLayout(when)
    conv_layout.addLayout(form)
    conv_layout.addStretch(1)
    return conv, needs
