"""The roster import wizard: choose a file, check the columns and row errors, then import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app.i18n import _
from app.roster.headers import FIELDS
from app.services import roster_import
from app.services.vaults import OpenVault
from app.ui.errors import message_for
from app.ui.form_parts import error_label
from app.ui.ops import current
from app.ui.progress_strip import show_progress
from app.ui.roster_dialogs import save_template

PREVIEW_ROWS = 30


class _FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._w = wizard
        self.setTitle(_("Choose the roster file"))
        self.setSubTitle(
            _(
                "An .xlsx or .csv file exported from the student-status system or kept by the school "
                "office. Title rows above the header are fine; CSV may be UTF-8 or GBK."
            )
        )
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit(objectName="import_path_edit")
        browse = QPushButton(_("Browse…"), objectName="browse_button")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path)
        row.addWidget(browse)
        layout.addLayout(row)
        template = QPushButton(
            _("Save an empty roster template (.xlsx)…"), objectName="template_button"
        )
        template.clicked.connect(lambda: save_template(self))
        layout.addWidget(template)
        self.error = error_label("import_file_error")
        layout.addWidget(self.error)
        self.registerField("path*", self.path)
        self._read: Path | None = None

    def _browse(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the roster file"), "", _("Rosters (*.xlsx *.csv)")
        )
        if name:
            self.path.setText(name)

    def validatePage(self) -> bool:
        """The file is read in the CPU lane; the wizard moves on when it has been."""
        path = Path(self.path.text().strip())
        if self._read == path:
            self._read = None
            return True
        self.error.setText(_("Reading the roster…"))
        self._w.button(QWizard.WizardButton.NextButton).setEnabled(False)

        def read(preview) -> None:
            self._w.button(QWizard.WizardButton.NextButton).setEnabled(True)
            self._w.preview = preview
            self.error.clear()
            self._read = path
            self._w.next()

        def failed(exc: BaseException) -> None:
            self._w.button(QWizard.WizardButton.NextButton).setEnabled(True)
            self.error.setText(message_for(exc))

        current().long(
            _("Reading the roster…"),
            lambda _p: roster_import.preview_roster(path),
            read,
            failed,
            lane="cpu",
        )
        return False


class _PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._w = wizard
        self.setTitle(_("Check the columns and the rows"))
        self.setSubTitle(
            _("Each column's meaning was guessed from its header; change it if it is wrong.")
        )
        layout = QVBoxLayout(self)
        self.table = QTableWidget(objectName="preview_table")
        self.table.verticalHeader().setVisible(True)
        layout.addWidget(self.table, 3)
        self.summary = QLabel(objectName="preview_summary")
        layout.addWidget(self.summary)
        self.problems = QListWidget(objectName="problem_list")
        layout.addWidget(self.problems, 2)
        self.valid_only = QCheckBox(_("Import only the valid rows"), objectName="valid_only_check")
        self.valid_only.toggled.connect(self.completeChanged)
        layout.addWidget(self.valid_only)
        self._combos: list[QComboBox] = []

    def initializePage(self) -> None:
        p = self._w.preview
        grid = p.grid
        width = max((len(r) for r in grid), default=0)
        first = p.header.row_index + 1
        shown = grid[first : first + PREVIEW_ROWS]
        self.table.clear()
        self.table.setColumnCount(width)
        self.table.setRowCount(len(shown) + 1)
        self._combos = []
        for c in range(width):
            combo = QComboBox()
            combo.addItem(_("(ignore)"), None)
            for key, label in FIELDS.items():
                combo.addItem(_(label), key)
            mapped = p.header.mapping.get(c)
            combo.setCurrentIndex(max(0, combo.findData(mapped)) if mapped else 0)
            combo.currentIndexChanged.connect(self._remap)
            self.table.setCellWidget(0, c, combo)
            self._combos.append(combo)
        self.table.setHorizontalHeaderLabels(
            p.header.headers + [""] * (width - len(p.header.headers))
        )
        self.table.setVerticalHeaderLabels(
            [_("Meaning")] + [str(first + i + 1) for i in range(len(shown))]
        )
        for r, row in enumerate(shown, start=1):
            for c, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._show_result()

    def _remap(self) -> None:
        mapping = {
            c: combo.currentData() for c, combo in enumerate(self._combos) if combo.currentData()
        }
        path = self._w.preview.path

        def read(preview) -> None:
            self._w.preview = preview
            self._show_result()

        current().long(
            _("Reading the roster…"),
            lambda _p: roster_import.preview_roster(path, mapping),
            read,
            lambda exc: self.summary.setText(message_for(exc)),
            lane="cpu",
        )

    def _show_result(self) -> None:
        p = self._w.preview
        bad_rows = len({x.row for x in p.problems})
        self.summary.setText(
            _("{ok} valid rows, {bad} rows with problems.").format(ok=len(p.rows), bad=bad_rows)
        )
        self.problems.clear()
        for x in p.problems:
            self.problems.addItem(_("Row {row}, column {column}: {reason}").format(**x.to_dict()))
        self.valid_only.setVisible(bool(p.problems))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        p = self._w.preview
        return p is not None and bool(p.rows) and (not p.problems or self.valid_only.isChecked())


class _ResultPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._w = wizard
        self.setTitle(_("Importing"))
        layout = QVBoxLayout(self)
        self.progress = QProgressBar(objectName="import_progress")
        layout.addWidget(self.progress)
        self.result = QLabel(objectName="import_result_label")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        self.changes = QListWidget(objectName="class_change_list")
        layout.addWidget(self.changes)
        self._done = False

    def initializePage(self) -> None:
        self._done = False
        self.progress.setValue(0)
        self.result.setText(_("Importing…"))
        self._w.button(QWizard.WizardButton.BackButton).setEnabled(False)
        preview = self._w.preview
        vault = self._w.vault

        op = current().long(
            _("Importing…"),
            lambda progress: roster_import.apply_preview(
                vault, preview, skip_invalid=True, progress=progress
            ),
            self._finished,
            self._failed,
            cancellable=True,
            on_cancelled=self._cancelled,
        )
        op.progressed.connect(
            lambda done, total, _t: show_progress(
                self.progress, int(100 * done / total) if total else 0
            )
        )

    def _cancelled(self) -> None:
        self._done = True
        self.result.setText(_("Import cancelled; nothing was imported."))
        self.completeChanged.emit()

    def _finished(self, report) -> None:
        self._done = True
        self._w.report = report
        self.progress.setValue(100)
        self.result.setText(report.summary())
        for c in report.class_changes:
            self.changes.addItem(c.describe())
        self.completeChanged.emit()

    def _failed(self, exc) -> None:
        self._done = True
        self.result.setText(_("Nothing was imported: {message}").format(message=message_for(exc)))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self._done


class ImportWizard(QWizard):
    def __init__(self, vault: OpenVault, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("import_wizard")
        self.vault = vault
        self.preview: roster_import.RosterPreview | None = None
        self.report: roster_import.ImportReport | None = None
        self.setWindowTitle(_("Import roster"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("Next"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.addPage(_FilePage(self))
        self.addPage(_PreviewPage(self))
        self.addPage(_ResultPage(self))
        self.resize(900, 640)
