"""Roster import through the one service the CLI and the wizard share."""

import pytest
from sqlalchemy import func, select

from app.errors import RosterError
from app.models import ChangeLog, Guardian, Student
from app.services import roster_import, students, synthetic


def test_a_gbk_csv_with_a_title_row_imports_every_student(vault, tmp_path, roster_students):
    path = synthetic.write_roster_csv(
        tmp_path / "gbk.csv", roster_students, encoding="gbk", title="2026学年第一学期学生名册"
    )
    report = roster_import.import_roster(vault, path)
    assert (report.created, report.updated, report.unchanged, report.invalid) == (120, 0, 0, [])
    first = roster_students[0]
    found = students.search_students(vault, students.StudentFilter(query=first.student_no))
    assert [r.name for r in found] == [first.name]


def test_a_utf8_bom_csv_imports(vault, tmp_path, roster_students):
    path = synthetic.write_roster_csv(tmp_path / "bom.csv", roster_students, encoding="utf-8-sig")
    assert roster_import.import_roster(vault, path).created == 120


def test_an_xlsx_with_a_merged_title_and_date_cells_imports(vault, tmp_path, roster_students):
    path = synthetic.write_roster_xlsx(tmp_path / "r.xlsx", roster_students, title="学生名单")
    report = roster_import.import_roster(vault, path)
    assert report.created == 120
    archive = students.student_archive(
        vault,
        students.search_students(
            vault, students.StudentFilter(query=roster_students[5].student_no)
        )[0].id,
    )
    assert archive.row.birth_date == roster_students[5].birth_date
    assert archive.guardians[0].phone == roster_students[5].guardian_phone


BAD_ROWS = [
    [
        "G449900201203050010",
        "李四",
        "男",
        "2012-03-05",
        "七年级",
        "1班",
        "否",
        "否",
        "李父",
        "父亲",
        "17000000001",
    ],
    ["G12345", "赵五", "男", "2012-03-05", "七年级", "1班", "否", "否", "", "", ""],
    ["L20120305123456789X", "", "女", "2012-03-05", "七年级", "1班", "否", "否", "", "", ""],
    [
        "L20120305123456788X",
        "钱六",
        "男",
        "2012-02-30",
        "十三年级",
        "1班",
        "也许",
        "否",
        "",
        "",
        "123",
    ],
]


def test_every_invalid_row_is_reported_with_row_column_and_reason(vault, tmp_path, roster_students):
    path = synthetic.write_roster_xlsx(
        tmp_path / "bad.xlsx", roster_students[:5], title="名单", extra_rows=BAD_ROWS
    )
    report = roster_import.import_roster(vault, path)
    problems = [(p.row, p.column, p.reason) for p in report.invalid]
    assert ("学籍号" in problems[0][1]) and problems[0][0] == 8
    assert problems[0][2] == "学籍号中身份证号的校验位错误"
    assert (9, "学籍号", "学籍号应为 G 加 18 位身份证号，或以 L/J 开头的临时学籍号") in problems
    assert (10, "姓名", "缺少姓名") in problems
    assert (11, "出生日期", "不是有效的日期") in problems
    assert (11, "年级", "无法识别的年级（例如 七年级、高一）") in problems
    assert (11, "是否住校", "请填写“是”或“否”") in problems
    assert (11, "联系电话", "不是有效的电话号码") in problems


def test_a_file_with_invalid_rows_imports_nothing(vault, tmp_path, roster_students):
    path = synthetic.write_roster_csv(tmp_path / "bad.csv", roster_students, extra_rows=BAD_ROWS)
    report = roster_import.import_roster(vault, path)
    assert not report.applied and report.created == 0
    assert students.count_students(vault) == 0


def test_skip_invalid_imports_only_the_valid_rows(vault, tmp_path, roster_students):
    path = synthetic.write_roster_csv(tmp_path / "bad.csv", roster_students, extra_rows=BAD_ROWS)
    report = roster_import.import_roster(vault, path, skip_invalid=True)
    assert report.applied and report.created == 120
    assert students.count_students(vault) == 120


def test_a_dry_run_reports_but_writes_nothing(vault, roster_csv):
    report = roster_import.import_roster(vault, roster_csv, dry_run=True)
    assert report.created == 120 and not report.applied
    assert students.count_students(vault) == 0


def test_reimporting_the_same_file_changes_nothing(populated_vault, roster_csv):
    with populated_vault.session() as s:
        changes_before = s.scalar(select(func.count()).select_from(ChangeLog))
    report = roster_import.import_roster(populated_vault, roster_csv)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 120)
    with populated_vault.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 120
        assert s.scalar(select(func.count()).select_from(Guardian)) == 120
        assert s.scalar(select(func.count()).select_from(ChangeLog)) == changes_before


def test_a_class_move_updates_the_student_and_is_reported(
    populated_vault, tmp_path, roster_students
):
    moved = roster_students[0]
    changed = [
        synthetic.SyntheticStudent(**{**moved.__dict__, "class_no": 9}),
        *roster_students[1:],
    ]
    path = synthetic.write_roster_csv(tmp_path / "moved.csv", changed)
    report = roster_import.import_roster(populated_vault, path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 119)
    assert [(c.student_no, c.old, c.new) for c in report.class_changes] == [
        (moved.student_no, "七年级1班", "七年级9班")
    ]
    with populated_vault.session() as s:
        row = s.scalars(select(ChangeLog).where(ChangeLog.op == "update")).one()
    assert row.entity == "student" and set(row.changes) == {"class_id"}


def test_formula_like_text_is_stored_as_plain_text(vault, tmp_path, roster_students):
    st = roster_students[0]
    hostile = synthetic.SyntheticStudent(**{**st.__dict__, "guardian_name": '=HYPERLINK("x")'})
    path = synthetic.write_roster_csv(tmp_path / "f.csv", [hostile])
    roster_import.import_roster(vault, path)
    row = students.search_students(vault)[0]
    assert students.student_archive(vault, row.id).guardians[0].name == '=HYPERLINK("x")'


def test_a_column_mapping_can_be_adjusted(vault, tmp_path, roster_students):
    path = synthetic.write_roster_csv(tmp_path / "r.csv", roster_students[:3])
    preview = roster_import.preview_roster(path)
    mapping = {c: f for c, f in preview.header.mapping.items() if f != "guardian_phone"}
    report = roster_import.import_roster(vault, path, mapping=mapping)
    assert report.created == 3
    row = students.search_students(vault)[0]
    assert students.student_archive(vault, row.id).guardians[0].phone is None


def test_every_insert_writes_a_change_log_row_in_the_same_transaction(populated_vault):
    with populated_vault.session() as s:
        inserted = s.scalar(
            select(func.count())
            .select_from(ChangeLog)
            .where(ChangeLog.entity == "student", ChangeLog.op == "insert")
        )
        sample = s.scalars(select(ChangeLog).where(ChangeLog.entity == "student")).first()
    assert inserted == 120
    assert sample.changes["status"] == "enrolled"


def test_archive_rows_are_never_hard_deleted(populated_vault):
    from app.db.changes import HardDeleteRefused

    with pytest.raises(HardDeleteRefused), populated_vault.session() as s:
        s.delete(s.scalars(select(Student)).first())
        s.flush()
    assert students.count_students(populated_vault) == 120


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 .xls 文件"),
        ("broken.xlsx", b"PK\x03\x04garbage", "Excel 文件已损坏"),
        ("empty.csv", b"", "没有找到含“姓名”列的表头"),
        ("binary.csv", bytes(range(256)) * 4, "不是文本格式的 CSV 文件|文字编码"),
    ],
)
def test_unreadable_files_get_a_clear_chinese_error(vault, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterError, match=message):
        roster_import.import_roster(vault, path)


def test_a_viewer_may_not_import(make_vault, roster_csv):
    from app.errors import PermissionDenied
    from app.services import vaults
    from tests.conftest import FAST_KDF

    vault, _ = make_vault()
    vault.kdf = FAST_KDF
    vaults.add_user(
        vault, login="boss", display_name="校长", role="viewer", passphrase="viewer-pass-1"
    )
    vault.lock()
    viewer = vaults.unlock(vault.root, "viewer-pass-1", "boss")
    with pytest.raises(PermissionDenied, match="导入学生名册"):
        roster_import.import_roster(viewer, roster_csv)
    viewer.lock()
