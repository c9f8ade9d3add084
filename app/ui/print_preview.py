"""Preview and print a confidential PDF from memory: no temporary file is ever written.

Pages are rasterised with pdfium straight from the bytes; printing paints the same pages on a
QPrinter; saving a copy is a separate, explicit step that encrypts it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
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
from app.ui.busy import generating
from app.ui.buttons import push_button
from app.ui.errors import message_for
from app.ui.ops import current, wait

PREVIEW_SCALE = 1.3


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


class PageView(QWidget):
    """One page, painted straight from its image when it is on screen: no pixmap is made for
    every page up front (that was the preview's pause on the window's thread)."""

    def __init__(self, image: QImage, parent=None) -> None:
        super().__init__(parent)
        self.image = image
        self.setFixedSize(image.size())

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.end()


class PrintPreview(QDialog):
    def __init__(
        self,
        vault: OpenVault,
        pdf: bytes,
        serial: str,
        title: str,
        parent=None,
        images: list[QImage] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWindowTitle(_("Preview: {title} ({serial})").format(title=title, serial=serial))
        self.vault, self.pdf, self.serial = vault, pdf, serial
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        inner = QWidget()
        pages = QVBoxLayout(inner)
        self.images = images if images is not None else page_images(pdf, PREVIEW_SCALE)
        for img in self.images:
            pages.addWidget(PageView(img), 0, Qt.AlignmentFlag.AlignHCenter)
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

    def print_(self) -> None:
        """The system print dialog chooses the printer (or 打印到文件); nothing else is kept.
        The pages are rasterised at the printer's resolution in the CPU lane, then painted."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        scale = min(printer.resolution() / 72, 4.0)
        pdf = self.pdf
        current().long(
            _("Printing…"),
            lambda _progress: page_images(pdf, scale),
            lambda images: paint_images(images, printer),
            lambda exc: QMessageBox.warning(self, _("Print"), message_for(exc)),
            lane="cpu",
        )

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
            pdf, serial = self.pdf, self.serial
            wait(lambda: printing.save_pdf(self.vault, pdf, path, password=password, serial=serial))
        except Exception as exc:
            QMessageBox.warning(self, _("Save"), message_for(exc))
            return False
        return True


def paint_pages(pdf: bytes, printer: QPrinter) -> bool:
    """Paint each page onto the printer at its resolution (the OS spooler is the only copy)."""
    return paint_images(page_images(pdf, min(printer.resolution() / 72, 4.0)), printer)


def paint_images(images: list[QImage], printer: QPrinter) -> bool:
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        for i, img in enumerate(images):
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
        from PySide6.QtWidgets import QGridLayout

        layout = QVBoxLayout(self)
        self.checks: dict[str, QCheckBox] = {}
        grid = QGridLayout()  # two columns: a school PC's short screen holds every section
        half = (len(SECTIONS) + 1) // 2
        for i, key in enumerate(SECTIONS):
            box = QCheckBox(section_title(key), objectName=f"section_{key}")
            box.setChecked(key in DEFAULT_SECTIONS)
            if key == "private_notes":
                box.setEnabled(printing.may_include_private(vault))
                box.setStyleSheet("color: #b00020")
            self.checks[key] = box
            grid.addWidget(box, i % half, i // half)
        layout.addLayout(grid)
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
        self.buttons = dialog_buttons(self, self.make)
        layout.addWidget(self.buttons)

    def make(self) -> None:
        chosen = tuple(k for k, b in self.checks.items() if b.isChecked())
        vault, student_id = self.vault, self.student_id
        self.buttons.setEnabled(False)
        self.error.setText(generating())

        def opened(preview: PrintPreview) -> None:
            self.preview = preview
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.error.setText(message_for(exc))

        show_document(
            self.parent(),
            vault,
            lambda: printing.case_file(
                vault, student_id, sections=chosen, include_private="private_notes" in chosen
            ),
            _("Case file"),
            on_open=opened,
            on_error=failed,
        )


@dataclass
class DocumentJob:
    """A document being made; `preview` once it is open."""

    preview: PrintPreview | None = None


def show_document(
    parent,
    vault: OpenVault,
    make: Callable[[], tuple[bytes, str]],
    title: str,
    *,
    on_open: Callable[[PrintPreview], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> DocumentJob:
    """Build a document in the database lane, rasterise its pages in the CPU lane, then open the
    preview — the window stays live throughout (正在生成… in the status bar)."""
    job = DocumentJob()
    ops = current()

    def failed(exc: BaseException) -> None:
        if on_error is not None:
            on_error(exc)
        else:
            QMessageBox.warning(parent, title, message_for(exc))

    def rasterise(made: tuple[bytes, str]) -> None:
        pdf, serial = made

        def show(images: list[QImage]) -> None:
            job.preview = PrintPreview(vault, pdf, serial, title, parent, images=images)
            job.preview.open()
            if on_open is not None:
                on_open(job.preview)

        ops.long(
            generating(),
            lambda _progress: page_images(pdf, PREVIEW_SCALE),
            show,
            failed,
            lane="cpu",
        )

    ops.long(generating(), lambda _progress: make(), rasterise, failed)
    return job
