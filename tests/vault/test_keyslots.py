"""Key slots: each secret unwraps the same data key; nothing else does."""

import json
import os

import pytest

from app.errors import VaultDamaged, WrongPassphrase
from app.vault import keyslots
from app.vault.backoff import failure_delay
from app.vault.keyslots import load_slot_file, seal
from app.vault.recovery import new_recovery_code, normalize_recovery_code
from tests.conftest import FAST_KDF, PASSPHRASE


def test_a_slot_returns_the_data_key_for_its_secret():
    dek = os.urandom(32)
    slot = seal("v1", dek, b"secret", kind=keyslots.KIND_PASSPHRASE, kdf=FAST_KDF, user_id="u1")
    assert keyslots.open_slot("v1", slot, b"secret") == dek


def test_a_wrong_secret_raises_wrong_passphrase():
    slot = seal("v1", os.urandom(32), b"secret", kind=keyslots.KIND_PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(WrongPassphrase):
        keyslots.open_slot("v1", slot, b"Secret")


def test_a_slot_moved_to_another_vault_does_not_open():
    slot = seal("v1", os.urandom(32), b"secret", kind=keyslots.KIND_PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(WrongPassphrase):
        keyslots.open_slot("v2", slot, b"secret")


def test_the_slot_file_holds_no_secret_in_clear(make_vault):
    vault, code = make_vault()
    text = (vault.root / "keys.json").read_text("utf-8")
    assert "春风十里" not in text
    assert code not in text
    assert vault.unlocked_key().dek.hex() not in text
    doc = json.loads(text)
    assert {s["kind"] for s in doc["slots"]} == {"passphrase", "recovery"}
    assert doc["slots"][0]["kdf"]["alg"] == "argon2id"


def test_a_garbled_slot_file_is_reported_as_damage(tmp_path):
    path = tmp_path / "keys.json"
    path.write_bytes(b"{not json")
    with pytest.raises(VaultDamaged):
        load_slot_file(path)


@pytest.mark.parametrize(
    ("field", "value"),
    [("m", 2**31), ("m", 1), ("t", 0), ("t", 10**6), ("p", 0), ("p", 255), ("alg", "scrypt")],
)
def test_kdf_parameters_out_of_bounds_are_damage_not_a_crash(vault, field, value):
    root = vault.root
    vault.lock()
    doc = json.loads((root / "keys.json").read_text("utf-8"))
    doc["slots"][0]["kdf"][field] = value
    (root / "keys.json").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(VaultDamaged, match="密钥文件已损坏"):
        load_slot_file(root / "keys.json")


def test_recovery_codes_carry_160_bits_in_8_groups():
    code = new_recovery_code()
    assert len(code.split("-")) == 8 and all(len(g) == 4 for g in code.split("-"))
    assert len(code.replace("-", "")) * 5 == 160


def test_recovery_code_typing_is_forgiving():
    assert normalize_recovery_code("abcd efgh-ijkl mnop qrst") == "ABCD-EFGH-1JK1-MN0P-QRST"


@pytest.mark.parametrize(
    ("failures", "delay"), [(0, 0), (1, 0.5), (2, 1.0), (3, 2.0), (6, 16.0), (9, 30.0)]
)
def test_failure_delay_doubles_and_is_capped(failures, delay):
    assert failure_delay(failures) == delay


def test_a_slot_whose_login_was_edited_opens_for_no_one(vault):
    from app.errors import UnknownUser
    from app.services import vaults

    root = vault.root
    vault.lock()
    doc = json.loads((root / "keys.json").read_text("utf-8"))
    mine = next(s for s in doc["slots"] if s["kind"] == "passphrase")
    assert mine["aad"] == 2
    mine["login"] = "intruder"
    (root / "keys.json").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(WrongPassphrase):
        vaults.unlock(root, PASSPHRASE, "intruder")
    with pytest.raises(UnknownUser):
        vaults.unlock(root, PASSPHRASE, "admin")
