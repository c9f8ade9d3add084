"""The status bar's strip for long work: what is running, how far it got, and 取消."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.i18n import _
from app.ui.ops import Op, Ops, show_after_delay


def show_progress(bar: QProgressBar, value: int, maximum: int | None = None) -> None:
    """Move a bar without painting it there and then: `QProgressBar.setValue` repaints at once,
    and a repaint on the window's thread waits for the GIL at every Python widget it passes
    while the lane works (the import's worst stall). Updates paused, the change is painted with
    the next frame instead."""
    bar.setUpdatesEnabled(False)
    try:
        if maximum is not None:
            bar.setRange(0, maximum)
        bar.setValue(value)
    finally:
        bar.setUpdatesEnabled(True)


class ProgressStrip(QWidget):
    """Shown while long work runs (after the busy delay), for the newest one running."""

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progress_strip")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(objectName="progress_label")
        self.bar = QProgressBar(objectName="progress_bar")
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(_("Cancel"), objectName="progress_cancel_button")
        self.cancel_button.clicked.connect(lambda: self._op.cancel() if self._op else None)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self._op: Op | None = None
        self.hide()
        ops.op_started.connect(self._started)
        ops.op_finished.connect(self._finished)

    def _started(self, op: Op) -> None:
        self._op = op
        op.progressed.connect(lambda done, total, text: self._progressed(op, done, total, text))
        self.label.setText(op.title)
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button.setVisible(op.cancellable)
        self.cancel_button.setEnabled(True)
        show_after_delay(op, lambda: self.setVisible(op is self._op and op.running))

    def _progressed(self, op: Op, done: int, total, text: str) -> None:
        if op is not self._op:
            return
        if total:
            show_progress(self.bar, min(done, int(total)), int(total))
        if text:
            self.label.setText(f"{op.title} {text}")

    def _finished(self, op: Op) -> None:
        if op is self._op:
            self._op = None
            self.hide()
