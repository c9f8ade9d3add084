"""The student's full-screen kiosk: one question per screen, nothing else reachable.

Closing, Esc and Alt+F4 stay in the kiosk; leaving needs a counselor's passphrase. Every answer
is saved the moment it is given. It ends on a neutral thank-you and never shows scores.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.scales.definition import text_of
from app.scales.library import get_scale
from app.services import kiosk, vaults
from app.services.kiosk import KioskState


class KioskWindow(QWidget):
    left = Signal(str)  # session id, once a counselor has unlocked the exit

    def __init__(
        self, vault: vaults.OpenVault, state: KioskState, *, fullscreen: bool = True
    ) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("kiosk_window")
        self.setWindowTitle(_("Self-assessment"))
        self.vault = vault
        self.state = state
        self._allow_close = False
        self._shown_at = time.monotonic()
        self.setStyleSheet(
            "QWidget#kiosk_window { background: #f6f8fb; }"
            "QLabel#kiosk_question { font-size: 30px; }"
            "QPushButton[kiosk_option='true'] { font-size: 24px; padding: 18px; text-align: left; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        self.progress = QProgressBar(objectName="kiosk_progress")
        self.progress.setTextVisible(True)
        layout.addWidget(self.progress)
        self.header = QLabel(objectName="kiosk_header")
        self.header.setStyleSheet("font-size: 18px; color: #555")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.question = QLabel(objectName="kiosk_question")
        self.question.setWordWrap(True)
        layout.addWidget(self.question, 1)
        self.options_box = QVBoxLayout()
        layout.addLayout(self.options_box, 2)
        nav = QHBoxLayout()
        self.back = QPushButton(_("← Previous"), objectName="kiosk_back")
        self.back.clicked.connect(self.go_back)
        self.back.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        nav.addWidget(self.back)
        self.forward = QPushButton(_("Next →"), objectName="kiosk_forward")
        self.forward.clicked.connect(self.go_forward)
        self.forward.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        nav.addWidget(self.forward)
        nav.addStretch(1)
        self.exit_button = QPushButton(_("Teacher: end session"), objectName="kiosk_exit")
        self.exit_button.setFlat(True)
        self.exit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.exit_button.clicked.connect(self.request_exit)
        nav.addWidget(self.exit_button)
        layout.addLayout(nav)
        self._option_buttons: list[QPushButton] = []
        self._values: list[int] = []
        self.render()
        if fullscreen:
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                self.setGeometry(screen.geometry())
            self.showFullScreen()

    # --- rendering -------------------------------------------------------------------------
    def _option_button(self, index: int) -> QPushButton:
        """Buttons are reused from item to item: nothing is created or destroyed per answer."""
        while len(self._option_buttons) <= index:
            key = len(self._option_buttons) + 1
            button = QPushButton(objectName=f"kiosk_option_{key}")
            button.setProperty("kiosk_option", "true")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _c=False, k=key - 1: self._clicked(k))
            self.options_box.addWidget(button)
            self._option_buttons.append(button)
        return self._option_buttons[index]

    def _clicked(self, index: int) -> None:
        if index < len(self._values):
            self.choose(self._values[index])

    def render(self) -> None:
        st = self.state
        self.progress.setMaximum(st.total_items)
        self.progress.setValue(min(st.flat_position, st.total_items))
        self.progress.setFormat(
            _("Question {n} of {total}").format(
                n=min(st.flat_position + 1, st.total_items), total=st.total_items
            )
        )
        self.back.setEnabled(st.flat_position > 0 and not self._at_end())
        self.forward.setEnabled(
            not self._at_end() and st.answers[st.scale_id][st.item - 1] is not None
        )
        if self._at_end():
            self._values = []
            for b in self._option_buttons:
                b.hide()
            self.header.clear()
            self.question.setText(_("Thank you! You have finished. Please tell your teacher."))
            self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return
        defn = get_scale(st.scale_id)
        self.header.setText(text_of(defn.raw.get("instructions")) or text_of(defn.name))
        text = text_of(defn.item_texts.get(st.item)) if defn.has_item_texts else ""
        self.question.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.question.setText(f"{st.item}. {text}" if text else _("Question {n}").format(n=st.item))
        current = st.answers[st.scale_id][st.item - 1]
        options = defn.options_for(st.item)
        self._values = [o.value for o in options]
        for key, opt in enumerate(options):
            button = self._option_button(key)
            button.setText(f"{key + 1}  {text_of(opt.label)}")
            button.setChecked(current == opt.value)
            button.show()
        for button in self._option_buttons[len(options) :]:
            button.hide()
        self._shown_at = time.monotonic()

    def _at_end(self) -> bool:
        st = self.state
        return st.item > len(st.answers[st.scale_id])

    # --- actions ---------------------------------------------------------------------------
    def choose(self, value: int) -> None:
        if self._at_end():
            return
        seconds = time.monotonic() - self._shown_at
        self.state = kiosk.answer(self.vault, self.state.session_id, value, seconds)
        if self._at_end() and kiosk.is_complete(self.state):
            kiosk.finish(self.vault, self.state.session_id)
        self.render()

    def go_back(self) -> None:
        if self.state.flat_position > 0 and not self._at_end():
            self.state = kiosk.go_back(self.vault, self.state.session_id)
            self.render()

    def go_forward(self) -> None:
        """After going back: keep the answer already given and move on."""
        st = self.state
        if not self._at_end() and st.answers[st.scale_id][st.item - 1] is not None:
            self.choose(st.answers[st.scale_id][st.item - 1])

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self._clicked(key - Qt.Key.Key_1)
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Left):
            self.go_back()
            return
        if key == Qt.Key.Key_Right:
            self.go_forward()
            return
        event.accept()  # Esc and everything else stay here

    def request_exit(self) -> bool:
        secret, ok = QInputDialog.getText(
            self,
            _("Teacher"),
            _("Counselor passphrase to leave the kiosk:"),
            QLineEdit.EchoMode.Password,
        )
        return ok and self.try_exit(secret)

    def try_exit(self, passphrase: str) -> bool:
        if not vaults.verify_passphrase(self.vault, passphrase):
            return False
        self._allow_close = True
        self.close()
        self.left.emit(self.state.session_id)
        return True

    def closeEvent(self, event) -> None:
        if self._allow_close:
            event.accept()
        else:
            event.ignore()

    def changeEvent(self, event) -> None:
        # Alt+Tab away and back: come back to the front, still full screen.
        if (
            event.type() == QEvent.Type.ActivationChange
            and not self.isActiveWindow()
            and not self._allow_close
        ):
            self.raise_()
        super().changeEvent(event)


class KioskSetupDialog(QDialog):
    """The counselor picks the student (the student never types a name) and the battery."""

    def __init__(self, vault: vaults.OpenVault, parent=None) -> None:
        from PySide6.QtWidgets import (
            QCompleter,
            QFormLayout,
            QListWidget,
            QListWidgetItem,
        )

        from app.scales.library import all_scales
        from app.services import students

        super().__init__(parent)
        self.setObjectName("kiosk_setup_dialog")
        self.setWindowTitle(_("Start a self-assessment"))
        self.vault = vault
        self.student_id: str | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.search = QLineEdit(objectName="kiosk_student_edit")
        self.search.setPlaceholderText(_("Name, pinyin initials or 学籍号"))
        self._rows = {
            f"{r.name} {r.grade}{r.class_name} {r.student_no}": r.id
            for r in students.search_students(vault, students.StudentFilter(status="enrolled"))
        }
        completer = QCompleter(sorted(self._rows), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search.setCompleter(completer)
        form.addRow(_("Student"), self.search)
        from PySide6.QtWidgets import QComboBox

        from app.services import plans

        self.plan = QComboBox(objectName="kiosk_plan_combo")
        self.plan.addItem(_("(no plan)"), None)
        for p in plans.list_plans(vault):
            self.plan.addItem(p.name, p.id)
        form.addRow(_("Plan"), self.plan)
        layout.addLayout(form)
        self.scales = QListWidget(objectName="kiosk_scale_list")
        for sid, d in all_scales().items():
            item = QListWidgetItem(f"{d.title}")
            item.setData(Qt.ItemDataRole.UserRole, sid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if sid in ("PHQ-9", "GAD-7") else Qt.CheckState.Unchecked
            )
            if not d.has_item_texts:
                item.setText(item.text() + "  " + _("(no licensed item texts: paper entry only)"))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Unchecked)
            self.scales.addItem(item)
        layout.addWidget(QLabel(_("Battery")))
        layout.addWidget(self.scales)
        from app.ui.form_parts import dialog_buttons, error_label

        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self._accept))
        self.resize(560, 520)

    def chosen_scales(self) -> list[str]:
        return [
            self.scales.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.scales.count())
            if self.scales.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _accept(self) -> None:
        self.student_id = self._rows.get(self.search.text().strip())
        if self.student_id is None:
            self.error.setText(_("Pick the student from the list."))
            return
        if not self.chosen_scales():
            self.error.setText(_("Choose at least one scale."))
            return
        self.accept()
