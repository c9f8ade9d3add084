"""Export the roster in the same columns the importer reads, safe to open in Excel or WPS.

Cells that a spreadsheet would run as a formula (= + - @ …) are written as text: in xlsx by
marking the cell as a string, in CSV with a leading apostrophe (the OWASP CSV-injection rule).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from app.atomic_write import atomic_write
from app.db import audit
from app.errors import RosterError, ValidationError
from app.i18n import _
from app.models import Grade, Guardian, SchoolClass, Student
from app.services.permissions import require
from app.services.synthetic import HEADERS
from app.services.vaults import OpenVault

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rows(vault: OpenVault) -> list[list[str]]:
    with vault.session() as s:
        guardians: dict[str, Guardian] = {}
        for g in s.scalars(
            select(Guardian).where(Guardian.active.is_(True)).order_by(Guardian.created_at)
        ):
            guardians.setdefault(g.student_id, g)
        stmt = (
            select(Student, Grade.name, SchoolClass.name)
            .join(SchoolClass, Student.class_id == SchoolClass.id, isouter=True)
            .join(Grade, SchoolClass.grade_id == Grade.id, isouter=True)
            .where(Student.status == "enrolled")
            .order_by(Grade.level, SchoolClass.number, Student.name_pinyin)
        )
        out = []
        for st, grade, klass in s.execute(stmt):
            g = guardians.get(st.id)
            out.append(
                [
                    st.student_no,
                    st.name,
                    {"M": "男", "F": "女"}.get(st.gender or "", ""),
                    st.birth_date.isoformat() if st.birth_date else "",
                    grade or "",
                    klass or "",
                    "是" if st.boarding else "否",
                    "是" if st.left_behind else "否",
                    g.name if g else "",
                    (g.relation or "") if g else "",
                    (g.phone or "") if g else "",
                ]
            )
        return out


def export_roster(vault: OpenVault, path: Path, *, password: str | None = None) -> int:
    """Write enrolled students to .xlsx or .csv (UTF-8 with BOM, so Excel reads it); audited.

    The file holds names, 学籍号 and guardians' phones, so it is a password-protected .xlsx
    (ECMA-376 agile encryption, AES-256: Excel and WPS ask for the password) unless the admin
    allowed unencrypted exports in 设置."""
    from app.services import vaults

    require(vault.user.role, "import_roster")
    path = Path(path)
    suffix = path.suffix.lower()
    if password is None and not vaults.get_setting(vault, "allow_plain_export", False):
        raise ValidationError(
            "password",
            _(
                "The roster holds names, student numbers and guardians' phones: give the file "
                "a password (or let the admin allow unencrypted exports in Settings)."
            ),
        )
    if password is not None:
        if suffix != ".xlsx":
            raise RosterError(
                _("A password-protected roster must be .xlsx (a .csv file cannot carry one).")
            )
        if len(password) < 6:
            raise ValidationError("password", _("The file password needs at least 6 characters."))
    rows = _rows(vault)
    if suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(HEADERS)
        for row in rows:
            w.writerow([csv_safe(v) for v in row])
        data = buf.getvalue().encode("utf-8-sig")
    elif suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "学生名单"
        ws.append(list(HEADERS))
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                cell.data_type = "s"  # never a formula, whatever the text looks like
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
    else:
        raise RosterError(
            _("Unsupported file type {suffix}; use .xlsx or .csv.").format(suffix=suffix)
        )
    if password is not None:
        data = _encrypted_xlsx(data, password)
    atomic_write(path, data)
    with vault.session() as s:
        audit.record(
            s,
            audit.EXPORT,
            object_type="roster",
            detail={"file": path.name, "rows": len(rows), "encrypted": password is not None},
        )
    return len(rows)


def _encrypted_xlsx(data: bytes, password: str) -> bytes:
    """The workbook inside an encrypted OLE container, made in memory: no plain copy on disk."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()
