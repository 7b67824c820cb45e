"""The top of a person's page: who they are, and what is going on with them, in a frame a
glance can take (name, age, preferred name, communication needs, consent in force, open
referrals with their status, the next follow-up, how to reach them)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from lr_desk.services import nhs_number
from lr_desk.services.desk import PersonView
from lr_desk.store.models import BENEFITS, REFERRAL_SOURCES
from lr_desk.ui import style

MOST_SHOWN = 3  # of the open referrals, or the consents: the rest are counted


def _value(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def _some(items: list[str], none: str) -> str:
    if not items:
        return none
    shown = items[:MOST_SHOWN]
    more = len(items) - len(shown)
    return "\n".join(shown) + (f"\nand {more} more (in the history below)" if more else "")


class PersonSummary(QFrame):
    """The summary frame (objectName ``summary``, drawn by ui.style). ``heading``,
    ``details`` and ``comms`` are the labels an erased record blanks (ui.erase)."""

    FIELDS = (("name_line", "Name"), ("age", "Age"), ("comms", "Communication"),
              ("consent", "Consent"), ("referrals", "Open referrals"),
              ("follow_up", "Next follow-up"), ("details", "Contact"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("summary")
        self.setAccessibleName("Summary")
        self.heading = style.heading(QLabel("Loading…"))
        self.heading.setAccessibleName("Person's name")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.values: dict[str, QLabel] = {key: _value(words) for key, words in self.FIELDS}
        self.captions: dict[str, QLabel] = {}
        self.details = self.values["details"]
        self.details.setAccessibleName("Person's details")
        self.comms = self.values["comms"]
        self.comms.setAccessibleName("Communication needs")

        grid = QGridLayout()
        grid.setHorizontalSpacing(style.SPACE["l"])
        grid.setVerticalSpacing(style.SPACE["xs"])
        # two columns of caption and value: who they are (left), what is going on (right)
        places = {"name_line": (0, 0), "age": (1, 0), "comms": (2, 0), "consent": (3, 0),
                  "referrals": (0, 2), "follow_up": (1, 2), "details": (2, 2)}
        for key, words in self.FIELDS:
            caption = style.note(QLabel(words))
            caption.setWordWrap(False)
            caption.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.captions[key] = caption
            row, column = places[key]
            grid.addWidget(caption, row, column, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.values[key], row, column + 1,
                           (2 if key == "details" else 1), 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        layout = QVBoxLayout(self)
        m = style.SPACE["m"]
        layout.setContentsMargins(m, style.SPACE["s"], m, style.SPACE["s"])
        layout.setSpacing(style.SPACE["s"])
        layout.addLayout(top)
        layout.addLayout(grid)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _row(self, key: str, text: str) -> None:
        self.values[key].setText(text)
        for widget in (self.values[key], self.captions[key]):
            widget.setVisible(bool(text))

    def show_view(self, view: PersonView) -> None:
        p, s = view.person, view.summary
        self.heading.setText(p.display_name)
        erased = p.erased_at is not None
        for key, _ in self.FIELDS:  # an erased record shows only what ui.erase says
            self.captions[key].setVisible(not erased)
        if erased or s is None:
            for key, _ in self.FIELDS:
                self._row(key, "")
            self.details.setVisible(True)
            return
        self._row("name_line", f"{s.full_name} (prefers {s.preferred_name})"
                  if s.preferred_name else "")
        born = f"{s.age} (born {p.date_of_birth:%d/%m/%Y})" if s.age is not None else \
            "Date of birth not known"
        self._row("age", born)
        self._row("comms", ", ".join(s.communication) if s.communication else "None noted")
        self._row("consent", _some([f"{what}: {'given' if given else 'withdrawn'}"
                                    for what, given in s.consent], "None recorded yet"))
        self._row("referrals", _some(s.open_referrals, "None"))
        self._row("follow_up", s.next_follow_up or "None agreed")
        _warn(self.values["follow_up"], s.follow_up_overdue)
        self._row("details", _contact(view))


def _warn(label: QLabel, on: bool) -> None:
    """An overdue follow-up in the warning style (its words say so too)."""
    if on:
        style.message(label, "warning")
    elif label.property("role"):
        label.setProperty("role", None)
        label.style().unpolish(label)
        label.style().polish(label)


def _contact(view: PersonView) -> str:
    p = view.person
    lines = [f"{label}: {value}" for label, value in
             (("Phone", p.phone), ("Email", p.email), ("Postcode", p.postcode),
              ("NHS number", nhs_number.shown(p.nhs_number))) if value]
    source = REFERRAL_SOURCES.get(p.referral_source, p.referral_source)
    if p.referral_source_detail:
        source += f" ({p.referral_source_detail})"
    lines.append(f"Came to us: {source}")
    flags = [t for t, on in (("Mersey Care service user", p.service_user),
                             ("Carer", p.carer)) if on]
    if flags:
        lines.append(", ".join(flags))
    # (services' checks need it: "not asked" says so, rather than nothing)
    lines.append(BENEFITS.get(p.on_benefits, "Benefits: not asked"))
    return "\n".join(lines)
