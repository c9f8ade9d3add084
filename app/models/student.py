"""Students and their guardians: the heart of 一生一档."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Tracked
from app.models.fieldcrypt import ClinicalText
from app.models.school import SchoolClass

STATUSES = ("enrolled", "transferred", "graduated", "suspended")
GENDERS = ("M", "F")
FAMILY_FLAGS = (
    "divorced",
    "remarried",
    "orphan",
    "bereaved",
    "low_income",
    "migrant",
    "disabled_family_member",
)


class Student(Tracked, Base):
    __tablename__ = "student"
    student_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    name_pinyin: Mapped[str] = mapped_column(String(120), index=True)
    name_initials: Mapped[str] = mapped_column(String(30), index=True)
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    class_id: Mapped[str | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="enrolled")
    # Since when (a transfer out, graduation or suspension entered by hand), and why.
    status_on: Mapped[date | None]
    status_note: Mapped[str | None] = mapped_column(String(200))
    boarding: Mapped[bool] = mapped_column(default=False)
    left_behind: Mapped[bool] = mapped_column(default=False)
    single_parent: Mapped[bool] = mapped_column(default=False)
    family_flags: Mapped[list] = mapped_column(JSON, default=list)
    diagnosis_note: Mapped[str | None] = mapped_column(ClinicalText("student.diagnosis_note"))

    school_class: Mapped[SchoolClass | None] = relationship()
    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="student", order_by="Guardian.created_at"
    )


class Guardian(Tracked, Base):
    __tablename__ = "guardian"
    student_id: Mapped[str] = mapped_column(ForeignKey("student.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    relation: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    student: Mapped[Student] = relationship(back_populates="guardians")
