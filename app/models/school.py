"""School structure: school → grade → class."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Tracked


class School(Tracked, Base):
    __tablename__ = "school"
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(40))
    grades: Mapped[list[Grade]] = relationship(back_populates="school", order_by="Grade.level")


class Grade(Tracked, Base):
    __tablename__ = "grade"
    __table_args__ = (UniqueConstraint("school_id", "level"),)
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"), index=True)
    level: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    school: Mapped[School] = relationship(back_populates="grades")
    classes: Mapped[list[SchoolClass]] = relationship(
        back_populates="grade", order_by="SchoolClass.number"
    )


class SchoolClass(Tracked, Base):
    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("grade_id", "number"),)
    grade_id: Mapped[str] = mapped_column(ForeignKey("grade.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    grade: Mapped[Grade] = relationship(back_populates="classes")
