"""Cell parsing: the date, grade, class and 学籍号 forms schools actually use."""

import datetime as dt
import re

import pytest

from app.roster import fields, studentno
from app.roster.fields import FieldProblem


@pytest.mark.parametrize(
    "value",
    [
        "2012-03-05",
        "2012/3/5",
        "2012.03.05",
        "20120305",
        "2012年3月5日",
        dt.date(2012, 3, 5),
        dt.datetime(2012, 3, 5, 0, 0),
        40973,
        "2012-03-05 00:00:00",
    ],
)
def test_accepted_date_forms(value):
    assert fields.parse_date(value) == dt.date(2012, 3, 5)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2012-02-30", "not a real calendar date"),
        ("1880-01-01", "the year is not plausible for a student"),
        ("三月五日", "not a date (use e.g. 2012-03-05)"),
    ],
)
def test_rejected_dates_say_why(value, reason):
    with pytest.raises(FieldProblem, match=re.escape(reason)):
        fields.parse_date(value)


@pytest.mark.parametrize(
    ("value", "level"),
    [("七年级", 7), ("初一", 7), ("高三", 12), ("9", 9), ("2026级高一", 10), ("八年级", 8)],
)
def test_grades(value, level):
    assert fields.parse_grade(value) == level


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("3", 3),
        ("3班", 3),
        ("(3)班", 3),
        ("七年级3班", 3),
        ("高一（12）班", 12),
        ("三班", 3),
        ("十二班", 12),
        (3.0, 3),
        ("41班", 41),
        ("高三（99）班", 99),
    ],
)
def test_classes(value, number):
    assert fields.parse_class(value) == number


def test_class_100_is_refused():
    with pytest.raises(fields.FieldProblem):
        fields.parse_class("100班")


def test_a_valid_g_number_passes():
    body = "44990020120305001"
    sno = "G" + body + studentno.id_check_digit(body)
    assert studentno.problem(sno) is None
    assert studentno.birth_date_of(sno) == dt.date(2012, 3, 5)


def test_a_wrong_check_digit_is_caught():
    body = "44990020120305001"
    wrong = "0" if studentno.id_check_digit(body) != "0" else "1"
    assert studentno.problem("G" + body + wrong) == "check_digit"


@pytest.mark.parametrize("sno", ["L20120305123456789X", "J201203051234567890"[:19]])
def test_temporary_numbers_pass_on_format(sno):
    assert studentno.problem(sno) is None


@pytest.mark.parametrize("sno", ["G123", "440703201203050011", "X449900201203050011", ""])
def test_malformed_numbers_are_refused(sno):
    assert studentno.problem(sno) == "format"


def test_the_known_check_digit_example_from_gb11643():
    assert studentno.id_check_digit("11010519491231002") == "X"
