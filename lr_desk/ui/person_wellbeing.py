"""A person's wellbeing scores on their page, beside their consent: each SWEMWBS and
ONS4 they answered, newest first (services.wellbeing.history, with anyone merged into
them), SWEMWBS as its raw total and metric score, ONS4 as its four answers with their
ONS bands (never added up); their first comparable score marked as the baseline, and
above the list the change since then in metric points. Hidden for an erased person."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from lr_desk.services import dates, wellbeing
from lr_desk.services.wellbeing import MEASURES, Score
from lr_desk.store.clock import local_time
from lr_desk.ui import style
from lr_desk.ui.models import RowsModel, table

NONE_YET = "No wellbeing questions answered yet."
SHORT = {wellbeing.SWEMWBS: "SWEMWBS", wellbeing.ONS4: "ONS4"}


def score_words(score: Score, baseline: Score | None) -> str:
    """'Total 27, metric 24.11: up 3.38 since baseline'; 'No total (6 of 7 answered)';
    'Life satisfaction 7 (High), ...' for ONS4."""
    m = MEASURES[score.measure]
    if score.measure == wellbeing.ONS4:
        text = ", ".join(f"{m.item_name(k)} {v} ({wellbeing.ons4_band(k, v)})"
                         for k, v in score.answers.items())
        return f"{text} (baseline)" if score.baseline else text
    if score.metric is None:
        return f"No total ({len(score.answers)} of {len(m.items)} answered)"
    text = f"Total {score.raw_total}, metric {score.metric:.2f}"
    if score.baseline:
        return f"{text} (baseline)"
    if baseline is not None and baseline.metric is not None:
        text += f": {change_words(score.metric - baseline.metric)} since baseline"
    return text


def change_words(points: float) -> str:
    if round(points, 2) == 0:
        return "no change"
    return f"{'up' if points > 0 else 'down'} {abs(points):.2f}"


def baselines(scores: list[Score]) -> dict[str, Score]:
    return {s.measure: s for s in scores if s.baseline}


def change_line(scores: list[Score], today: date) -> str:
    """SWEMWBS from the baseline to the latest score after it, in metric points."""
    base = baselines(scores).get(wellbeing.SWEMWBS)
    if base is None:
        return ""
    later = [s for s in scores[scores.index(base) + 1:]  # (oldest first)
             if s.measure == wellbeing.SWEMWBS and s.metric is not None]
    when = dates.day(local_time(base.taken_at).date(), today, weekday=False)
    if not later:
        return f"SWEMWBS baseline {base.metric:.2f} ({when}); no later score yet."
    last = later[-1]
    return (f"SWEMWBS since the baseline ({when}): {change_words(last.metric - base.metric)} "
            f"metric points, {base.metric:.2f} to {last.metric:.2f}.")


class ScoresModel(RowsModel):
    def __init__(self, parent=None):
        super().__init__([("When", self.when), ("Measure", lambda s: SHORT[s.measure]),
                          ("Score", self.words)], parent)
        self.today = date.today()
        self.base: dict[str, Score] = {}

    def when(self, s: Score) -> str:
        return dates.day(local_time(s.taken_at).date(), self.today, weekday=False)

    def words(self, s: Score) -> str:
        return score_words(s, self.base.get(s.measure))

    def show(self, scores: list[Score], today: date) -> None:
        self.today, self.base = today, baselines(scores)
        self.set_rows(list(reversed(scores)))  # newest first

    def extra(self, row: Score, column: int, role):
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{MEASURES[row.measure].title}: {self.words(row)}"
        return None


class WellbeingScores(QWidget):
    """``reload(person_id)``: their scores, read on the desk's worker."""

    loaded = Signal()

    def __init__(self, tasks, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.today = date.today
        self.setAccessibleName("Wellbeing scores")
        self.model = ScoresModel(self)
        self.table = table("Wellbeing scores", self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        label = QLabel("Well&being")
        label.setBuddy(self.table)
        self.change = QLabel()
        self.change.setWordWrap(True)
        self.change.setAccessibleName("Change in wellbeing since the baseline")
        self.change.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.change.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # words to read, not a Tab stop
        self.empty = style.note(QLabel(NONE_YET))
        self.empty.setAccessibleName(NONE_YET)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, style.SPACE["s"], 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.change)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addStretch(0)
        self._show([])

    def reload(self, person_id: str) -> None:
        """Their scores, and those of anyone merged into them (an erased person's page
        hides this section: PersonPage._show)."""
        self.tasks.run(lambda s: wellbeing.history(s, person_id), self._show)

    def _show(self, scores: list[Score]) -> None:
        today = self.today()
        self.model.show(scores, today)
        self.change.setText(change_line(scores, today))
        self.change.setVisible(bool(self.change.text()))
        self.table.setVisible(bool(scores))
        self.empty.setVisible(not scores)
        self.loaded.emit()
