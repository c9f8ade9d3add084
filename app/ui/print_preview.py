"""Preview and print a confidential PDF from memory: no temporary file is ever written.

Pages are rasterised with pdfium straight from the bytes; printing paints the same pages on a
QPrinter; saving a copy is a separate, explicit step that encrypts it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import printing
from app.services.vaults import OpenVault
from app.ui.busy import busy, generating
from app.ui.buttons import push_button
from app.ui.errors import message_for


def page_images(pdf: bytes, scale: float) -> list[QImage]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    images = []
    try:
        for page in doc:
            bitmap = page.render(scale=scale, rev_byteorder=True)
            w, h, stride = bitmap.width, bitmap.height, bitmap.stride
            fmt = (
                QImage.Format.Format_RGBX8888
                if bitmap.n_channels == 4
                else QImage.Format.Format_RGB888
            )
            images.append(QImage(bytes(bitmap.buffer), w, h, stride, fmt).copy())
            page.close()
    finally:
        doc.close()
    return images


class PrintPreview(QDialog):
    def __init__(self, vault: OpenVault, pdf: bytes, serial: str, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWindowTitle(_("Preview: {title} ({serial})").format(title=title, serial=serial))
        self.vault, self.pdf, self.serial = vault, pdf, serial
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        inner = QWidget()
        pages = QVBoxLayout(inner)
        self.images = page_images(pdf, 1.3)
        for img in self.images:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(img))
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            pages.addWidget(label)
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        layout.addWidget(scroll, 1)
        row = QHBoxLayout()
        self.info = QLabel(
            _("{n} pages · serial {serial}").format(n=len(self.images), serial=serial)
        )
        row.addWidget(self.info, 1)
        for name, label, slot in (
            ("print_button", _("Print…"), self.print_),
            ("save_button", _("Save an encrypted copy…"), self.save_copy),
            ("close_button", _("Close"), self.reject),
        ):
            b = push_button(label, name, slot)
            row.addWidget(b)
        layout.addLayout(row)
        self.resize(900, 1000)

    def print_(self) -> bool:
        """The system print dialog chooses the printer (or 打印到文件); nothing else is kept."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return False
        with busy(_("Printing…")):
            return paint_pages(self.pdf, printer)

    def save_copy(self) -> bool:
        path, _f = QFileDialog.getSaveFileName(
            self, _("Save an encrypted copy"), f"{self.serial}.pdf", "PDF (*.pdf)"
        )
        if not path:
            return False
        password, ok = QInputDialog.getText(
            self,
            _("File password"),
            _("Password to open the file (at least 6 characters):"),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return False
        try:
            printing.save_pdf(self.vault, self.pdf, path, password=password, serial=self.serial)
        except Exception as exc:
            QMessageBox.warning(self, _("Save"), message_for(exc))
            return False
        return True


def paint_pages(pdf: bytes, printer: QPrinter) -> bool:
    """Paint each page onto the printer at its resolution (the OS spooler is the only copy)."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        scale = printer.resolution() / 72
        for i, img in enumerate(page_images(pdf, min(scale, 4.0))):
            if i:
                printer.newPage()
            target = painter.viewport()
            size = img.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(
                0,
                0,
                img.scaled(
                    size,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                ),
            )
    finally:
        painter.end()
    return True


class CaseFilePrintDialog(QDialog):
    """Choose what goes into the case file; private notes only by an explicit tick."""

    def __init__(self, vault: OpenVault, student_id: str, parent=None) -> None:
        from PySide6.QtWidgets import QCheckBox

        from app.reports.case_file import DEFAULT_SECTIONS, SECTIONS, section_title
        from app.ui.form_parts import dialog_buttons, error_label

        super().__init__(parent)
        self.setObjectName("case_file_print_dialog")
        self.setWindowTitle(_("Print the case file"))
        self.vault, self.student_id = vault, student_id
        self.preview: PrintPreview | None = None
        layout = QVBoxLayout(self)
        self.checks: dict[str, QCheckBox] = {}
        for key in SECTIONS:
            box = QCheckBox(section_title(key), objectName=f"section_{key}")
            box.setChecked(key in DEFAULT_SECTIONS)
            if key == "private_notes":
                box.setEnabled(printing.may_include_private(vault))
                box.setStyleSheet("color: #b00020")
            self.checks[key] = box
            layout.addWidget(box)
        layout.addWidget(
            QLabel(
                _(
                    "Every print is marked with your name, the time and a serial number, "
                    "and recorded in the audit log."
                )
            )
        )
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, self.make))

    def make(self) -> PrintPreview | None:
        chosen = tuple(k for k, b in self.checks.items() if b.isChecked())
        try:
            with busy(generating()):
                pdf, serial = printing.case_file(
                    self.vault,
                    self.student_id,
                    sections=chosen,
                    include_private="private_notes" in chosen,
                )
        except Exception as exc:
            self.error.setText(message_for(exc))
            return None
        self.accept()
        with busy(generating()):
            self.preview = PrintPreview(self.vault, pdf, serial, _("Case file"), self.parent())
        self.preview.open()
        return self.preview


def show_document(
    parent, vault: OpenVault, make: Callable[[], tuple[bytes, str]], title: str
) -> PrintPreview:
    """Build a document (busy cursor and 正在生成… while it is made) and preview it."""
    with busy(generating()):
        pdf, serial = make()
        preview = PrintPreview(vault, pdf, serial, title, parent)
    preview.open()
    return preview
