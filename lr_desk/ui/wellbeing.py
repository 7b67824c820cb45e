"""The wellbeing measures asked as the person answers them (services.wellbeing): SWEMWBS's
seven statements with their five answers, and ONS4's four questions from 0 to 10, each
a row of radio buttons under the answers' words, shown verbatim, with SWEMWBS's
copyright notice under its statements.

At the keyboard each row is one Tab stop: a digit answers it and moves to the next row
(ONS4's 10 is 1 then 0), Left and Right change the answer, Up and Down move between the
rows, Delete or Backspace takes the answer away (the person would rather not say). Any
question may be left unanswered: SWEMWBS then says it has no total, never a guessed
one; with all seven answered it shows the raw total and the metric score as they are
given. ONS4's answers each show their ONS band, and are never added up. "Clear" empties
a measure. Used in the drop-in (ui.dropin_wellbeing) and at Follow-up done
(ui.person_steps)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import wellbeing
from lr_desk.services.wellbeing import MEASURES, Measure
from lr_desk.ui import style

WORDS_WIDTH = 380  # pixels: a question wraps beyond this
TEN_AFTER = 1.5  # seconds: ONS4's "1" then "0" within this is 10
MOVES = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}
ROWS = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}
ERROR_KEY = "wellbeing"  # field errors: "wellbeing.<measure>" or "wellbeing.<measure>.<item>"


def error_key(measure: str, item: str = "") -> str:
    return f"{ERROR_KEY}.{measure}.{item}" if item else f"{ERROR_KEY}.{measure}"


class Answer(QRadioButton):
    """One answer to one question: its keys are its measure's (MeasureBox.key)."""

    def __init__(self, box: MeasureBox):
        super().__init__()
        self.box = box

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.box.key(self, event):
            super().keyPressEvent(event)


class MeasureBox(QGroupBox):
    """One measure's questions: a grid of radio buttons, one row per question."""

    changed = Signal()
    finished = Signal()  # the last row answered from the keyboard: the next measure next

    def __init__(self, measure: Measure, parent: QWidget | None = None):
        super().__init__(measure.title, parent)
        self.measure = m = measure
        self.setAccessibleName(m.title)
        self.values_ = [value for value, _words in m.answers]
        self.groups: dict[str, QButtonGroup] = {}
        self.radios: dict[str, list[QRadioButton]] = {}
        self.texts: dict[str, QLabel] = {}
        self.bands: dict[str, QLabel] = {}
        self._one: tuple[str, float] | None = None  # ("4", when): a "1" that may be 10
        intro = style.note(QLabel(m.intro))
        grid = QGridLayout()
        grid.setHorizontalSpacing(style.SPACE["s"])
        grid.setVerticalSpacing(style.SPACE["s"])
        narrow = len(self.values_) > 6  # ONS4: numbers, words at the ends only
        for column, (value, words) in enumerate(m.answers, start=1):
            text = (words if words != str(value) else "") if narrow else f"{value}\n{words}"
            head = QLabel(f"{value}\n{text}" if narrow else text)
            head.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
            style.note(head).setWordWrap(not narrow)
            if not narrow:
                head.setMinimumWidth(head.fontMetrics().horizontalAdvance("Some of the"))
            grid.addWidget(head, 0, column)
        for row, (key, statement) in enumerate(m.items, start=1):
            label = QLabel(statement)
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self.texts[key] = label
            grid.addWidget(label, row, 0)
            group = QButtonGroup(self)
            group.setExclusive(True)
            buttons = []
            for column, (value, words) in enumerate(m.answers, start=1):
                radio = Answer(self)
                said = f"{value}, {words}" if words != str(value) else str(value)
                radio.setAccessibleName(f"{m.item_name(key)}: {said}")
                radio.setToolTip(f"{said} (a digit answers; Delete: no answer)")
                radio.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
                group.addButton(radio, value)
                grid.addWidget(radio, row, column, Qt.AlignmentFlag.AlignHCenter)
                buttons.append(radio)
            group.idToggled.connect(lambda _id, on, k=key: on and self._answered(k))
            self.groups[key], self.radios[key] = group, buttons
            if m.code == wellbeing.ONS4:
                band = style.note(QLabel())
                band.setWordWrap(False)
                band.setMinimumWidth(band.fontMetrics().horizontalAdvance("Very high"))
                self.bands[key] = band
                grid.addWidget(band, row, len(self.values_) + 1)
            self._stop(key)
        grid.setColumnStretch(len(self.values_) + 2, 1)  # the answers close to the words
        longest = max(label.fontMetrics().horizontalAdvance(t) for _k, t in m.items)
        grid.setColumnMinimumWidth(0, min(longest + 8, WORDS_WIDTH))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(f"{m.title}: what the answers come to")
        self.error = style.message(QLabel(), "error")
        self.error.setAccessibleName(f"Message for {m.title}")
        self.error.setVisible(False)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName(f"Clear the {m.title} answers")
        self.clear_button.setToolTip("Take away every answer to these questions")
        self.clear_button.clicked.connect(self.clear)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["s"])
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addLayout(bottom)
        layout.addWidget(self.error)
        if m.notice:  # Warwick's terms: shown wherever the statements are
            notice = style.note(QLabel(m.notice))
            notice.setAccessibleName("Copyright notice")
            layout.addWidget(notice)
        self._show_summary()

    # -- the answers ----------------------------------------------------------------------
    def values(self) -> dict[str, int]:
        """The answers given, item key -> answer; questions not answered are left out."""
        return {key: group.checkedId() for key, group in self.groups.items()
                if group.checkedId() != -1}

    def set_values(self, answers) -> None:
        """Show ``answers`` (as ``values`` gives them; anything unreadable is left out)."""
        answers = answers if isinstance(answers, dict) else {}
        for key, group in self.groups.items():
            value = answers.get(key)
            button = group.button(value) if isinstance(value, int) and \
                not isinstance(value, bool) and value in self.values_ else None
            if button is not None:
                button.setChecked(True)
            else:
                self._unanswer(key)
            self._stop(key)
        self._show_summary()

    def clear(self) -> None:
        for key in self.groups:
            self._unanswer(key)
            self._stop(key)
        self._show_summary()
        self.changed.emit()

    def _unanswer(self, key: str) -> None:
        group = self.groups[key]
        checked = group.checkedButton()
        if checked is not None:  # (an exclusive group keeps one on: let it go)
            group.setExclusive(False)
            checked.setChecked(False)
            group.setExclusive(True)

    def _answered(self, key: str) -> None:
        self._stop(key)
        self._show_summary()
        self.changed.emit()

    def _show_summary(self) -> None:
        m, answers = self.measure, self.values()
        for key, band in self.bands.items():
            band.setText(wellbeing.ons4_band(key, answers[key]) if key in answers else "")
        missing = len(m.items) - len(answers)
        if not answers:
            text = "Not answered (every question may be left out)."
        elif m.code == wellbeing.SWEMWBS:
            total = wellbeing.raw_total(m.code, answers)
            if total is None:
                text = ("No total: an item was not answered." if missing == 1 else
                        f"No total: {missing} items were not answered.")
            else:
                text = (f"Total {total} of 35: metric score "
                        f"{wellbeing.metric(total):.2f}.")
        else:
            text = "Each answer is kept on its own, never added up."
            if missing:
                text = f"{len(answers)} of {len(m.items)} answered. {text}"
        self.summary.setText(text)

    def summary_words(self) -> str:
        """What this measure comes to, in a few words ("" when nothing is answered)."""
        answers = self.values()
        if not answers:
            return ""
        total = wellbeing.raw_total(self.measure.code, answers)
        if self.measure.code == wellbeing.SWEMWBS:
            return f"SWEMWBS {total}" if total is not None else "SWEMWBS, no total"
        return f"ONS4 {len(answers)} of {len(self.measure.items)}"

    # -- messages -------------------------------------------------------------------------
    def show_errors(self, errors: dict[str, str]) -> None:
        """Errors keyed ``wellbeing.<measure>[.<item>]`` (others are not this box's)."""
        code = self.measure.code
        mine = {k: v for k, v in errors.items()
                if k == error_key(code) or k.startswith(error_key(code) + ".")}
        self.error.setText("\n".join(dict.fromkeys(mine.values())))
        self.error.setVisible(bool(mine))
        for key, label in self.texts.items():
            style.mark_error(label, error_key(code, key) in mine)

    def first_error(self, errors: dict[str, str]) -> QWidget | None:
        for key in self.groups:
            if error_key(self.measure.code, key) in errors:
                return self._focus_of(key)
        return self._focus_of(self.measure.keys[0]) if error_key(self.measure.code) in \
            errors else None

    # -- the keyboard -------------------------------------------------------------------
    def _stop(self, key: str) -> None:
        """The row's one Tab stop: its answer, or its first button while unanswered."""
        stop = self._focus_of(key)
        for radio in self.radios[key]:
            radio.setFocusPolicy(Qt.FocusPolicy.StrongFocus if radio is stop
                                 else Qt.FocusPolicy.ClickFocus)

    def _focus_of(self, key: str) -> QRadioButton:
        return self.groups[key].checkedButton() or self.radios[key][0]

    def first(self) -> QRadioButton:
        return self._focus_of(self.measure.keys[0])

    def _go(self, key: str, step: int) -> bool:
        keys = self.measure.keys
        at = keys.index(key) + step
        if 0 <= at < len(keys):
            self._focus_of(keys[at]).setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return False

    def _choose(self, key: str, value: int) -> None:
        button = self.groups[key].button(value)
        button.setChecked(True)
        button.setFocus(Qt.FocusReason.OtherFocusReason)

    def key(self, watched: QRadioButton, event: QKeyEvent) -> bool:
        """A key pressed on one of the answers: True when it was for this box."""
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier |
                                Qt.KeyboardModifier.AltModifier):
            return False
        key = next(k for k, radios in self.radios.items() if watched in radios)
        values, pressed, text = self.values_, event.key(), event.text()[:1]
        one, self._one = self._one, None
        if pressed in MOVES:
            at = self.radios[key].index(watched) + MOVES[pressed]
            if self.groups[key].checkedButton() is None:  # first: where the focus is
                at -= MOVES[pressed]
            if 0 <= at < len(values):
                self._choose(key, values[at])
            return True  # at either end: stay (the scroll area would scroll)
        if pressed in ROWS:
            if not self._go(key, ROWS[pressed]) and ROWS[pressed] > 0:
                self.finished.emit()  # down from the last: the next measure's first
            return True
        if pressed in (Qt.Key.Key_Home, Qt.Key.Key_End):
            self._choose(key, values[0 if pressed == Qt.Key.Key_Home else -1])
            return True
        if pressed in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._unanswer(key)
            self._answered(key)
            self._focus_of(key).setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        if text.isdigit():
            value = int(text)
            if one is not None and one[0] == key and value == 0 and 10 in values and \
                    time.monotonic() - one[1] <= TEN_AFTER:
                value = 10
            if value not in values:
                return True  # (not an answer to this question)
            self._choose(key, value)
            if value == 1 and 10 in values:  # perhaps the start of 10: wait for a 0
                self._one = (key, time.monotonic())
            elif not self._go(key, 1):
                self.finished.emit()
            return True
        return False


class WellbeingPanel(QWidget):
    """Both measures, one under the other; any, all or none may be answered."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Wellbeing questions")
        self.boxes = {code: MeasureBox(measure) for code, measure in MEASURES.items()}
        lead = style.note(QLabel(
            "Ask these only if the person is happy to answer; any question may be left "
            "out. A digit answers (ONS4's 10: 1 then 0) and moves on; Delete takes an "
            "answer away."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(lead)
        boxes = list(self.boxes.values())
        for box, after in zip(boxes, [*boxes[1:], None], strict=True):
            layout.addWidget(box)
            box.changed.connect(self.changed.emit)
            if after is not None:
                box.finished.connect(lambda b=after: b.first().setFocus(
                    Qt.FocusReason.TabFocusReason))
        layout.addStretch(1)

    def values(self) -> dict[str, dict[str, int]]:
        """{"swemwbs": {...}, "ons4": {...}}: what record_drop_in and the follow-up take."""
        return {code: box.values() for code, box in self.boxes.items()}

    def set_values(self, raw) -> None:
        raw = raw if isinstance(raw, dict) else {}
        for code, box in self.boxes.items():
            box.set_values(raw.get(code))

    def answered(self) -> bool:
        return any(box.values() for box in self.boxes.values())

    def summary_words(self) -> str:
        """"SWEMWBS 24, ONS4 4 of 4" ("" when nothing is answered)."""
        return ", ".join(w for w in (b.summary_words() for b in self.boxes.values()) if w)

    def show_errors(self, errors: dict[str, str]) -> None:
        for box in self.boxes.values():
            box.show_errors(errors)

    def focus_error(self, errors: dict[str, str]) -> bool:
        """Put the keyboard on the first question in error; False when none is."""
        for box in self.boxes.values():
            target = box.first_error(errors)
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def first(self) -> QWidget:
        return next(iter(self.boxes.values())).first()


def is_wellbeing(key: str) -> bool:
    """Whether a field error's key is the wellbeing questions'."""
    return key == ERROR_KEY or key.startswith(ERROR_KEY + ".")


def has_errors(errors: dict[str, str]) -> bool:
    return any(is_wellbeing(k) for k in errors)


def answered(raw) -> bool:
    """Whether a form's wellbeing part (a draft's) holds any answer."""
    return isinstance(raw, dict) and any(isinstance(a, dict) and a for a in raw.values())
