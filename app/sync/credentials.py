"""Where the device credential lives: the OS keyring when a secure one exists, otherwise inside
the encrypted vault (never in a plain file)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from app.models import VaultSetting

SETTING = "sync_enrollment"
SERVICE = "XinDang sync"


@dataclass
class Enrollment:
    server_url: str
    device_id: str
    school_code: str
    school_name: str
    pin_pem: str | None
    enrolled_at: str
    token_in_keyring: bool = False
    token: str | None = None  # only when the keyring is not usable
    student_key_secret: str | None = None  # the school's, for pseudonymous student keys

    @property
    def public(self) -> dict:
        out = asdict(self)
        out.pop("token")
        out.pop("student_key_secret")
        return out


def _account(vault_id: str, device_id: str) -> str:
    return f"vault:{vault_id}:device:{device_id}"


def save(s: Session, vault_id: str, enrollment: Enrollment, token: str) -> None:
    from app.vault.keystore import keyring_status

    usable, _reason = keyring_status()
    enrollment.token_in_keyring = False
    enrollment.token = token
    if usable:
        try:
            import keyring

            keyring.set_password(SERVICE, _account(vault_id, enrollment.device_id), token)
            enrollment.token_in_keyring = True
            enrollment.token = None
        except Exception:  # a locked or broken keyring: keep it in the vault instead
            pass
    row = s.get(VaultSetting, SETTING) or VaultSetting(key=SETTING, value={})
    row.value = {"v": asdict(enrollment)}
    s.add(row)


def load(s: Session, vault_id: str) -> tuple[Enrollment, str | None] | None:
    row = s.get(VaultSetting, SETTING)
    if row is None or not row.value.get("v"):
        return None
    e = Enrollment(**row.value["v"])
    token = e.token
    if e.token_in_keyring:
        try:
            import keyring

            token = keyring.get_password(SERVICE, _account(vault_id, e.device_id))
        except Exception:
            token = None
    return e, token
