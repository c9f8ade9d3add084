"""Print from the archive: sections, preview from memory, print through QPrinter, no temp files."""

import os
import subprocess
import tempfile

from PySide6.QtWidgets import QPushButton

from app.services import records, students
from app.ui.application import Shell
from app.ui.ops import Ops
from tests.ui.modals import answer_modals, click, click_ok, print_to_file


def test_preview_and_print_leave_no_temporary_file(qtbot, populated_vault, tmp_path, monkeypatch):
    # A temp directory of this test's own: other processes on the machine cannot add to it.
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    kid = students.search_students(populated_vault, limit=1)[0]
    import datetime as dt

    records.create_record(
        populated_vault,
        "private_note",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 9, 1),
        body={"text": "PRIVATE-CANARY"},
    )
    shell = Shell(populated_vault.root, runner=Ops(inline=True))
    qtbot.addWidget(shell)
    shell.enter(populated_vault)
    shell.workspace.open_student(kid.id)
    dialog = shell.workspace.archive.print_case_file()
    assert not dialog.checks["private_notes"].isChecked()
    click_ok(dialog)
    preview = dialog.preview
    assert len(preview.images) >= 2 and "编号" in preview.info.text()
    out = tmp_path / "printed.pdf"
    seen = answer_modals(print_to_file(str(out)))
    click(preview.findChild(QPushButton, "print_button"))
    assert seen == ["打印"]
    assert os.listdir(private_tmp) == []
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert any(line.split() == ["Pages:", str(len(preview.images))] for line in info.splitlines())
    preview.close()
    shell.lock()


def test_every_printable_document_opens_in_the_preview(qtbot, populated_vault):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.services import assessments, warnings
    from app.ui.assessments_page import AssessmentsPage
    from app.ui.print_preview import PrintPreview
    from app.ui.records_page import RecordsPage
    from app.ui.warnings_page import WarningsPage
    from tests.ui.modals import answer_modals, press

    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [1], mode="paper")
    [w] = warnings.queue(populated_vault)
    warnings.review(populated_vault, w.id, confirmed=True, note="面谈确认")
    wpage = WarningsPage(populated_vault)
    apage = AssessmentsPage(populated_vault)
    rpage = RecordsPage(populated_vault)
    for page in (wpage, apage, rpage):
        qtbot.addWidget(page)
    cls = students.grades_and_classes(populated_vault)[0].classes[0].id
    wpage.show()
    seen = answer_modals(press("OK", "确定"))  # the role: 班主任 is offered first
    QTest.mouseClick(wpage.findChild(object, "slips_button"), Qt.MouseButton.LeftButton)
    assert seen == ["打印告知单"]
    previews = [
        wpage.findChild(PrintPreview),
        apage.print_answer_sheets("GAD-7", cls).preview,
        apage.print_answer_sheets("PHQ-9", None).preview,
        apage.print_summary("PHQ-9").preview,
        rpage.print_workload().preview,
    ]
    for preview in previews:
        assert preview.images and preview.serial.startswith("XD")
        preview.close()


def test_the_reports_page_shows_the_same_chart_and_prints(qtbot, populated_vault):
    from app.services import assessments
    from app.ui.reports_page import ReportsPage

    for k in students.search_students(populated_vault, limit=4):
        assessments.record_result(populated_vault, k.id, "PHQ-9", [1] * 9, mode="paper")
    page = ReportsPage(populated_vault)
    qtbot.addWidget(page)
    assert page.chart.pixmap().isNull()  # made when the page is first shown, not before
    page.show()
    assert not page.chart.pixmap().isNull()
    preview = page.print_summary().preview
    assert preview.images
    preview.close()
