"""Exporting the roster: same columns as import, formulas defused, audited, admin only."""

import csv

import openpyxl
import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, RosterError, ValidationError
from app.models import AuditEntry
from app.services import roster_export, roster_import, synthetic, vaults


@pytest.fixture
def plain_allowed(vault):
    vaults.set_setting(vault, "allow_plain_export", True)


def test_a_roster_is_exported_only_with_a_password_unless_the_admin_allows_plain(
    populated_vault, tmp_path
):
    with pytest.raises(ValidationError, match="请给文件设置密码"):
        roster_export.export_roster(populated_vault, tmp_path / "x.xlsx")
    with pytest.raises(RosterError):
        roster_export.export_roster(populated_vault, tmp_path / "x.csv", password="文件密码123")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.csv").exists()


def test_a_password_protected_export_opens_only_with_its_password(populated_vault, tmp_path):
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    out = tmp_path / "名单.xlsx"
    assert roster_export.export_roster(populated_vault, out, password="文件密码123") == 120
    data = out.read_bytes()
    assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an encrypted OLE container, no zip
    assert roster_import_names(populated_vault)[0].encode("utf-8") not in data
    plain = io.BytesIO()
    encrypted = OOXMLFile(io.BytesIO(data))
    encrypted.load_key(password="文件密码123")
    encrypted.decrypt(plain)
    sheet = openpyxl.load_workbook(plain).active
    assert sheet.max_row == 121


def roster_import_names(vault) -> list[str]:
    from app.services import students

    return [r.name for r in students.search_students(vault, limit=5)]


def test_an_exported_xlsx_reimports_unchanged(populated_vault, plain_allowed, tmp_path):
    out = tmp_path / "export.xlsx"
    assert roster_export.export_roster(populated_vault, out) == 120
    report = roster_import.import_roster(populated_vault, out)
    assert (report.created, report.updated, report.unchanged, report.invalid) == (0, 0, 120, [])


def test_formula_like_text_is_never_exported_as_a_formula(
    vault, plain_allowed, tmp_path, roster_students
):
    hostile = synthetic.SyntheticStudent(**{**roster_students[0].__dict__, "guardian_name": "=1+2"})
    roster_import.import_roster(vault, synthetic.write_roster_csv(tmp_path / "in.csv", [hostile]))
    roster_export.export_roster(vault, tmp_path / "out.xlsx")
    roster_export.export_roster(vault, tmp_path / "out.csv")
    cell = openpyxl.load_workbook(tmp_path / "out.xlsx").active.cell(row=2, column=9)
    assert (cell.value, cell.data_type) == ("=1+2", "s")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][8] == "'=1+2"


def test_an_export_is_audited_with_the_file_name_and_count(
    populated_vault, plain_allowed, tmp_path
):
    roster_export.export_roster(populated_vault, tmp_path / "名单.csv")
    with populated_vault.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.detail == '{"encrypted": false, "file": "名单.csv", "rows": 120}'


def test_a_counselor_may_not_export(populated_vault, tmp_path):
    vaults.add_user(
        populated_vault,
        login="li",
        display_name="李老师",
        role="counselor",
        passphrase="counselor-1-长江",
    )
    li = vaults.unlock(populated_vault.root, "counselor-1-长江", "li")
    with pytest.raises(PermissionDenied):
        roster_export.export_roster(li, tmp_path / "x.csv")
    li.lock()
    assert not (tmp_path / "x.csv").exists()
