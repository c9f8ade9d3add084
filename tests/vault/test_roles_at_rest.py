"""Roles that hold at rest: what each account can read with the files, sqlcipher3 and its own
passphrase — not through the app — and what a departed user's old key file still opens."""

import datetime as dt
import json
import shutil

import pytest
import sqlcipher3

from app.errors import VaultDamaged, WrongPassphrase
from app.models import Base
from app.models.fieldcrypt import plaintext_values
from app.services import (
    assessments,
    backups,
    keys,
    private_notes,
    records,
    students,
    vaults,
    warnings,
)
from app.services.backups import RestoreRefused
from app.vault import vaultdir
from tests.services.test_records import session_body

COUNSELOR_B = "辅导老师乙-2026-pass"
PRINCIPAL = "校长专用-2026-pass"
CANARIES = {
    "session": "SESSION-NARRATIVE-CANARY",
    "private": "PRIVATE-NOTE-CANARY",
    "diagnosis": "DIAGNOSIS-CANARY",
    "evidence": "EVIDENCE-CANARY",
    "review": "REVIEW-NOTE-CANARY",
    "observation": "GROUP-OBSERVATION-CANARY",
    "crisis": "CRISIS-NOTES-CANARY",
}


def _everything_in(db_path, key: bytes) -> str:
    """Every value of every row of every table, as one text: what sqlcipher3 shows its holder."""
    conn = sqlcipher3.connect(str(db_path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [
            f"INSERT INTO {t} VALUES {row!r}"
            for t in tables
            for row in conn.execute(f'SELECT * FROM "{t}"')
        ]
        return "\n".join(rows)
    finally:
        conn.close()


def _db_key_of(root, passphrase: str, login: str) -> bytes:
    unlocked = vaultdir.unlock_with_passphrase(root, passphrase, login, sleep=lambda _s: None)
    return unlocked.generations(vaultdir.read_slots(root))[0].db_key


@pytest.fixture
def school(populated_vault):
    """Counselor A (the admin) writes one of everything confidential; B and the principal exist."""
    v = populated_vault
    vaults.add_user(v, login="cb", display_name="乙老师", role="counselor", passphrase=COUNSELOR_B)
    vaults.add_user(v, login="boss", display_name="校长", role="viewer", passphrase=PRINCIPAL)
    kid, other = students.search_students(v, limit=2)
    case = records.create_record(
        v,
        "case",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 11, 2, 9),
        body={"problems": ["emotions"]},
    )
    records.create_record(
        v,
        "session",
        student_id=kid.id,
        parent_id=case.id,
        occurred_at=dt.datetime(2026, 11, 3, 9),
        body=session_body(sections={"s": CANARIES["session"], "p": "下周再约"}),
    )
    records.create_record(
        v,
        "private_note",
        student_id=kid.id,
        parent_id=case.id,
        occurred_at=dt.datetime(2026, 11, 3, 10),
        body={"text": CANARIES["private"]},
    )
    records.create_record(
        v,
        "crisis",
        student_id=kid.id,
        occurred_at=dt.datetime(2026, 11, 4, 9),
        body={"trigger": "direct", "notes": CANARIES["crisis"]},
    )
    students.update_student_flags(v, kid.id, diagnosis_note=CANARIES["diagnosis"])
    wid = warnings.raise_manual(v, other.id, "orange", CANARIES["evidence"])
    warnings.review(v, wid, confirmed=True, note=CANARIES["review"])
    program = records.create_record(
        v, "group_program", occurred_at=dt.datetime(2026, 11, 5, 9), body={"theme": "情绪管理"}
    )
    records.create_record(
        v,
        "group_session",
        parent_id=program.id,
        occurred_at=dt.datetime(2026, 11, 6, 9),
        body={"topic": "认识情绪"},
        participants=[records.Participant(kid.id, True, CANARIES["observation"])],
    )
    assessments.record_result(v, kid.id, "PHQ-9", [1] * 8 + [2], mode="paper")
    return v, kid


def test_the_principal_with_sqlcipher3_reads_no_confidential_column(school):
    v, _kid = school
    v.lock()
    text = _everything_in(v.root / "archive.db", _db_key_of(v.root, PRINCIPAL, "boss"))
    assert "INSERT INTO" in text and "校长" in text  # the file does open: names, lists, counts
    for what, canary in CANARIES.items():
        assert canary not in text, what


def test_item_answers_are_stored_sealed_for_every_result(school):
    v, _kid = school
    v.lock()
    conn = sqlcipher3.connect(str(v.root / "archive.db"))
    conn.execute(f"PRAGMA key = \"x'{_db_key_of(v.root, PRINCIPAL, 'boss').hex()}'\"")
    rows = conn.execute("SELECT answers, seconds FROM assessment_result").fetchall()
    conn.close()
    assert rows and all(set(json.loads(a)) == {"xdc1"} for a, _s in rows)


def test_no_clinical_value_of_a_new_vault_is_stored_in_the_clear(school):
    v, _kid = school
    with v.db.raw() as conn:
        assert plaintext_values(conn, Base.metadata) == []


def test_counselor_b_reads_clinical_text_but_not_a_private_note(school):
    v, _kid = school
    v.lock()
    text = _everything_in(v.root / "archive.db", _db_key_of(v.root, COUNSELOR_B, "cb"))
    assert all(c not in text for c in CANARIES.values())  # the clinical layer is sealed
    b = vaults.unlock(v.root, COUNSELOR_B, "cb")
    try:
        assert b.holds_clinical_key
        with b.session() as s:
            from app.models import Record

            note = next(r for r in s.query(Record) if r.kind == "private_note")
            body, author_only = note.body, private_notes.readable(b, True, note.body)
        assert "_private" in body and CANARIES["private"] not in json.dumps(body)
        assert author_only["text"] != CANARIES["private"]
    finally:
        b.lock()


def test_the_counselor_reads_everything_back_through_the_app(school):
    v, kid = school
    timeline = records.timeline(v, kid.id, include_private=True)
    texts = json.dumps(
        [records.get_record(v, e.id).body for e in timeline if e.kind != "assessment"],
        ensure_ascii=False,
    )
    for what in ("session", "private", "crisis"):
        assert CANARIES[what] in texts, what
    assert students.student_archive(v, kid.id).diagnosis_note == CANARIES["diagnosis"]
    [result] = assessments.history(v, kid.id)
    assert result.critical_items == (9,)


def test_admins_read_new_private_notes_only_when_the_school_allows_it(school):
    v, kid = school
    b = vaults.unlock(v.root, COUNSELOR_B, "cb")
    try:
        before = records.create_record(
            b,
            "private_note",
            student_id=kid.id,
            occurred_at=dt.datetime(2026, 11, 7),
            body={"text": "乙的笔记一"},
        )
        vaults.set_setting(v, private_notes.SETTING, True)
        after = records.create_record(
            b,
            "private_note",
            student_id=kid.id,
            occurred_at=dt.datetime(2026, 11, 8),
            body={"text": "乙的笔记二"},
        )
    finally:
        b.lock()
    assert records.get_record(v, after.id).body["text"] == "乙的笔记二"
    assert records.get_record(v, before.id).body["text"] != "乙的笔记一"


def test_the_viewer_cannot_overwrite_what_it_cannot_read(school):
    from app.models import Student
    from app.models.fieldcrypt import ClinicalKeyMissing

    v, kid = school
    boss = vaults.unlock(v.root, PRINCIPAL, "boss")
    try:
        assert not boss.holds_clinical_key
        with pytest.raises(ClinicalKeyMissing), boss.session() as s:
            st = s.get(Student, kid.id)
            assert st.diagnosis_note  # present (it counts for the risk rules), but unreadable
            st.diagnosis_note = st.diagnosis_note + "x"
    finally:
        boss.lock()
    assert students.student_archive(v, kid.id).diagnosis_note == CANARIES["diagnosis"]


def test_after_handover_the_departed_key_file_opens_nothing_new(school, tmp_path, make_vault):
    v, _kid = school
    old_code = keys.regenerate_recovery_code(v)
    old_keys = (v.root / "keys.json").read_bytes()
    old_code_vault = tmp_path / "old"
    handed = keys.handover(
        v,
        departing_login="cb",
        new_login="cc",
        new_name="丙老师",
        new_passphrase="丙老师接手-2026-pass",
    )
    current_db_key = bytes(bytearray(v.database_key()))  # the lock wipes the vault's own
    v.lock()
    # cb's old key file beside the new database: cb's passphrase opens cb's slot, but no key
    # cb holds opens the file any more.
    old_code_vault.mkdir()
    shutil.copy(v.root / "archive.db", old_code_vault / "archive.db")
    (old_code_vault / "keys.json").write_bytes(old_keys)
    with pytest.raises(VaultDamaged):
        vaults.unlock(old_code_vault, COUNSELOR_B, "cb")
    # ...and so does the retired recovery code, in the old key file or the new one.
    old = vaultdir.unlock_with_recovery(old_code_vault, old_code, sleep=lambda _s: None)
    assert all(
        g.db_key != current_db_key for g in old.generations(vaultdir.read_slots(old_code_vault))
    )
    with pytest.raises(WrongPassphrase):
        vaultdir.unlock_with_recovery(v.root, old_code, sleep=lambda _s: None)
    new = vaults.unlock(v.root, "丙老师接手-2026-pass", "cc")
    assert new.holds_clinical_key
    new.lock()
    assert vaultdir.unlock_with_recovery(v.root, handed.recovery_code, sleep=lambda _s: None)


def test_a_removed_user_cannot_restore_an_old_backup_over_the_archive(school, tmp_path):
    v, _kid = school
    backup = backups.backup(v, tmp_path / "backups")
    keys.handover(
        v,
        departing_login="cb",
        new_login="cc",
        new_name="丙老师",
        new_passphrase="丙老师接手-2026-pass",
    )
    v.lock()
    before = (v.root / "archive.db").read_bytes()
    with pytest.raises(RestoreRefused):
        backups.restore(backup.path, v.root, COUNSELOR_B, "cb")
    assert (v.root / "archive.db").read_bytes() == before


def test_rotation_reseals_to_everyone_without_their_passphrases(school):
    v, kid = school
    keys.rotate_data_key(v)
    b = vaults.unlock(v.root, COUNSELOR_B, "cb")
    try:
        assert b.holds_clinical_key
        assert students.student_archive(b, kid.id).diagnosis_note == CANARIES["diagnosis"]
    finally:
        b.lock()
    boss = vaults.unlock(v.root, PRINCIPAL, "boss")
    try:
        assert not boss.holds_clinical_key
    finally:
        boss.lock()
