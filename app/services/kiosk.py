"""Kiosk self-administration: each answer is committed the moment it is given.

A crash or power cut resumes at the same item; a critical answer raises its alert at once,
before the battery is finished, so closing the app right after can never lose it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.db import audit, scalestore
from app.errors import ValidationError
from app.i18n import _
from app.models import KioskSession, Student, utcnow
from app.services.assessments import raise_critical_alerts, store_result
from app.services.permissions import require
from app.services.vaults import OpenVault


@dataclass(frozen=True)
class KioskState:
    session_id: str
    student_id: str
    scale_ids: tuple[str, ...]
    scale_index: int
    item: int  # 1-based item within the current scale
    answers: dict[str, list[int | None]]
    finished: bool

    @property
    def scale_id(self) -> str:
        return self.scale_ids[self.scale_index]

    @property
    def total_items(self) -> int:
        return sum(len(v) for v in self.answers.values())

    @property
    def answered(self) -> int:
        return sum(1 for v in self.answers.values() for a in v if a is not None)

    @property
    def flat_position(self) -> int:
        return sum(len(self.answers[s]) for s in self.scale_ids[: self.scale_index]) + self.item - 1


def _state(k: KioskSession) -> KioskState:
    return KioskState(
        k.id,
        k.student_id,
        tuple(k.scale_ids),
        k.position[0],
        k.position[1],
        {s: list(v) for s, v in k.answers.items()},
        k.status == "finished",
    )


def start(
    vault: OpenVault, student_id: str, scale_ids: list[str], plan_id: str | None = None
) -> KioskState:
    require(vault.user.role, "edit_student")
    if not scale_ids:
        raise ValidationError("scales", _("Choose at least one scale."))
    with vault.session() as s:
        defs = [scalestore.scale(s, x) for x in scale_ids]
        if s.get(Student, student_id) is None:
            raise ValidationError("student", _("This student no longer exists."))
        k = KioskSession(
            student_id=student_id,
            plan_id=plan_id,
            scale_ids=[d.id for d in defs],
            answers={d.id: [None] * d.item_count for d in defs},
            seconds={d.id: [0.0] * d.item_count for d in defs},
            position=[0, 1],
            started_by=vault.user.id,
        )
        s.add(k)
        s.flush()
        audit.record(s, audit.CREATE, object_type="kiosk_session", object_id=k.id)
        return _state(k)


def answer(vault: OpenVault, session_id: str, value: int, seconds: float) -> KioskState:
    """Store the answer to the current item and move to the next one, in one transaction."""
    with vault.session() as s:
        k = s.get(KioskSession, session_id)
        if k is None or k.status != "open":
            raise ValidationError("session", _("This session is already closed."))
        scale_index, item = k.position
        scale_id = k.scale_ids[scale_index]
        defn = scalestore.scale(s, scale_id)
        if not defn.is_allowed(item, value):
            raise ValidationError("answer", _("Not an option for this question."))
        answers = {sid: list(v) for sid, v in k.answers.items()}
        secs = {sid: list(v) for sid, v in k.seconds.items()}
        answers[scale_id][item - 1] = value
        secs[scale_id][item - 1] = round(secs[scale_id][item - 1] + seconds, 3)
        k.answers, k.seconds = answers, secs
        raise_critical_alerts(
            s,
            k.student_id,
            scale_id,
            answers[scale_id],
            source="kiosk",
            source_id=k.id,
            only_items={item},
        )
        if item < defn.item_count:
            k.position = [scale_index, item + 1]
        elif scale_index + 1 < len(k.scale_ids):
            k.position = [scale_index + 1, 1]
        else:
            k.position = [scale_index, item + 1]  # past the end: ready to finish
        return _state(k)


def go_back(vault: OpenVault, session_id: str) -> KioskState:
    with vault.session() as s:
        k = s.get(KioskSession, session_id)
        scale_index, item = k.position
        if item > 1:
            k.position = [scale_index, item - 1]
        elif scale_index > 0:
            prev = k.scale_ids[scale_index - 1]
            k.position = [scale_index - 1, len(k.answers[prev])]
        return _state(k)


def go_to(vault: OpenVault, session_id: str, scale_index: int, item: int) -> KioskState:
    """Jump to an answered item from the review screen, so the student can change it."""
    with vault.session() as s:
        k = s.get(KioskSession, session_id)
        if k is None or k.status != "open":
            raise ValidationError("session", _("This session is already closed."))
        if not (0 <= scale_index < len(k.scale_ids)):
            raise ValidationError("item", _("There is no such question."))
        count = len(k.answers[k.scale_ids[scale_index]])
        if not 1 <= item <= count:
            raise ValidationError("item", _("There is no such question."))
        k.position = [scale_index, item]
        return _state(k)


def go_to_review(vault: OpenVault, session_id: str) -> KioskState:
    """Past the last item: the review screen, where every answer can still be changed."""
    with vault.session() as s:
        k = s.get(KioskSession, session_id)
        last = len(k.scale_ids) - 1
        k.position = [last, len(k.answers[k.scale_ids[last]]) + 1]
        return _state(k)


def is_complete(state: KioskState) -> bool:
    return all(a is not None for v in state.answers.values() for a in v)


def finish(vault: OpenVault, session_id: str) -> list[str]:
    """Score every scale of the battery into results; returns the result ids."""
    with vault.session() as s:
        k = s.get(KioskSession, session_id)
        if k.status != "open":
            raise ValidationError("session", _("This session is already closed."))
        ids = []
        for sid in k.scale_ids:
            row, _r = store_result(
                s,
                k.student_id,
                sid,
                list(k.answers[sid]),
                mode="kiosk",
                user_id=k.started_by,
                seconds=list(k.seconds[sid]),
                plan_id=k.plan_id,
                alert_source_id=k.id,
            )
            ids.append(row.id)
        k.status = "finished"
        k.finished_at = utcnow()
        return ids


def current(vault: OpenVault, session_id: str) -> KioskState:
    with vault.session() as s:
        return _state(s.get(KioskSession, session_id))


def unfinished(vault: OpenVault) -> list[KioskState]:
    """Sessions interrupted by a crash or a power cut, to resume where they stopped."""
    with vault.session() as s:
        return [
            _state(k) for k in s.scalars(select(KioskSession).where(KioskSession.status == "open"))
        ]


def abandon(vault: OpenVault, session_id: str) -> None:
    with vault.session() as s:
        k = s.get(KioskSession, session_id)
        k.status = "abandoned"
        audit.record(
            s, audit.UPDATE, object_type="kiosk_session", object_id=k.id, detail={"abandoned": True}
        )
