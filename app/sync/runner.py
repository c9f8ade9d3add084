"""One sync session: health, push the outbox (warnings first), pull each stream, check digests.

Every local state change is one transaction: a batch's receipts, a page with its cursor. A crash
anywhere leaves a state from which the next session continues without loss or duplication.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field

from sqlalchemy import select, update

from app import __version__, errors
from app.crashpoints import crash_point
from app.models import AuditEntry, OutboxItem, RefItem, SyncCursor, VaultSetting, utcnow
from app.records.kinds import current_body
from app.records.semesters import semester_bounds, semester_key
from app.sync import STREAMS, schemas
from app.sync.apply import PageApplier, PullReport
from app.sync.credentials import load
from app.sync.outbox import QUIET, enqueue
from app.sync.transport import CityClient, HttpStatus, ProtocolViolation, SyncError
from app.sync.wire import digest

log = logging.getLogger(__name__)

PARK = frozenset({400, 403, 409, 413, 422})
STATUS_KEY = "sync_status"
MAX_FULL_PAGES = 1000


class NotEnrolled(SyncError):
    retryable = False


class Cancelled(SyncError, errors.Cancelled):
    """The vault is being locked; what was stored so far stays, the rest waits for next time.
    (Also the application's `Cancelled`: the window treats both alike.)"""


def _check(stop) -> None:
    if stop is not None and stop.is_set():
        raise Cancelled("cancelled")


@dataclass
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    parked: int = 0
    pull: PullReport = field(default_factory=PullReport)
    digests_ok: bool = False
    requeued: int = 0
    clock_skew_s: float = 0.0
    audit_problem: str | None = None  # the log no longer holds the head the city received


def client_for(vault) -> CityClient:
    with vault.session() as s:
        found = load(s, vault.vault_id)
    if found is None:
        raise NotEnrolled("not enrolled")
    enrollment, token = found
    if not token:
        raise NotEnrolled("device credential missing")
    return CityClient(enrollment.server_url, token, pin_pem=enrollment.pin_pem)


def _wire(item: OutboxItem) -> dict:
    return {
        "submission_id": item.id,
        "entity": item.entity,
        "entity_id": item.entity_id,
        "payload": json.loads(item.payload),
        "payload_sha256": item.sha256,
        "deprecates": item.deprecates,
        "created_at": item.created_at.isoformat() + "Z",
    }


def enqueue_periodic(vault, today: dt.date | None = None) -> None:
    """Workload statistics and the audit chain head: queued only when they changed."""
    from app.models import Record
    from app.records.workload import COUNTED, bounds, tally
    from app.sync.policy import effective_policy

    today = today or dt.date.today()
    name = semester_key(today)
    lo, hi = bounds(*semester_bounds(today))
    with vault.session() as s:
        rows = tally(
            [
                (a, k, current_body(k, v, b))
                for a, k, b, v in s.execute(
                    select(Record.author_id, Record.kind, Record.body, Record.body_schema).where(
                        Record.voided_at.is_(None),
                        Record.occurred_at >= lo,
                        Record.occurred_at <= hi,
                        Record.kind.in_(COUNTED),
                    )
                )
            ],
            {},
        )
        policy = effective_policy(s).get("entities", {})
        if policy.get("workload", {}).get("send"):
            for role, totals in _workload_by_role(s, rows).items():
                enqueue(s, "workload", f"{name}:{role}", {"semester": name, "role": role} | totals)
        last = s.scalars(
            select(OutboxItem.payload)
            .where(OutboxItem.entity == "audit_head")
            .order_by(OutboxItem.seq.desc())
            .limit(1)
        ).first()
        if policy.get("audit_head", {}).get("send"):
            head = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
            payload = {"seq": head.seq, "hash": head.hash} if head is not None else None
            if payload is not None and payload != _payload_of(last):
                enqueue(s, "audit_head", vault.vault_id, payload)


def _adopt_secret(vault, secret: str | None) -> None:
    """A computer enrolled before pseudonymous keys gets the school's secret with its first
    session, and its queued-but-never-sent items are rewritten before the push."""
    from app.sync.credentials import SETTING
    from app.sync.outbox import rekey_unsent

    if not secret:
        return
    with vault.session() as s:
        row = s.get(VaultSetting, SETTING)
        current = dict(row.value.get("v") or {}) if row else None
        if current is None or current.get("student_key_secret") == secret:
            return
        current["student_key_secret"] = secret
        row.value = {"v": current}
        rekey_unsent(s, secret)


def _workload_by_role(s, rows) -> dict[str, dict]:
    """Workload as the city needs it: per role and semester, summed — no teacher's name or id."""
    from app.models import User
    from app.records.workload import CATEGORIES, HOURS

    roles = dict(s.execute(select(User.id, User.role)).all())
    out: dict[str, dict] = {}
    for w in rows:
        role = roles.get(w.user_id, "counselor")
        t = out.setdefault(
            role, {"teachers": 0} | dict.fromkeys(CATEGORIES, 0) | dict.fromkeys(HOURS.values(), 0)
        )
        t["teachers"] += 1
        for c in CATEGORIES:
            t[c] += w.counts.get(c, 0)
        for c, name in HOURS.items():
            t[name] = round(t[name] + w.hours.get(c, 0.0), 2)
    return out


def _payload_of(text: str | None) -> dict | None:
    return json.loads(text) if text else None


def _check_city_anchor(vault, client: CityClient) -> str | None:
    """Compare the log with the head the city received last, before sending a new one; a
    mismatch is written into the log itself (it chains forward) and shown on the 同步 page."""
    from app.db import audit

    try:
        _status, doc = client.request("GET", "/api/v1/audit-head", params={"vault": vault.vault_id})
    except HttpStatus as exc:
        if exc.status == 404:
            return None  # a server from before audit anchoring
        raise
    schemas.check("audit_head", doc)
    head = doc["head"]
    if head is None:
        return None
    with vault.session() as s:
        problem = audit.city_head_problem(s, head["seq"], head["hash"], head["received_at"])
        if problem is not None:
            entries, _last = audit.head(s)
            audit.record(
                s,
                audit.AUDIT_CITY_MISMATCH,
                object_type="vault",
                object_id=vault.vault_id,
                detail={"city_seq": head["seq"], "city_hash": head["hash"], "entries": entries},
            )
    if problem is not None:
        log.warning("audit log does not contain the head the city received")
    return problem


def _push(vault, client: CityClient, report: SyncReport, batch_size: int, stop=None) -> None:
    for priority in range(0, 4):
        after = 0
        while True:
            with vault.session() as s:
                items = s.scalars(
                    select(OutboxItem)
                    .where(
                        OutboxItem.status == "pending",
                        OutboxItem.priority == priority,
                        OutboxItem.seq > after,
                    )
                    .order_by(OutboxItem.seq)
                    .limit(batch_size)
                ).all()
                batch = [_wire(i) for i in items]
                shas = {i.id: i.sha256 for i in items}
            if not batch:
                break
            _check(stop)
            after = items[-1].seq
            crash_point("push.before_send")
            try:
                _status, doc = client.request(
                    "POST", "/api/v1/submissions/batch", json_body={"items": batch}
                )
            except HttpStatus as exc:
                if exc.status not in PARK:
                    raise
                _park(vault, list(shas), f"HTTP {exc.status} {exc.code} {exc.message}".strip())
                report.parked += len(shas)
                continue
            crash_point("push.after_send")
            schemas.check("batch", doc)
            results = doc["results"]
            if [r["submission_id"] for r in results] != list(shas):
                raise ProtocolViolation("batch results do not match the submissions sent")
            for r in results:
                rec = r.get("receipt")
                if r["status"] in (200, 201) and (
                    rec is None
                    or rec["submission_id"] != r["submission_id"]
                    or rec["payload_sha256"] != shas[r["submission_id"]]
                ):
                    raise ProtocolViolation("receipt does not match the submission")
            _store_outcomes(vault, results, report)
            crash_point("push.after_receipt")


def _park(vault, ids: list[str], reason: str) -> None:
    with vault.session() as s:
        s.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(ids))
            .values(status="parked", last_error=reason[:500], attempts=OutboxItem.attempts + 1)
        )


def _store_outcomes(vault, results: list[dict], report: SyncReport) -> None:
    now = utcnow()
    with vault.session() as s:
        items = {
            i.id: i
            for i in s.scalars(
                select(OutboxItem).where(OutboxItem.id.in_([r["submission_id"] for r in results]))
            )
        }
        for r in results:
            item = items[r["submission_id"]]
            item.attempts += 1
            if r["status"] in (200, 201):
                item.status, item.receipt, item.acked_at = "acked", r["receipt"], now
                item.last_error = None
                report.pushed += r["status"] == 201
                report.duplicates += r["status"] == 200
            elif r["status"] in PARK:
                item.status = "parked"
                item.last_error = f"{r['status']}: {r.get('error') or ''}"[:500]
                report.parked += 1
            else:
                item.last_error = f"{r['status']}: {r.get('error') or ''}"[:500]


def _cursor(vault, stream: str) -> str | None:
    with vault.session() as s:
        row = s.get(SyncCursor, stream)
        return row.cursor if row else None


def _fetch(client: CityClient, stream: str, cursor: str | None, limit: int) -> dict:
    params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
    _status, doc = client.request("GET", f"/api/v1/streams/{stream}", params=params)
    schemas.check("page", doc)
    if doc["stream"] != stream:
        raise ProtocolViolation("page of another stream")
    return doc


def _save_cursor(s, stream: str, cursor: str, full: bool = False) -> None:
    row = s.get(SyncCursor, stream) or SyncCursor(stream=stream, full_downloads=0)
    row.cursor, row.updated_at = cursor, utcnow()
    if full:
        row.full_downloads = (row.full_downloads or 0) + 1
    s.add(row)


def _pull(
    vault, client: CityClient, stream: str, report: SyncReport, limit: int, stop=None
) -> None:
    told = len(report.pull.rejected)
    try:
        _pull_pages(vault, client, stream, report, limit, stop)
    finally:
        _tell_rejections(client, stream, report.pull.rejected[told:])


def _tell_rejections(client: CityClient, stream: str, entries: list[dict]) -> None:
    """Best effort: the city admin sees what this school could not use (the items are set
    aside here either way, and told again if published again unchanged)."""
    items = [{k: e[k] for k in ("id", "version", "reason")} for e in entries]
    if not items:
        return
    try:
        client.request(
            "POST", f"/api/v1/streams/{stream}/rejections", json_body={"items": items[:1000]}
        )
    except SyncError as exc:
        log.warning("could not tell the city about %d set-aside items: %s", len(items), exc)


def _pull_pages(
    vault, client: CityClient, stream: str, report: SyncReport, limit: int, stop=None
) -> None:
    while True:
        _check(stop)
        try:
            doc = _fetch(client, stream, _cursor(vault, stream), limit)
        except HttpStatus as exc:
            if exc.status == 410:
                _full_download(vault, client, stream, report, limit)
                return
            raise
        crash_point("pull.after_page")
        with vault.session() as s:
            s.info[QUIET] = True
            PageApplier(s, stream, report.pull).apply(doc["items"])
            _save_cursor(s, stream, doc["next_cursor"])
        crash_point("pull.after_apply")
        if not doc["has_more"]:
            return


def _full_download(vault, client: CityClient, stream: str, report: SyncReport, limit: int) -> None:
    """Cursor expired or digests differ: fetch the whole stream, then swap it in at once."""
    items: dict[str, dict] = {}
    cursor = None
    for _page in range(MAX_FULL_PAGES):
        doc = _fetch(client, stream, cursor, limit)
        for item in doc["items"]:
            items[item["id"]] = item
        cursor = doc["next_cursor"]
        if not doc["has_more"]:
            break
    else:
        raise ProtocolViolation("stream does not end")
    with vault.session() as s:
        s.info[QUIET] = True
        for ref in s.scalars(select(RefItem).where(RefItem.stream == stream)):
            if ref.item_id not in items and not ref.deleted:
                ref.deleted, ref.payload = True, None
        PageApplier(s, stream, report.pull).apply(list(items.values()))
        _save_cursor(s, stream, cursor, full=True)
    report.pull.full_downloads.append(stream)


def local_stream_digest(vault, stream: str) -> dict:
    with vault.session() as s:
        rows = s.execute(
            select(RefItem.item_id, RefItem.version).where(
                RefItem.stream == stream, RefItem.deleted.is_(False)
            )
        ).all()
    return digest((a, b) for a, b in rows)


def local_submission_digest(vault) -> dict:
    with vault.session() as s:
        rows = s.execute(
            select(OutboxItem.id, OutboxItem.sha256).where(OutboxItem.status == "acked")
        ).all()
    return digest((a, b) for a, b in rows)


def _remote_digest(client: CityClient, path: str) -> dict:
    _status, doc = client.request("GET", path)
    schemas.check("digest", doc)
    return {"count": doc["count"], "sha256": doc["sha256"]}


def _verify(vault, client, report: SyncReport, streams, limit: int, batch_size: int) -> None:
    ok = True
    for stream in streams:
        if _remote_digest(client, f"/api/v1/streams/{stream}/digest") != local_stream_digest(
            vault, stream
        ):
            _full_download(vault, client, stream, report, limit)
            ok &= _remote_digest(client, f"/api/v1/streams/{stream}/digest") == local_stream_digest(
                vault, stream
            )
    if _remote_digest(client, "/api/v1/submissions/digest") != local_submission_digest(vault):
        _push(vault, client, report, batch_size)  # the server may hold items we never saw acked
    if _remote_digest(client, "/api/v1/submissions/digest") != local_submission_digest(vault):
        with vault.session() as s:
            report.requeued = s.execute(
                update(OutboxItem).where(OutboxItem.status == "acked").values(status="pending")
            ).rowcount
        _push(vault, client, report, batch_size)
        ok &= _remote_digest(client, "/api/v1/submissions/digest") == local_submission_digest(vault)
    report.digests_ok = ok


def _record_status(vault, **values) -> None:
    with vault.session() as s:
        row = s.get(VaultSetting, STATUS_KEY) or VaultSetting(key=STATUS_KEY, value={"v": {}})
        row.value = {"v": dict(row.value.get("v") or {}) | values}
        s.add(row)


def sync_once(
    vault,
    client: CityClient | None = None,
    *,
    streams=STREAMS,
    page_size: int = 500,
    batch_size: int = 500,
    stop=None,
) -> SyncReport:
    """Run one full session; raises a SyncError (with `retryable`) when it could not finish.

    `stop` (a threading.Event) ends the session between batches, e.g. when the vault locks.
    """
    own = client is None
    client = client or client_for(vault)
    report = SyncReport()
    _record_status(vault, last_attempt_at=utcnow().isoformat())
    try:
        _status, health = client.request("GET", "/api/v1/health")
        schemas.check("health", health)
        with vault.session() as s:
            found = load(s, vault.vault_id)
        if found and health["school"]["code"] != found[0].school_code:
            raise ProtocolViolation("the server answers for another school")
        server_time = dt.datetime.fromisoformat(health["server_time"].replace("Z", "+00:00"))
        report.clock_skew_s = round((dt.datetime.now(dt.UTC) - server_time).total_seconds(), 1)
        _adopt_secret(vault, health.get("student_key_secret"))
        report.audit_problem = _check_city_anchor(vault, client)
        enqueue_periodic(vault)
        _push(vault, client, report, batch_size, stop)
        for stream in streams:
            _pull(vault, client, stream, report, page_size, stop)
        _verify(vault, client, report, streams, page_size, batch_size)
    except SyncError as exc:
        log.warning("sync failed: %s", type(exc).__name__)
        _record_status(vault, last_error=str(exc)[:300], last_error_at=utcnow().isoformat())
        raise
    finally:
        if own:
            client.close()
    log.info(
        "sync done: pushed %d, duplicates %d, parked %d, pulled %s, digests %s",
        report.pushed,
        report.duplicates,
        report.parked,
        report.pull.applied,
        report.digests_ok,
    )
    _record_status(
        vault,
        last_success_at=utcnow().isoformat(),
        last_error=None,
        clock_skew_s=report.clock_skew_s,
        digests_ok=report.digests_ok,
        audit_problem=report.audit_problem,
        client_version=__version__,
    )
    return report
