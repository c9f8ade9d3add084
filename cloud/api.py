"""The HTTP face of the reference server (docs/sync-protocol.md; OpenAPI in docs/sync-openapi.json).

No `from __future__ import annotations` here: FastAPI reads the handlers' annotations at runtime.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from cloud import PROTOCOL_VERSION
from cloud.database import Store
from cloud.docs_page import docs_html
from cloud.limits import Gate, Limits, RateLimit
from cloud.models import Device, now
from cloud.orgs import AdminError, authenticate, code_school, enroll, lineage
from cloud.pseudonyms import school_secret
from cloud.streams import (
    STREAMS,
    CursorExpired,
    CursorInvalid,
    page,
    record_rejections,
    stream_digest,
)
from cloud.submissions import ENTITIES, accept, device_digest, latest_audit_head

MAX_BATCH = 1000
StreamName = Literal[STREAMS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrollIn(Strict):
    code: str = Field(min_length=4, max_length=40)
    device_name: str = Field(min_length=1, max_length=200)
    vault_id: str | None = Field(None, pattern=r"^[0-9a-f-]{36}$")


class OrgOut(Strict):
    id: str
    code: str
    name: str


class CodeIn(Strict):
    code: str = Field(min_length=4, max_length=40)


class CodeOut(Strict):
    school: OrgOut


class EnrollOut(Strict):
    device_id: str
    token: str
    school: OrgOut
    district: OrgOut | None
    city: OrgOut | None
    student_key_secret: str  # for pseudonymous student keys (docs/sync-protocol.md §5)
    replaced_devices: int = 0  # earlier enrollments of the same vault, now revoked


class HealthOut(Strict):
    status: Literal["ok"]
    protocol_version: int
    min_client_version: str
    server_time: datetime
    device_id: str
    school: OrgOut
    student_key_secret: str


class ItemOut(Strict):
    id: str
    version: int
    deleted: bool
    payload: dict | None


class PageOut(Strict):
    stream: str
    items: list[ItemOut]
    next_cursor: str
    has_more: bool


class DigestOut(Strict):
    count: int
    sha256: str
    stream: str | None = None


class SubmissionIn(Strict):
    submission_id: str = Field(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )
    entity: Literal[ENTITIES]  # type: ignore[valid-type]
    entity_id: str = Field(min_length=1, max_length=80)
    payload: dict
    payload_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    deprecates: str | None = None
    created_at: datetime


class BatchIn(Strict):
    """Each item has the shape of `SubmissionIn`; each is checked on its own, so one malformed
    item gets its own `422` in the results instead of failing the batch."""

    items: list[dict] = Field(max_length=MAX_BATCH)


class RejectionIn(Strict):
    id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1, lt=2**31)
    reason: str = Field(min_length=1, max_length=300)


class RejectionsIn(Strict):
    items: list[RejectionIn] = Field(max_length=MAX_BATCH)


class RejectionsOut(Strict):
    recorded: int


class Receipt(Strict):
    submission_id: str
    server_seq: int
    received_at: str
    payload_sha256: str


class AuditHead(Strict):
    seq: int
    hash: str
    received_at: str


class AuditHeadOut(Strict):
    head: AuditHead | None


class OutcomeOut(Strict):
    submission_id: str
    status: int
    receipt: Receipt | None = None
    error: str | None = None


class BatchOut(Strict):
    results: list[OutcomeOut]


def _version_tuple(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split(".")[:3])
    except ValueError:
        return (0,)


def _org(o) -> OrgOut | None:
    return OrgOut(id=o.id, code=o.code, name=o.name) if o is not None else None


def _error(
    status: int, code: str, message: str, headers: dict | None = None, **extra
) -> JSONResponse:
    return JSONResponse(
        {"error": code, "message": message} | extra, status_code=status, headers=headers
    )


def create_app(
    store: Store,
    *,
    min_client_version: str = "0.1.0",
    limits: Limits | None = None,
    read_store: Store | None = None,
) -> FastAPI:
    """`read_store`: a replica for the routes that only read (streams, digests, audit head)."""
    limits = limits or Limits()
    reader = read_store or store
    enroll_rate = RateLimit(limits.enroll_per_minute, limits.enroll_burst)
    device_rate = RateLimit(limits.device_per_minute, limits.device_burst)
    app = FastAPI(
        title="XinDang city-cloud sync",
        version=str(PROTOCOL_VERSION),
        description="The open protocol between a school's XinDang client and a city platform.",
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(
        Gate,
        max_body=limits.max_body,
        enroll_rate=enroll_rate,
        protocol=str(PROTOCOL_VERSION),
        min_client=_version_tuple(min_client_version),
        min_client_text=min_client_version,
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(docs_html(app.openapi()))

    @app.exception_handler(RecursionError)
    async def too_deep(_request, _exc):
        return _error(422, "invalid", "the JSON is nested too deeply")

    @app.exception_handler(RequestValidationError)
    async def invalid(_request, exc: RequestValidationError):
        return _error(
            422,
            "invalid",
            "request does not match the schema",
            detail=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()[:20]],
        )

    @app.exception_handler(HTTPException)
    async def http_error(_request, exc: HTTPException):
        code, message = exc.detail if isinstance(exc.detail, tuple) else ("error", str(exc.detail))
        return _error(exc.status_code, code, message, headers=exc.headers)

    def device(
        authorization: Annotated[str | None, Header()] = None,
        x_xindang_client: Annotated[str | None, Header()] = None,
    ) -> Device:
        token = (authorization or "").removeprefix("Bearer ").strip()[:200]
        with store.session() as s:
            found = authenticate(s, token) if token else None
            if found is None:
                raise HTTPException(401, ("unauthorized", "unknown or revoked device"))
            wait = device_rate.wait(found.id)
            if wait:
                raise HTTPException(
                    429,
                    ("slow_down", f"too many requests; retry after {wait:.1f} s"),
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
            stamp = now()
            if found.last_seen_at is None or (stamp - found.last_seen_at).total_seconds() > 60:
                found.last_seen_at = stamp  # a write per minute, not per request
            if x_xindang_client and found.client_version != x_xindang_client[:20]:
                found.client_version = x_xindang_client[:20]
            return found

    Auth = Annotated[Device, Depends(device)]  # noqa: N806 - a type alias

    @app.post("/api/v1/enroll", status_code=201, response_model=EnrollOut)
    def enroll_device(body: EnrollIn) -> EnrollOut:
        with store.session() as s:
            try:
                dev, token, replaced = enroll(s, body.code, body.device_name, body.vault_id)
            except AdminError as exc:
                raise HTTPException(403, ("enrollment_refused", str(exc))) from exc
            line = lineage(s, dev.school_id) + [None, None]
            return EnrollOut(
                device_id=dev.id,
                token=token,
                school=_org(line[0]),
                district=_org(line[1]),
                city=_org(line[2]),
                student_key_secret=school_secret(s, line[0]),
                replaced_devices=replaced,
            )

    @app.post("/api/v1/enroll/check", response_model=CodeOut)
    def check_code(body: CodeIn) -> CodeOut:
        """Which school a code is for, without using it up: the client asks before enrolling
        and warns when it is not the archive's own school."""
        with store.session() as s:
            try:
                school = code_school(s, body.code)
            except AdminError as exc:
                raise HTTPException(403, ("enrollment_refused", str(exc))) from exc
            return CodeOut(school=_org(school))

    @app.get("/api/v1/health", response_model=HealthOut)
    def health(dev: Auth) -> HealthOut:
        with store.session() as s:
            school = lineage(s, dev.school_id)[0]
            return HealthOut(
                status="ok",
                protocol_version=PROTOCOL_VERSION,
                min_client_version=min_client_version,
                server_time=datetime.now(UTC),
                device_id=dev.id,
                school=_org(school),
                student_key_secret=school_secret(s, school),
            )

    @app.get(
        "/api/v1/streams/{stream}",
        response_model=PageOut,
        responses={410: {"description": "cursor expired: download the stream again"}},
    )
    def pull(
        dev: Auth,
        stream: StreamName,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        limit: Annotated[int, Query(ge=1, le=2000)] = 500,
    ) -> PageOut:
        with reader.session() as s:
            try:
                return PageOut(**page(s, stream, dev.school_id, cursor, limit))
            except CursorInvalid as exc:
                raise HTTPException(400, ("bad_cursor", "cursor not recognised")) from exc
            except CursorExpired as exc:
                raise HTTPException(410, ("cursor_expired", "download the stream again")) from exc

    @app.get("/api/v1/streams/{stream}/digest", response_model=DigestOut)
    def pull_digest(dev: Auth, stream: StreamName) -> DigestOut:
        with reader.session() as s:
            return DigestOut(**stream_digest(s, stream, dev.school_id))

    @app.post("/api/v1/streams/{stream}/rejections", response_model=RejectionsOut)
    def report_rejections(
        dev: Auth, stream: Annotated[StreamName, Path()], body: RejectionsIn
    ) -> RejectionsOut:
        """Items of this stream the school's client could not apply, with the reason: kept for
        the city admin (`python -m cloud rejections`) to correct and publish again."""
        with store.session() as s:
            n = record_rejections(s, dev.school_id, stream, [i.model_dump() for i in body.items])
        return RejectionsOut(recorded=n)

    @app.post(
        "/api/v1/submissions",
        response_model=OutcomeOut,
        status_code=201,
        responses={200: {"model": OutcomeOut}, 409: {"model": OutcomeOut}},
    )
    def submit(
        dev: Auth, body: SubmissionIn, idempotency_key: Annotated[str, Header()]
    ) -> JSONResponse:
        if idempotency_key != body.submission_id:
            raise HTTPException(
                400, ("idempotency_key", "Idempotency-Key must equal submission_id")
            )
        with store.session() as s:
            [out] = accept(s, dev, [body.model_dump(mode="json")])
        return JSONResponse(out.as_dict(), status_code=out.status)

    @app.post(
        "/api/v1/submissions/batch", response_model=BatchOut, response_model_exclude_none=True
    )
    def submit_batch(dev: Auth, body: BatchIn) -> BatchOut:
        with store.session() as s:
            outcomes = accept(s, dev, body.items)
        return BatchOut(results=[OutcomeOut(**o.as_dict()) for o in outcomes])

    @app.get("/api/v1/audit-head", response_model=AuditHeadOut)
    def audit_head(
        dev: Auth, vault: Annotated[str, Query(min_length=1, max_length=80)]
    ) -> AuditHeadOut:
        with reader.session() as s:
            found = latest_audit_head(s, dev.school_id, vault)
        return AuditHeadOut(head=AuditHead(**found) if found else None)

    @app.get("/api/v1/submissions/digest", response_model=DigestOut)
    def submissions_digest(dev: Auth) -> DigestOut:
        with reader.session() as s:
            return DigestOut(**device_digest(s, dev.id))

    return app


def app_from_environment() -> FastAPI:
    """For `serve --workers N`: each worker process builds its own app and connection pool."""
    import os

    from cloud.database import ENV_URL, make_engine

    store = Store(make_engine(os.environ[ENV_URL]))
    read_url = os.environ.get("XINDANG_CLOUD_READ_DB")
    reader = Store(make_engine(read_url)) if read_url else None
    limits = Limits()
    enroll = float(os.environ.get("XINDANG_CLOUD_ENROLL_PER_MINUTE", limits.enroll_per_minute))
    device = float(os.environ.get("XINDANG_CLOUD_DEVICE_PER_MINUTE", limits.device_per_minute))
    limits = Limits(
        enroll_per_minute=enroll,
        enroll_burst=max(limits.enroll_burst, int(enroll // 2)),
        device_per_minute=device,
        device_burst=max(limits.device_burst, int(device // 5)),
    )
    return create_app(
        store,
        min_client_version=os.environ.get("XINDANG_CLOUD_MIN_CLIENT", "0.1.0"),
        read_store=reader,
        limits=limits,
    )
