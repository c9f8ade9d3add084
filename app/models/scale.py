"""Scale definitions kept in the vault: the ones the city published and the ones a school imported
under licence (with their item texts). Shipped definitions stay in resources; these travel with the
archive — backed up, restored and handed over with it — and are kept by (id, version), so a result
is always read against the definition it was scored with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

SOURCES = ("city", "licensed")


class ScaleDocument(Base):
    __tablename__ = "scale_document"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)  # installation order
    scale_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)  # the JSON document as checked and installed
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)
    installed_by: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (UniqueConstraint("scale_id", "version", name="uq_scale_document_version"),)
