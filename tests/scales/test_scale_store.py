"""City and licensed scale definitions live in the vault, by (id, version): they travel with
backups, a result is read with the version it was scored with, and an unknown id never stops a
school-wide run."""

import json

import pytest
from sqlalchemy import select

from app.db import scalestore
from app.models import AssessmentResult, ScaleDocument, Student
from app.scales.definition import ScaleDefinitionError
from app.scales.library import legacy_dir, shipped_scale
from app.services import assessments, backups, vaults, warnings
from tests.conftest import PASSPHRASE


def _licensed_sds(tmp_path, version="1.1.0"):
    doc = json.loads(json.dumps(shipped_scale("SDS").raw))
    doc["version"] = version
    doc["licence"] = {"status": "free", "item_texts": True, "note": "school's licensed copy (test)"}
    doc["items"] = [{"number": i, "text": {"zh": f"第{i}题（授权文本）"}} for i in range(1, 21)]
    path = tmp_path / f"sds-{version}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_a_licensed_file_replaces_the_numbers_only_definition_in_this_vault(vault, tmp_path):
    installed = assessments.import_scale(vault, _licensed_sds(tmp_path))
    assert installed.has_item_texts
    sds = assessments.scale_definition(vault, "SDS")
    assert sds.version == "1.1.0" and sds.item_texts[19] == {"zh": "第19题（授权文本）"}
    assert assessments.scale_catalogue(vault)["SDS"].version == "1.1.0"


def test_a_licensed_definition_is_not_written_outside_the_vault(vault, tmp_path):
    assessments.import_scale(vault, _licensed_sds(tmp_path))
    assert not legacy_dir().exists()
    assert (
        b"\xe6\x8e\x88\xe6\x9d\x83\xe6\x96\x87\xe6\x9c\xac"
        not in (vault.root / "archive.db").read_bytes()
    )  # 授权文本, encrypted at rest with the rest of the archive


def test_another_vault_on_the_same_computer_does_not_see_it(vault, make_vault, tmp_path):
    assessments.import_scale(vault, _licensed_sds(tmp_path))
    other, _code = make_vault("other")
    assert not assessments.scale_definition(other, "SDS").has_item_texts


def test_a_broken_file_installs_nothing(vault, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"id": "SDS"}', "utf-8")
    with pytest.raises(ScaleDefinitionError):
        assessments.import_scale(vault, path)
    with vault.session() as s:
        assert s.scalar(select(ScaleDocument.seq)) is None


def test_the_principal_cannot_install_a_scale(principal, tmp_path):
    from app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        assessments.import_scale(principal, _licensed_sds(tmp_path))


def test_a_restored_backup_brings_its_scales_back(vault, tmp_path):
    assessments.import_scale(vault, _licensed_sds(tmp_path))
    info = backups.backup(vault, tmp_path / "b")
    root = vault.root
    vault.lock()
    backups.restore(info.path, root, PASSPHRASE, "admin")
    again = vaults.unlock(root, PASSPHRASE, "admin")
    try:
        assert assessments.scale_definition(again, "SDS").has_item_texts
    finally:
        again.lock()


def test_a_result_is_read_with_the_version_it_was_scored_with(populated_vault, tmp_path):
    with populated_vault.session() as s:
        student_id = s.scalar(select(Student.id))
    row, _score = assessments.record_result(
        populated_vault, student_id, "SDS", [2] * 20, mode="paper"
    )
    assessments.import_scale(populated_vault, _licensed_sds(tmp_path, "2.0.0"))
    with populated_vault.session() as s:
        stored = s.get(AssessmentResult, row.id)
        assert stored.scale_version == shipped_scale("SDS").version
        assert scalestore.scale(s, "SDS", stored.scale_version) == shipped_scale("SDS")
        assert scalestore.scale(s, "SDS").version == "2.0.0"


def test_release_0_1_per_computer_scales_move_into_the_vault_at_unlock(vault, tmp_path):
    legacy_dir().mkdir(parents=True)
    _licensed_sds(tmp_path).rename(legacy_dir() / "sds.json")
    (legacy_dir() / "broken.json").write_text("{", "utf-8")
    root = vault.root
    vault.lock()
    again = vaults.unlock(root, PASSPHRASE, "admin")
    try:
        assert assessments.scale_definition(again, "SDS").has_item_texts
        with again.session() as s:
            assert scalestore.installed(s) == [("SDS", "1.1.0", "licensed")]
    finally:
        again.lock()


def test_results_of_an_unknown_scale_do_not_stop_the_school_wide_run(populated_vault):
    with populated_vault.session() as s:
        student_id = s.scalar(select(Student.id))
    row, _score = assessments.record_result(
        populated_vault, student_id, "PHQ-9", [3] * 9, mode="paper"
    )
    with populated_vault.session() as s:
        s.get(AssessmentResult, row.id).scale_id = "XYZ-CITY"  # a scale no longer known here
    report = warnings.evaluate_all(populated_vault)
    assert report.evaluated == 120 and not report.failures
