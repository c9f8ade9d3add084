"""First run: school, the admin user and passphrase, then the recovery code, shown once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app.i18n import _
from app.services import vaults
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import wait
from app.ui.passphrase_field import PassphraseFields


class _SchoolPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Welcome to XinDang"))
        self.setSubTitle(
            _(
                "XinDang keeps your school's mental-health archive encrypted on this computer. "
                "First, tell us the school's name."
            )
        )
        form = QFormLayout(self)
        self.school = QLineEdit(objectName="school_edit")
        self.school.setPlaceholderText(_("e.g. 江门市第一中学"))
        form.addRow(_("School name"), self.school)
        self.registerField("school*", self.school)


class _AdminPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Counseling lead (administrator)"))
        self.setSubTitle(
            _(
                "This user manages the roster and other users. Everyone gets their own "
                "passphrase; XinDang cannot recover a forgotten one without the recovery code."
            )
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.login = QLineEdit("admin", objectName="login_edit")
        self.display = QLineEdit(objectName="display_name_edit")
        self.display.setPlaceholderText(_("e.g. 王老师"))
        form.addRow(_("User name"), self.login)
        form.addRow(_("Display name"), self.display)
        layout.addLayout(form)
        self.passphrase = PassphraseFields()
        layout.addWidget(self.passphrase)
        self.error = error_label("error_label")
        layout.addWidget(self.error)

    def validatePage(self) -> bool:
        self.passphrase.context = (
            self.login.text(),
            self.display.text(),
            self.field("school") or "",
        )
        problem = self.passphrase.problem()
        if not self.login.text().strip():
            problem = _("Please enter a user name.")
        if problem:
            self.error.setText(problem)
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            values = dict(
                school_name=self.field("school").strip(),
                admin_login=self.login.text().strip(),
                admin_name=self.display.text().strip() or self.login.text().strip(),
                passphrase=self.passphrase.value(),
                kdf=self._wizard.kdf,
            )
            path = self._wizard.vault_path
            vault, code = wait(lambda: vaults.create_vault(path, **values))
        except Exception as exc:  # shown inline; the wizard stays open
            self.error.setText(message_for(exc))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.passphrase.clear()
        self._wizard.created = vault
        self._wizard.recovery_code = code
        return True


class _RecoveryPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Your recovery code"))
        layout = QVBoxLayout(self)
        explain = QLabel(
            _(
                "Write this code on paper and keep it sealed (e.g. with the principal). "
                "It unlocks the vault if every passphrase is forgotten. It is shown only once."
            )
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.code = QLabel(objectName="recovery_code_label")
        font = QFont("monospace")
        font.setPointSize(16)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.code.setStyleSheet("padding: 18px; border: 2px dashed #888; background: #fffbe6")
        layout.addWidget(self.code)
        self.confirm = QCheckBox(
            _("I have written the recovery code down and will keep it safe"),
            objectName="confirm_written_check",
        )
        layout.addWidget(self.confirm)
        self.confirm.toggled.connect(self.completeChanged)
        from PySide6.QtWidgets import QPushButton

        printed = QPushButton(_("Print the recovery code…"), objectName="print_recovery_button")
        printed.clicked.connect(self.print_code)
        layout.addWidget(printed)

    def print_code(self):
        from app.services import printing
        from app.ui.print_preview import show_document

        vault, code = self._wizard.created, self._wizard.recovery_code
        return show_document(
            self,
            vault,
            lambda: printing.recovery_sheet(vault, code),
            _("Recovery code"),
        )

    def initializePage(self) -> None:
        self.code.setText(self._wizard.recovery_code or "")

    def isComplete(self) -> bool:
        return self.confirm.isChecked()


class SetupWizard(QWizard):
    def __init__(self, vault_path: Path, parent=None, kdf=None) -> None:
        super().__init__(parent)
        self.setObjectName("setup_wizard")
        self.vault_path = Path(vault_path)
        self.kdf = kdf
        self.created: vaults.OpenVault | None = None
        self.recovery_code: str | None = None
        self.setWindowTitle(_("XinDang — first-time setup"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, _("Next"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.addPage(_SchoolPage())
        self.addPage(_AdminPage(self))
        self.addPage(_RecoveryPage(self))
        self.resize(640, 480)

    closes_on_lock = False  # it runs before any vault is open; its own done() guards it

    def done(self, result: int) -> None:
        if result == QWizard.DialogCode.Accepted:
            self.recovery_code = None  # not kept in memory longer than needed
            QGuiApplication.clipboard().clear()
        elif self.created is not None:
            QMessageBox.information(
                self, _("XinDang"), _("The vault was already created; please finish the last step.")
            )
            return
        super().done(result)
