"""Print from the archive: sections, preview from memory, print through QPrinter, no temp files."""

import os
import subprocess
import tempfile

from PySide6.QtPrintSupport import QPrinter

from app.services import records, students
from app.ui.application import Shell
from app.ui.tasks import TaskRunner


def test_preview_and_print_leave_no_temporary_file(qtbot, populated_vault, tmp_path):
    kid = students.search_students(populated_vault, limit=1)[0]
    import datetime as dt

    records.create_record(
        populated_vault,
        "private_note",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 9, 1),
        body={"text": "PRIVATE-CANARY"},
    )
    shell = Shell(populated_vault.root, runner=TaskRunner(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    shell.workspace.open_student(kid.id)
    before = set(os.listdir(tempfile.gettempdir()))
    dialog = shell.workspace.archive.print_case_file()
    assert not dialog.checks["private_notes"].isChecked()
    preview = dialog.make()
    assert len(preview.images) >= 2 and "编号" in preview.info.text()
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert preview.print_(printer)
    assert set(os.listdir(tempfile.gettempdir())) - before == set()
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert any(line.split() == ["Pages:", str(len(preview.images))] for line in info.splitlines())
    preview.close()
    shell.lock()
