"""Small helpers the sync tests share."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import OutboxItem, RefItem, Student
from app.sync.credentials import load
from app.sync.transport import CityClient
from cloud.models import Submission


def client_via(vault, url: str) -> CityClient:
    """A client with this vault's credential, aimed at `url` (a proxy or a hostile server)."""
    with vault.session() as s:
        _enrollment, token = load(s, vault.vault_id)
    return CityClient(url, token, timeout=10, retry_base=0.002)


def server_submissions(city) -> list[Submission]:
    with city.store.session() as s:
        return list(s.scalars(select(Submission).order_by(Submission.server_seq)))


def local_state(vault) -> dict:
    """Everything a sync could change locally, to prove a refused answer changed nothing."""
    with vault.session() as s:
        return {
            "students": sorted(
                (st.student_no, st.name, st.class_id, st.status)
                for st in s.scalars(select(Student))
            ),
            "outbox": sorted((i.id, i.status, i.attempts) for i in s.scalars(select(OutboxItem))),
            "refs": sorted((r.stream, r.item_id, r.version) for r in s.scalars(select(RefItem))),
            "change_log": s.scalar(
                select(func.max(__import__("app.models", fromlist=["ChangeLog"]).ChangeLog.seq))
            ),
        }
