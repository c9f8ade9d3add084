"""The student's full-screen kiosk: one question per screen, nothing else reachable.

Closing, Esc, Alt+F4 and minimising stay in the kiosk; leaving needs a counselor's passphrase,
and the workspace behind it is locked meanwhile. Every answer is saved the moment it is given;
keys pressed before a new item can have been read are ignored. It opens with what this is and
who sees it, lets the student review and change any answer, and ends with where to find help —
never with scores.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.scales.definition import ScaleDefinition, text_of
from app.services import assessments, kiosk, student_papers, vaults
from app.services.kiosk import KioskState
from app.ui.ops import wait


def kiosk_texts() -> dict:
    """Intro, review and closing texts (resources/kiosk/texts.json, the school may edit them)."""
    import json

    from app.paths import resources_dir

    return json.loads((resources_dir() / "kiosk" / "texts.json").read_text("utf-8"))


class KioskWindow(QWidget):
    """intro → one item per screen → review (any answer can be changed) → submit → closing."""

    left = Signal(str)  # session id, once a counselor has unlocked the exit
    DEBOUNCE_S = 0.4
    _allow_close = False  # the title and flags below already send change events  # a key within this time of a new screen was meant for the previous one

    def __init__(
        self, vault: vaults.OpenVault, state: KioskState, *, fullscreen: bool = True
    ) -> None:
        super().__init__(
            None,
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.setObjectName("kiosk_window")
        self.setWindowTitle(_("Self-assessment"))
        self.vault = vault
        self.state = state
        self.fullscreen = fullscreen
        self.texts = kiosk_texts()
        # Read once per kiosk session: a keypress never waits for the vault.
        self._definitions: dict[str, ScaleDefinition] = {}
        self._titles: dict[str, str] = {}
        self._allow_close = False
        self._from_review = False
        self._shown_at = time.monotonic()
        self.stage = "items" if state.answered else "intro"
        if self._at_end():
            self.stage = "done" if state.finished else "review"
        self.setStyleSheet(
            "QWidget#kiosk_window { background: #f6f8fb; }"
            "QLabel#kiosk_question { font-size: 30px; }"
            "QPushButton[kiosk_option='true'] { font-size: 24px; padding: 18px; text-align: left; }"
            "QListWidget#kiosk_review { font-size: 20px; }"
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
        self.review = QListWidget(objectName="kiosk_review")
        self.review.itemActivated.connect(lambda item: self._change(self.review.row(item)))
        self.review.itemClicked.connect(lambda item: self._change(self.review.row(item)))
        layout.addWidget(self.review, 3)
        self.options_box = QVBoxLayout()
        layout.addLayout(self.options_box, 2)
        nav = QHBoxLayout()
        self.back = QPushButton(_("← Previous"), objectName="kiosk_back")
        self.back.clicked.connect(lambda: self.go_back())
        self.back.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        nav.addWidget(self.back)
        self.forward = QPushButton(_("Next →"), objectName="kiosk_forward")
        self.forward.clicked.connect(lambda: self.go_forward())
        self.forward.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        nav.addWidget(self.forward)
        self.start_button = QPushButton(_("Start"), objectName="kiosk_start")
        self.start_button.setStyleSheet("font-size: 24px; padding: 14px 40px")
        self.start_button.clicked.connect(lambda: self.start())
        nav.addWidget(self.start_button)
        self.submit_button = QPushButton(_("Submit"), objectName="kiosk_submit")
        self.submit_button.setStyleSheet("font-size: 24px; padding: 14px 40px")
        self.submit_button.clicked.connect(lambda: self.submit())
        nav.addWidget(self.submit_button)
        nav.addStretch(1)
        self.exit_button = QPushButton(_("Teacher: end session"), objectName="kiosk_exit")
        self.exit_button.setFlat(True)
        self.exit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.exit_button.clicked.connect(lambda: self.request_exit())
        nav.addWidget(self.exit_button)
        layout.addLayout(nav)
        self._option_buttons: list[QPushButton] = []
        self._values: list[int] = []
        self._review_items: list[tuple[int, int]] = []  # (scale index, item) per review row
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

    def _settled(self) -> bool:
        """False for input that arrives before the student can have read the new screen."""
        return time.monotonic() - self._shown_at >= self.DEBOUNCE_S

    def _clicked(self, index: int) -> None:
        if self.stage != "items" or index >= len(self._values):
            return
        if self._settled():
            self.choose(self._values[index])
        else:  # a click too soon after the screen changed: undo the button's own toggle
            self._option_buttons[index].setChecked(
                self.state.answers[self.state.scale_id][self.state.item - 1] == self._values[index]
            )

    def _show_only(self, *widgets: QWidget) -> None:
        for w in (
            self.progress,
            self.review,
            self.back,
            self.forward,
            self.start_button,
            self.submit_button,
        ):
            w.setVisible(w in widgets)
        if not any(w in widgets for w in self._option_buttons):
            for b in self._option_buttons:
                b.hide()

    def render(self) -> None:
        st = self.state
        self._shown_at = time.monotonic()
        self.progress.setMaximum(st.total_items)
        self.progress.setValue(min(st.flat_position, st.total_items))
        self.progress.setFormat(
            _("Question {n} of {total}").format(
                n=min(st.flat_position + 1, st.total_items), total=st.total_items
            )
        )
        self.question.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if self.stage == "intro":
            self._show_only(self.start_button)
            self.header.setText(_("Self-assessment"))
            self.question.setText(text_of(self.texts["intro"]))
            self.question.setStyleSheet("font-size: 22px")
            return
        self.question.setStyleSheet("")
        if self.stage == "review":
            self._render_review()
            return
        if self.stage == "done":
            self._show_only()
            self.header.clear()
            self.question.setStyleSheet("font-size: 22px")
            self.question.setText(text_of(self.texts["closing"]))
            return
        self._show_only(self.progress, self.back, self.forward)
        self.back.setEnabled(st.flat_position > 0)
        self.forward.setEnabled(st.answers[st.scale_id][st.item - 1] is not None)
        defn = self._definition(st.scale_id)
        # The student sees the neutral title, never the scale's clinical name.
        self.header.setText(text_of(defn.raw.get("instructions")) or self._title(st.scale_id))
        text = text_of(defn.item_texts.get(st.item)) if defn.has_item_texts else ""
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

    def _definition(self, scale_id: str) -> ScaleDefinition:
        if scale_id not in self._definitions:
            self._definitions[scale_id] = wait(
                lambda: assessments.scale_definition(self.vault, scale_id)
            )
        return self._definitions[scale_id]

    def _title(self, scale_id: str) -> str:
        if scale_id not in self._titles:
            self._titles[scale_id] = wait(
                lambda: student_papers.neutral_title(self.vault, scale_id)
            )
        return self._titles[scale_id]

    def _render_review(self) -> None:
        st = self.state
        self._show_only(self.review, self.submit_button)
        self.header.setText(text_of(self.texts["review"]))
        self.question.setText("")
        self.review.clear()
        self._review_items = []
        for si, sid in enumerate(st.scale_ids):
            defn = self._definition(sid)
            for item, value in enumerate(st.answers[sid], start=1):
                text = text_of(defn.item_texts.get(item)) if defn.has_item_texts else ""
                label = next(
                    (text_of(o.label) for o in defn.options_for(item) if o.value == value), "—"
                )
                prefix = f"{self._title(sid)} " if len(st.scale_ids) > 1 else ""
                self.review.addItem(f"{prefix}{item}. {text}　→　{label}")
                self._review_items.append((si, item))
        self.review.setCurrentRow(0)
        self.review.setFocus()

    def _at_end(self) -> bool:
        st = self.state
        return st.item > len(st.answers[st.scale_id])

    # --- actions ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.stage == "intro":
            self.stage = "items"
            self.render()

    def choose(self, value: int) -> None:
        if self.stage != "items" or self._at_end():
            return
        seconds = time.monotonic() - self._shown_at
        changing = self._from_review
        session = self.state.session_id
        self.state = wait(lambda: kiosk.answer(self.vault, session, value, seconds))
        if changing:
            self._from_review = False
            self.state = wait(lambda: kiosk.go_to_review(self.vault, session))
        if self._at_end() and kiosk.is_complete(self.state):
            self.stage = "review"
        self.render()

    def _change(self, row: int) -> None:
        """From the review screen back to one item; after answering it, back to the review."""
        if self.stage != "review" or not 0 <= row < len(self._review_items) or not self._settled():
            return
        scale_index, item = self._review_items[row]
        session = self.state.session_id
        self.state = wait(lambda: kiosk.go_to(self.vault, session, scale_index, item))
        self._from_review = True
        self.stage = "items"
        self.render()

    def submit(self) -> None:
        if self.stage == "review" and kiosk.is_complete(self.state) and self._settled():
            session = self.state.session_id
            self.state = wait(
                lambda: (kiosk.finish(self.vault, session), kiosk.current(self.vault, session))[1]
            )
            self.stage = "done"
            self.render()

    def go_back(self) -> None:
        if self.stage == "items" and self.state.flat_position > 0 and not self._at_end():
            self._from_review = False
            session = self.state.session_id
            self.state = wait(lambda: kiosk.go_back(self.vault, session))
            self.render()

    def go_forward(self) -> None:
        """After going back: keep the answer already given and move on."""
        st = self.state
        if (
            self.stage == "items"
            and not self._at_end()
            and st.answers[st.scale_id][st.item - 1] is not None
        ):
            self.choose(st.answers[st.scale_id][st.item - 1])

    def keyPressEvent(self, event) -> None:
        key = event.key()
        event.accept()  # Esc and everything else stay here
        if event.isAutoRepeat() or not self._settled():
            return  # a held key or a double press never answers an unseen item
        if self.stage == "intro" and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.start()
        elif self.stage == "items" and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self._clicked(key - Qt.Key.Key_1)
        elif self.stage == "items" and key in (Qt.Key.Key_Backspace, Qt.Key.Key_Left):
            self.go_back()
        elif self.stage == "items" and key == Qt.Key.Key_Right:
            self.go_forward()

    def request_exit(self) -> bool:
        secret, ok = QInputDialog.getText(
            self,
            _("Teacher"),
            _("Counselor passphrase to leave the kiosk:"),
            QLineEdit.EchoMode.Password,
        )
        return ok and self.try_exit(secret)

    def try_exit(self, passphrase: str) -> bool:
        if not wait(lambda: vaults.verify_passphrase(self.vault, passphrase)):
            return False
        if self.stage == "review" and kiosk.is_complete(self.state):
            session = self.state.session_id
            wait(lambda: kiosk.finish(self.vault, session))  # every answer given is kept
        self._allow_close = True
        self.close()
        self.left.emit(self.state.session_id)
        return True

    def release(self) -> None:
        """Close without a passphrase: only the shell does this, when the whole vault locks."""
        self._allow_close = True
        self.close()

    def closeEvent(self, event) -> None:
        if self._allow_close:
            event.accept()
        else:
            event.ignore()

    def _come_back(self) -> None:
        if self._allow_close:
            return
        if self.isMinimized() or not self.isVisible():
            if self.fullscreen:
                self.showFullScreen()
            else:
                self.showNormal()
        self.raise_()
        self.activateWindow()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        if not self._allow_close:
            QTimer.singleShot(0, self._come_back)

    def changeEvent(self, event) -> None:
        # Minimise, Alt+Tab or a click elsewhere: come straight back to the front.
        kind = event.type()
        if not self._allow_close and (
            (kind == QEvent.Type.WindowStateChange and self.isMinimized())
            or (kind == QEvent.Type.ActivationChange and not self.isActiveWindow())
        ):
            QTimer.singleShot(0, self._come_back)
        super().changeEvent(event)


class KioskSetupDialog(QDialog):
    """The counselor picks the student (the student never types a name) and the battery."""

    def __init__(self, vault: vaults.OpenVault, parent=None) -> None:
        from PySide6.QtWidgets import (
            QFormLayout,
            QListWidget,
            QListWidgetItem,
        )

        from app.ui.student_picker import StudentPicker

        super().__init__(parent)
        self.setObjectName("kiosk_setup_dialog")
        self.setWindowTitle(_("Start a self-assessment"))
        self.vault = vault
        self.student_id: str | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.search = StudentPicker(vault, "kiosk_student_edit", self)
        form.addRow(_("Student"), self.search)
        from PySide6.QtWidgets import QComboBox

        from app.services import plans

        self.plan = QComboBox(objectName="kiosk_plan_combo")
        self.plan.addItem(_("(no plan)"), None)
        for p in wait(lambda: plans.list_plans(vault)):
            self.plan.addItem(p.name, p.id)
        form.addRow(_("Plan"), self.plan)
        layout.addLayout(form)
        self.scales = QListWidget(objectName="kiosk_scale_list")
        for sid, d in wait(lambda: assessments.scale_catalogue(vault)).items():
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
        self.student_id = self.search.student_id()
        if self.student_id is None:
            self.error.setText(_("Pick the student from the list."))
            return
        if not self.chosen_scales():
            self.error.setText(_("Choose at least one scale."))
            return
        self.accept()
