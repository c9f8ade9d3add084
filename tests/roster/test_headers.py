"""Finding the header under title rows and mapping Chinese column names."""

from app.roster.headers import guess_header


def test_the_header_is_found_below_title_rows():
    grid = [
        ["2026学年学生名册"] + [None] * 4,
        [None] * 5,
        ["序号", "学籍号", "学生姓名", "年级", "班别"],
        [1, "G1", "张三", "七年级", "1班"],
    ]
    guess = guess_header(grid)
    assert guess.row_index == 2
    assert guess.mapping == {1: "student_no", 2: "name", 3: "grade", 4: "class"}


def test_a_two_row_guardian_header_is_combined():
    grid = [
        ["学籍号", "姓名", "年级", "班级", "监护人", "监护人"],
        ["学籍号", "姓名", "年级", "班级", "姓名", "电话"],
    ]
    guess = guess_header(grid)
    assert guess.row_index == 1
    assert guess.mapping[4] == "guardian_name"
    assert guess.mapping[5] == "guardian_phone"


def test_no_name_column_means_no_header():
    assert guess_header([["a", "b"], [1, 2]]) is None
