"""Paper students and parents hold: a neutral title, no 机密, no clinical name; complete
questionnaires where the texts ship; the feedback sheet and parent letter say screening is
not diagnosis and what happens next."""

import pytest

from app.errors import ValidationError
from app.services import printing, student_papers, students
from tests.reports.test_documents import text

CLINICAL = ("机密", "PHQ", "GAD", "抑郁", "焦虑", "患者", "量表", "诊断为")


@pytest.fixture
def cls(populated_vault):
    return students.grades_and_classes(populated_vault)[0].classes[0]


def roster(vault, cls):
    return students.search_students(
        vault, students.StudentFilter(class_id=cls.id, status="enrolled"), sort="name"
    )


@pytest.mark.parametrize("kind", ["answer_sheets", "questionnaires"])
def test_student_sheets_carry_a_neutral_title_and_no_clinical_words(populated_vault, cls, kind):
    pdf, serial = student_papers.print_papers(populated_vault, kind, "PHQ-9", cls.id)
    body = text(pdf)
    assert "心理健康问卷" in body and serial in body
    for word in CLINICAL:
        assert word not in body, word


def test_the_default_titles_differ_by_scale_and_can_be_set(populated_vault):
    a = student_papers.neutral_title(populated_vault, "PHQ-9")
    b = student_papers.neutral_title(populated_vault, "GAD-7")
    assert a != b and a.startswith("心理健康问卷 ")
    student_papers.set_neutral_title(populated_vault, "PHQ-9", "成长问卷 甲")
    body = text(printing.answer_sheets(populated_vault, "PHQ-9")[0])
    assert "成长问卷甲" in body
    with pytest.raises(ValidationError, match="请给问卷起一个学生可以看到的标题"):
        student_papers.set_neutral_title(populated_vault, "PHQ-9", "  ")


def test_a_complete_questionnaire_prints_every_item_with_its_boxes(populated_vault, cls):
    pdf, _s = student_papers.print_papers(populated_vault, "questionnaires", "GAD-7", cls.id)
    body = text(pdf)
    kids = roster(populated_vault, cls)
    assert all(k.name in body for k in kids)
    first = body.split(kids[1].name)[0]  # the first student's pages
    assert "1感觉紧张、焦虑或急切" in first
    assert first.count("□") == 7 * 4
    assert "完全不会" in first and "几乎每天" in first


def test_a_scale_without_shipped_texts_has_no_questionnaire(populated_vault):
    with pytest.raises(ValidationError, match="版权不允许"):
        student_papers.print_papers(populated_vault, "questionnaires", "SCL-90")


def test_the_feedback_sheet_says_screening_is_not_diagnosis_and_names_no_result(
    populated_vault, cls
):
    body = text(student_papers.print_papers(populated_vault, "feedback", "PHQ-9", cls.id)[0])
    kids = roster(populated_vault, cls)
    assert all(f"{k.name}同学" in body for k in kids)
    assert "不是考试，也不是诊断" in body and "12356" in body
    for word in ("机密", "阳性", "得分", "PHQ", "抑郁"):
        assert word not in body, word


def test_the_parent_letter_says_what_happens_next(populated_vault, cls):
    body = text(student_papers.print_papers(populated_vault, "parent_letters", "PHQ-9", cls.id)[0])
    kid = roster(populated_vault, cls)[0]
    assert f"尊敬的{kid.name}同学家长" in body
    assert "结果不等于诊断" in body and "心理教师会单独与您联系" in body and "12356" in body
    assert "机密" not in body and "PHQ" not in body
