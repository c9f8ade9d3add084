"""The confidential case file: real PDFs, read back with poppler's pdftotext and pdffonts."""

import datetime as dt
import os
import subprocess
import tempfile

import pikepdf
import pytest
from sqlalchemy import select

from app.errors import PermissionDenied
from app.models import AuditEntry
from app.services import assessments, printing, records, students, vaults

NOW = dt.datetime(2026, 11, 28, 10, 30)


def text(pdf: bytes, page: int | None = None, raw: bool = False) -> str:
    args = (
        ["pdftotext"]
        + (["-raw"] if raw else [])
        + (["-f", str(page), "-l", str(page)] if page else [])
        + ["-", "-"]
    )
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def pages(pdf: bytes) -> int:
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def student(populated_vault):
    st = students.search_students(populated_vault, limit=1)[0]
    for i in range(3):
        assessments.record_result(
            populated_vault,
            st.id,
            "PHQ-9",
            [i] * 8 + [0],
            mode="paper",
            administered_at=dt.datetime(2026, 3 + i, 1),
        )
    records.create_record(
        populated_vault,
        "session",
        student_id=st.id,
        occurred_at=dt.datetime(2026, 9, 1, 10),
        body={
            "risk_suicide": "low",
            "risk_self_harm": "none",
            "risk_others": "none",
            "sections": {"complaint": "考试焦虑，入睡困难"},
        },
    )
    records.create_record(
        populated_vault,
        "private_note",
        student_id=st.id,
        occurred_at=dt.datetime(2026, 9, 1, 11),
        body={"text": "PRIVATE-CANARY 咨询师自我觉察"},
    )
    return st


def test_chinese_text_extracts_and_the_font_is_embedded(populated_vault, student):
    pdf, _serial = printing.case_file(populated_vault, student.id, now=NOW)
    body = text(pdf)
    assert (
        "学生心理健康档案（一生一档）" in body
        and student.name in body
        and "考试焦虑，入睡困难" in body
    )
    fonts = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line]
    assert cjk and all(" yes yes yes " in line for line in cjk)


def test_every_page_is_marked_numbered_and_watermarked(populated_vault, student):
    pdf, serial = printing.case_file(populated_vault, student.id, now=NOW)
    n = pages(pdf)
    assert n >= 2
    for page in range(1, n + 1):
        plain = "".join(text(pdf, page).split())
        assert "机密" in plain and f"第{page}页/共{n}页" in plain and f"编号{serial}" in plain
        squeezed = "".join(text(pdf, page, raw=True).split())
        assert f"王老师·2026-11-2810:30·{serial}" in squeezed


def test_private_notes_are_absent_unless_explicitly_included(populated_vault, student):
    pdf, _ = printing.case_file(populated_vault, student.id, now=NOW)
    assert "PRIVATE-CANARY" not in text(pdf)
    pdf, _ = printing.case_file(populated_vault, student.id, include_private=True, now=NOW)
    assert "PRIVATE-CANARY" in text(pdf) and "私人过程笔记（经明确选择打印）" in text(pdf)


def test_the_print_is_audited_with_serial_and_contents(populated_vault, student):
    _pdf, serial = printing.case_file(
        populated_vault, student.id, sections=("basic", "assessments"), now=NOW
    )
    with populated_vault.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "print")).one()
    assert (
        entry.object_id == student.id
        and serial in entry.detail
        and '"sections": ["basic", "assessments"]' in entry.detail
    )


def test_a_viewer_cannot_print_a_case_file(populated_vault, student, principal):
    with pytest.raises(PermissionDenied):
        printing.case_file(principal, student.id)


def test_rendering_and_printing_leave_no_file_in_the_temp_directory(populated_vault, student):
    tmpdir = tempfile.gettempdir()
    before = set(os.listdir(tmpdir))
    printing.case_file(populated_vault, student.id, now=NOW)
    assert set(os.listdir(tmpdir)) - before == set()


def test_saving_encrypts_with_aes256_and_plain_needs_the_admins_permission(
    populated_vault, student, tmp_path
):
    pdf, serial = printing.case_file(populated_vault, student.id, now=NOW)
    out = tmp_path / "case.pdf"
    printing.save_pdf(populated_vault, pdf, out, password="s3cret-pw", serial=serial)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(out)
    with pikepdf.open(out, password="s3cret-pw") as doc:
        assert doc.encryption.R == 6 and len(doc.pages) == pages(pdf)
    with pytest.raises(PermissionDenied):
        printing.save_pdf(
            populated_vault, pdf, tmp_path / "plain.pdf", password=None, serial=serial
        )
    vaults.set_setting(populated_vault, "allow_plain_export", True)
    printing.save_pdf(populated_vault, pdf, tmp_path / "plain.pdf", password=None, serial=serial)
    assert (tmp_path / "plain.pdf").read_bytes() == pdf


def test_every_record_kind_has_its_place_in_the_case_file():
    from app.records.kinds import CASE_FILE_SECTIONS, KINDS
    from app.reports.case_file import RECORD_SECTIONS

    assert {k for k, kind in KINDS.items() if kind.case_file not in CASE_FILE_SECTIONS} == set()
    assert sorted(k for kinds in RECORD_SECTIONS.values() for k in kinds) == sorted(KINDS)


def test_life_events_appointments_and_class_lessons_are_printed(populated_vault, student):
    """Five self-harm events each raised a red warning and were missing from the printout."""
    for day in range(1, 6):
        records.create_record(
            populated_vault,
            "life_event",
            student_id=student.id,
            occurred_at=dt.datetime(2026, 10, day, 9),
            body={"event_type": "self_harm", "description": f"第{day}次自伤"},
        )
    records.create_record(
        populated_vault,
        "appointment",
        student_id=student.id,
        occurred_at=dt.datetime(2026, 12, 1, 14),
        body={"purpose": "复学后随访"},
    )
    from app.models import Student

    with populated_vault.session() as s:
        class_id = s.get(Student, student.id).class_id
    records.create_record(
        populated_vault,
        "lesson",
        class_id=class_id,
        occurred_at=dt.datetime(2026, 10, 9, 8),
        body={"lesson_type": "lesson", "topic": "认识情绪"},
    )
    got = text(printing.case_file(populated_vault, student.id, now=NOW)[0], raw=True)
    assert "生活事件" in got and got.count("自伤或自杀行为") == 5
    assert "第5次自伤" in got
    assert "预约" in got and "复学后随访" in got
    assert "心理健康课与班会课" in got and "认识情绪" in got
