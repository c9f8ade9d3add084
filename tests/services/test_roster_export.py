"""Exporting the roster: same columns as import, formulas defused, audited, admin only."""

import csv

import openpyxl
import pytest
from sqlalchemy import select

from app.errors import PermissionDenied
from app.models import AuditEntry
from app.services import roster_export, roster_import, synthetic, vaults


def test_an_exported_xlsx_reimports_unchanged(populated_vault, tmp_path):
    out = tmp_path / "export.xlsx"
    assert roster_export.export_roster(populated_vault, out) == 120
    report = roster_import.import_roster(populated_vault, out)
    assert (report.created, report.updated, report.unchanged, report.invalid) == (0, 0, 120, [])


def test_formula_like_text_is_never_exported_as_a_formula(vault, tmp_path, roster_students):
    hostile = synthetic.SyntheticStudent(**{**roster_students[0].__dict__, "guardian_name": "=1+2"})
    roster_import.import_roster(vault, synthetic.write_roster_csv(tmp_path / "in.csv", [hostile]))
    roster_export.export_roster(vault, tmp_path / "out.xlsx")
    roster_export.export_roster(vault, tmp_path / "out.csv")
    cell = openpyxl.load_workbook(tmp_path / "out.xlsx").active.cell(row=2, column=9)
    assert (cell.value, cell.data_type) == ("=1+2", "s")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][8] == "'=1+2"


def test_an_export_is_audited_with_the_file_name_and_count(populated_vault, tmp_path):
    roster_export.export_roster(populated_vault, tmp_path / "名单.csv")
    with populated_vault.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.detail == '{"file": "名单.csv", "rows": 120}'


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
