"""The roster kept by hand: a transfer in, a correction, a transfer out with its date, and the
template the importer reads back — checked by the same rules as an imported row."""

import datetime as dt
import random

import openpyxl
import pytest

from app.errors import PermissionDenied, ValidationError
from app.roster.template import HEADINGS, write_template
from app.services import roster_edit, roster_import, students
from app.services.synthetic import synthetic_student_no

NEW_NO = synthetic_student_no(random.Random(5), dt.date(2012, 3, 4), "F", 777)


def _entry(**over) -> roster_edit.StudentEntry:
    values = dict(
        student_no=NEW_NO,
        name="林小雨",
        grade=8,
        class_no=41,
        gender="F",
        guardian_name="林建国",
        guardian_relation="父亲",
        guardian_phone="13800001234",
    )
    return roster_edit.StudentEntry(**(values | over))


def test_a_student_added_by_hand_is_in_the_roster_with_class_and_guardian(populated_vault):
    sid = roster_edit.add_student(populated_vault, _entry())
    archive = students.student_archive(populated_vault, sid)
    assert (archive.row.name, archive.row.grade, archive.row.class_name) == (
        "林小雨",
        "八年级",
        "41班",
    )
    assert archive.row.birth_date == dt.date(2012, 3, 4)  # read from the 学籍号, as an import does
    assert [(g.name, g.relation, g.phone) for g in archive.guardians] == [
        ("林建国", "父亲", "13800001234")
    ]
    found = students.search_students(populated_vault, students.StudentFilter(query="lxy"))
    assert sid in [r.id for r in found]


def test_a_student_number_already_in_the_roster_is_refused_naming_the_student(populated_vault):
    known = students.search_students(populated_vault, limit=1)[0]
    with pytest.raises(ValidationError) as exc:
        roster_edit.add_student(populated_vault, _entry(student_no=known.student_no))
    assert known.name in str(exc.value)


def test_a_wrong_check_digit_is_refused_as_an_import_would_refuse_it(populated_vault):
    wrong = NEW_NO[:-1] + ("0" if NEW_NO[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        roster_edit.add_student(populated_vault, _entry(student_no=wrong))
    assert str(exc.value).startswith("学籍号：") and "校验位" in str(exc.value)


def test_a_correction_moves_the_class_and_updates_the_guardians_phone(populated_vault):
    sid = roster_edit.add_student(populated_vault, _entry())
    roster_edit.edit_student(
        populated_vault, sid, _entry(name="林小语", class_no=3, guardian_phone="13900005678")
    )
    archive = students.student_archive(populated_vault, sid)
    assert (archive.row.name, archive.row.class_name) == ("林小语", "3班")
    assert [g.phone for g in archive.guardians] == ["13900005678"]


def test_the_student_number_itself_is_not_changed_by_a_correction(populated_vault):
    sid = roster_edit.add_student(populated_vault, _entry())
    other = synthetic_student_no(random.Random(6), dt.date(2012, 5, 6), "F", 778)
    with pytest.raises(ValidationError):
        roster_edit.edit_student(populated_vault, sid, _entry(student_no=other))


def test_a_transfer_out_keeps_its_date_and_reason_and_leaves_the_enrolled_list(populated_vault):
    sid = roster_edit.add_student(populated_vault, _entry())
    enrolled = students.StudentFilter(status="enrolled")
    before = students.count_students(populated_vault, enrolled)
    roster_edit.change_status(
        populated_vault, sid, "transferred", dt.date(2026, 11, 30), "随父母迁往广州"
    )
    archive = students.student_archive(populated_vault, sid)
    assert (archive.row.status, archive.status_on, archive.status_note) == (
        "transferred",
        dt.date(2026, 11, 30),
        "随父母迁往广州",
    )
    assert students.count_students(populated_vault, enrolled) == before - 1


def test_a_status_change_dated_in_the_future_is_refused(populated_vault):
    sid = roster_edit.add_student(populated_vault, _entry())
    with pytest.raises(ValidationError):
        roster_edit.change_status(
            populated_vault, sid, "graduated", dt.date.today() + dt.timedelta(days=1)
        )


def test_only_those_who_keep_the_roster_may_change_it(populated_vault):
    from app.services import vaults

    vaults.add_user(
        populated_vault,
        login="teacher",
        display_name="李老师",
        role="counselor",
        passphrase="counselor-pass-1",
    )
    counselor = vaults.unlock(populated_vault.root, "counselor-pass-1", "teacher")
    try:
        with pytest.raises(PermissionDenied):
            roster_edit.add_student(counselor, _entry())
    finally:
        counselor.lock()


def test_the_template_is_read_back_by_the_importer_every_column_known(tmp_path):
    path = write_template(tmp_path / "名册模板.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet = wb.worksheets[0]
    sheet.append(
        [
            NEW_NO,
            "林小雨",
            "女",
            "八年级",
            "3班",
            "",
            "在读",
            "否",
            "是",
            "否",
            "林建国",
            "父亲",
            "13800001234",
        ]
    )
    wb.save(path)
    preview = roster_import.preview_roster(path)
    assert preview.problems == []
    assert len(preview.header.mapping) == len(HEADINGS)
    (row,) = preview.rows
    assert (row.student_no, row.grade, row.class_no, row.left_behind) == (NEW_NO, 8, 3, True)


def test_an_empty_template_imports_nothing_and_reports_no_problem(tmp_path):
    preview = roster_import.preview_roster(write_template(tmp_path / "t.xlsx"))
    assert (preview.rows, preview.problems) == ([], [])


def test_a_status_change_goes_on_the_timeline_and_into_the_case_file(populated_vault):
    import datetime as dt

    from app.services import printing, records
    from tests.reports.test_documents import text

    kid = students.search_students(populated_vault, limit=1)[0]
    on = dt.date.today() - dt.timedelta(days=3)
    roster_edit.change_status(populated_vault, kid.id, "suspended", on, "因病休学一学期")
    [entry] = [e for e in records.timeline(populated_vault, kid.id) if e.kind == "status_change"]
    stored = records.get_record(populated_vault, entry.id).body
    assert stored == {"status": "suspended", "since": on.isoformat(), "reason": "因病休学一学期"}
    body = text(printing.case_file(populated_vault, kid.id)[0])
    assert "学籍变动（转出、毕业、休学）" in body and "因病休学一学期" in body


def test_every_guardian_is_edited_in_one_table(populated_vault):
    kid = students.search_students(populated_vault, limit=1)[0]
    [first] = roster_edit.guardians_of(populated_vault, kid.id)
    entry = roster_edit.GuardianEntry
    roster_edit.set_guardians(
        populated_vault,
        kid.id,
        [
            entry(first.name, first.relation, "138 0013 8000"),
            entry("李红", "母亲", "13900139000"),
            entry("", "", ""),
        ],
    )
    assert roster_edit.guardians_of(populated_vault, kid.id) == [
        entry(first.name, first.relation, "13800138000"),
        entry("李红", "母亲", "13900139000"),
    ]
    roster_edit.set_guardians(populated_vault, kid.id, [entry("李红", "母亲", "13900139000")])
    assert [g.name for g in roster_edit.guardians_of(populated_vault, kid.id)] == ["李红"]
    with pytest.raises(ValidationError, match="第 1 位监护人"):
        roster_edit.set_guardians(populated_vault, kid.id, [entry("王五", "父亲", "12ab")])
