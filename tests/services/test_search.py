"""Search as the teacher types: name, full pinyin, initials, 学籍号; filters and SQL sorting."""

import pytest

from app.roster.names import pinyin_keys
from app.services import students
from app.services.students import StudentFilter


def names(vault, **kw):
    return {r.name for r in students.search_students(vault, StudentFilter(**kw))}


def test_pinyin_keys():
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert pinyin_keys("欧阳娜娜") == ("ouyangnana", "oynn")


def test_search_by_part_of_a_name(populated_vault, roster_students):
    target = roster_students[10]
    assert target.name in names(populated_vault, query=target.name[1:])


def test_search_by_full_pinyin_and_by_initials(populated_vault, roster_students):
    target = roster_students[20]
    full, initials = pinyin_keys(target.name)
    assert target.name in names(populated_vault, query=full)
    assert target.name in names(populated_vault, query=initials.upper())
    assert all(
        pinyin_keys(n)[1].startswith(initials) or pinyin_keys(n)[0].startswith(initials)
        for n in names(populated_vault, query=initials)
    )


def test_search_by_student_number_fragment(populated_vault, roster_students):
    target = roster_students[30]
    rows = students.search_students(populated_vault, StudentFilter(query=target.student_no[-8:]))
    assert [r.student_no for r in rows] == [target.student_no]


def test_like_wildcards_in_a_query_are_literal(populated_vault):
    assert names(populated_vault, query="%") == set()
    assert names(populated_vault, query="_") == set()


def test_filter_by_grade_and_class(populated_vault, roster_students):
    grades = students.grades_and_classes(populated_vault)
    seventh = next(g for g in grades if g.level == 7)
    cls = seventh.classes[0]
    rows = students.search_students(populated_vault, StudentFilter(grade_level=7, class_id=cls.id))
    expected = {s.name for s in roster_students if s.grade == 7 and s.class_no == 1}
    assert {r.name for r in rows} == expected
    assert {r.class_name for r in rows} == {"1班"}


def test_filter_by_status(populated_vault):
    assert students.count_students(populated_vault, StudentFilter(status="enrolled")) == 120
    assert students.count_students(populated_vault, StudentFilter(status="graduated")) == 0


@pytest.mark.parametrize("sort", students.SORT_KEYS)
def test_sorting_happens_in_sql_in_both_directions(populated_vault, sort):
    up = students.search_students(populated_vault, sort=sort)
    down = students.search_students(populated_vault, sort=sort, descending=True)
    assert len(up) == len(down) == 120
    assert up[0].id != down[0].id or sort == "status"


def test_paging_returns_disjoint_slices(populated_vault):
    first = students.search_students(populated_vault, sort="student_no", limit=50)
    second = students.search_students(populated_vault, sort="student_no", limit=50, offset=50)
    assert not {r.id for r in first} & {r.id for r in second}
    assert first[-1].student_no < second[0].student_no


def test_the_counselor_only_note_is_hidden_from_a_viewer(populated_vault, principal):
    row = students.search_students(populated_vault)[0]
    students.update_student_flags(populated_vault, row.id, diagnosis_note="既往诊断：焦虑（测试）")
    assert (
        students.student_archive(populated_vault, row.id).diagnosis_note == "既往诊断：焦虑（测试）"
    )
    assert students.student_archive(principal, row.id).diagnosis_note is None
