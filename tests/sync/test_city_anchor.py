"""The city keeps the last audit head it received; at the next session the client checks that
its log still holds it. That catches what the anchor in keys.json cannot: an older copy of the
whole folder (database and key file together) put back."""

import json
import shutil
import subprocess
import sys

from sqlalchemy import select

from app.db import audit
from app.models import AuditEntry
from app.services import backups, students, sync, vaults
from app.sync.runner import sync_once
from tests.conftest import PASSPHRASE
from tests.sync.helpers import client_via
from tests.vault.tampering import drop_and_rechain


def _work(vault, n=3):
    for i, kid in enumerate(students.search_students(vault, limit=n)):
        students.update_student_flags(vault, kid.id, diagnosis_note=f"第{i}条")


def _head(vault) -> tuple[int, str]:
    with vault.session() as s:
        return audit.head(s)


def _mismatches(vault) -> list[dict]:
    with vault.session() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action == audit.AUDIT_CITY_MISMATCH)
        ).all()
        return [json.loads(e.detail) for e in rows]


def test_after_a_session_the_city_holds_the_head_it_was_sent(enrolled_school, city):
    sync.sync_now(enrolled_school)
    client = client_via(enrolled_school, city.url)
    try:
        _status, doc = client.request(
            "GET", "/api/v1/audit-head", params={"vault": enrolled_school.vault_id}
        )
    finally:
        client.close()
    with enrolled_school.session() as s:
        here = s.scalar(select(AuditEntry.hash).where(AuditEntry.seq == doc["head"]["seq"]))
    assert doc["head"]["hash"] == here


def test_a_clean_history_raises_nothing(enrolled_school):
    first = sync_once(enrolled_school)
    _work(enrolled_school)
    second = sync_once(enrolled_school)
    assert first.audit_problem is None and second.audit_problem is None
    assert _mismatches(enrolled_school) == []


def test_an_older_copy_of_the_whole_folder_is_reported_at_the_next_session(
    enrolled_school, tmp_path
):
    root = enrolled_school.root
    sync_once(enrolled_school)
    enrolled_school.lock()
    shutil.copytree(root, tmp_path / "older")  # database and key file together
    v = vaults.unlock(root, PASSPHRASE, "admin")
    _work(v)
    sync_once(v)
    sent, _hash = _head(v)
    v.lock()
    for name in ("archive.db", "keys.json"):
        shutil.copyfile(tmp_path / "older" / name, root / name)
    old = vaults.unlock(root, PASSPHRASE, "admin")  # the anchor in keys.json agrees: it opens
    try:
        report = sync_once(old)
        assert report.audit_problem is not None
        assert "可能被换成了更早的副本" in report.audit_problem
        [found] = _mismatches(old)
        assert found["city_seq"] >= sent - 5 and found["entries"] < found["city_seq"]
        assert sync.status(old).audit_problem == report.audit_problem
    finally:
        old.lock()


def test_the_mismatch_is_told_by_audit_verify(enrolled_school, tmp_path):
    root = enrolled_school.root
    sync_once(enrolled_school)
    enrolled_school.lock()
    shutil.copytree(root, tmp_path / "older")
    v = vaults.unlock(root, PASSPHRASE, "admin")
    _work(v)
    sync_once(v)
    v.lock()
    for name in ("archive.db", "keys.json"):
        shutil.copyfile(tmp_path / "older" / name, root / name)
    old = vaults.unlock(root, PASSPHRASE, "admin")
    sync_once(old)
    old.lock()
    done = subprocess.run(
        [sys.executable, "-m", "app", "audit", "verify", "--vault", str(root), "--user", "admin"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "XINDANG_PASSPHRASE": PASSPHRASE},
    )
    assert "与市平台" in done.stdout, done.stdout + done.stderr


def test_a_restore_from_a_backup_is_not_mistaken_for_a_rollback(enrolled_school, tmp_path):
    root = enrolled_school.root
    info = backups.backup(enrolled_school, tmp_path / "usb")
    _work(enrolled_school)
    sync_once(enrolled_school)
    enrolled_school.lock()
    backups.restore(info.path, root, PASSPHRASE, "admin")
    v = vaults.unlock(root, PASSPHRASE, "admin")
    try:
        assert sync_once(v).audit_problem is None
        assert _mismatches(v) == []
    finally:
        v.lock()


def test_a_rewritten_log_with_a_forged_anchor_is_reported(enrolled_school):
    """What a user holding the vault key could do: drop entries, re-chain the rest and write a
    fresh anchor into keys.json, so that the file alone looks intact. The city's head does not
    fit."""

    from app.db import open_database
    from app.vault.anchor import make_anchor

    root = enrolled_school.root
    _work(enrolled_school)
    sync_once(enrolled_school)
    key = bytes(bytearray(enrolled_school.database_key()))  # the lock wipes the vault's own
    vault_key = bytes(bytearray(enrolled_school.unlocked_key().dek))
    audit_key = audit.derive_audit_key(vault_key)
    vault_id = enrolled_school.vault_id
    enrolled_school.lock()
    drop_and_rechain(root / "archive.db", key, audit_key, "action != 'update'")
    # The forged anchor: any account holder has the vault key it is MAC-ed with.
    db = open_database(root / "archive.db", key)
    try:
        with db.session(None, audit_key) as s:
            entries, last = audit.head(s)
    finally:
        db.dispose()
    doc = json.loads((root / "keys.json").read_text("utf-8"))
    doc["audit_anchor"] = make_anchor(vault_id, vault_key, entries, last, "2026-12-06T10:00:00")
    doc["audit_anchor"] = doc["audit_anchor"].to_dict()
    (root / "keys.json").write_text(json.dumps(doc), "utf-8")
    v = vaults.unlock(root, PASSPHRASE, "admin")  # the files alone look intact
    try:
        report = sync_once(v)
        assert report.audit_problem is not None
        assert "市平台" in report.audit_problem
    finally:
        v.lock()
