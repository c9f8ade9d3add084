"""Slips, blank answer sheets and the recovery sheet, read back from real PDFs."""

import subprocess

from app.services import assessments, printing, students, warnings


def text(pdf: bytes) -> str:
    """Whitespace-free text in content order (-raw), so the diagonal watermark does not interleave."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    return "".join(out.decode("utf-8").split())


def test_head_teacher_slips_carry_no_scores_scales_or_levels(populated_vault):
    kids = students.search_students(populated_vault, limit=3)
    for k in kids:
        assessments.record_result(populated_vault, k.id, "PHQ-9", [2] * 8 + [1], mode="paper")
    ids = [w.id for w in warnings.queue(populated_vault)]
    for wid in ids:
        warnings.review(populated_vault, wid, confirmed=True, note="面谈确认")
    pdf, serial = printing.slips(populated_vault, ids, "head_teacher")
    body = text(pdf)
    assert (
        all(k.name in body for k in kids) and "学生关注告知单（班主任）" in body and serial in body
    )
    for forbidden in ("PHQ", "中重度", "一级", "量表", "得分", "总分"):
        assert forbidden not in body.replace(serial, "")


def test_blank_answer_sheets_follow_the_roster_order_of_paper_entry(populated_vault):
    cls = students.grades_and_classes(populated_vault)[0].classes[0]
    roster = students.search_students(
        populated_vault, students.StudentFilter(class_id=cls.id, status="enrolled"), sort="name"
    )
    pdf, _ = printing.answer_sheets(populated_vault, "GAD-7", cls.id)
    body = text(pdf)
    positions = [body.index(r.name + "班级") for r in roster]
    assert positions == sorted(positions)
    assert "0=完全不会1=好几天2=一半以上的天数3=几乎每天" in body and "1234567" in body


def test_the_recovery_sheet_shows_the_code(make_vault):
    vault, code = make_vault()
    pdf, _ = printing.recovery_sheet(vault, code)
    assert code in text(pdf) and vault.vault_id in text(pdf)


def test_an_assessment_report_has_the_profile_against_the_norm(populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    row, _r = assessments.record_result(populated_vault, kid.id, "SCL-90", [2] * 90, mode="paper")
    pdf, serial = printing.assessment_report(populated_vault, row.id)
    body = text(pdf)
    assert "个人测评报告·症状自评量表（SCL-90）" in body and "强迫症状2▲≥256.6" in body
    assert "本报告为筛查结果，不构成诊断" in body and serial in body


def test_a_class_summary_counts_bands_and_completion_without_names(populated_vault):
    kids = students.search_students(populated_vault, limit=3)
    for k, answers in zip(kids, ([0] * 7, [2] * 7, [3] * 7), strict=True):
        assessments.record_result(populated_vault, k.id, "GAD-7", answers, mode="paper")
    pdf, _ = printing.class_summary(populated_vault, "GAD-7")
    body = text(pdf)
    assert "筛查汇总（去标识化）" in body and "无或极轻" in body and "已测" in body
    assert not any(k.name in body for k in kids)


def test_the_workload_report_lists_each_teacher(populated_vault):
    import datetime as dt

    from app.services import records

    kid = students.search_students(populated_vault, limit=1)[0]
    records.create_record(
        populated_vault,
        "session",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 10, 1, 9),
        body={"risk_suicide": "none", "risk_self_harm": "none", "risk_others": "none"},
    )
    pdf, _ = printing.workload_report(populated_vault, dt.date(2026, 9, 1), dt.date(2027, 1, 31))
    assert "王老师1" in text(pdf)
