"""What the window shows while the demo desk is prepared the first time (about 20
seconds): what is happening and why, a bar that fills as it goes, and the stage in words.
``Startup`` feeds it from the worker's progress calls (carried to the UI thread by a
queued signal) and swaps it in for the Today placeholder (``MainWindow.preparing``)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from lr_desk.ui import style

PREPARING = "Preparing the demo desk"
WHY = ("Synthetic people to practise on: made up, never real. This happens once, and "
       "takes about 20 seconds.")
READY = "The demo desk is ready. Sign in to start practising."
WIDTH = 560  # the column's width: a comfortable line, well inside 1280 pixels


class PreparingPage(QWidget):
    """A heading, why we wait, a determinate progress bar and the current stage."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(PREPARING)
        title = style.heading(QLabel(PREPARING))
        why = QLabel(WHY)
        why.setWordWrap(True)
        why.setAccessibleName("What is happening")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("How far the demo desk is prepared")
        self.bar.setRange(0, 1000)  # determinate from the start: the steps come in
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.stage = style.note(QLabel("Starting…"))
        self.stage.setAccessibleName("What is being prepared now")
        column = QVBoxLayout()  # one column of a fixed width, centred: labels wrap in it
        column.setSpacing(style.SPACE["m"])
        for widget in (title, why, self.bar, self.stage):
            widget.setFixedWidth(WIDTH)
            column.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(column)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def show_progress(self, done: int, total: int, what: str) -> None:
        if self.bar.maximum() != total:
            self.bar.setRange(0, total)
        self.bar.setValue(max(done, self.bar.value()))  # never backwards
        self.stage.setText(what)

    def ready(self) -> None:
        self.bar.setValue(self.bar.maximum())
        self.stage.setText(READY)
