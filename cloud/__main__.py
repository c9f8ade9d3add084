"""The city admin's command line: organisations, enrollment codes, publishing, the overview, serving.

python -m cloud --db URL init
python -m cloud --db URL add-org city|district|school CODE NAME [--parent CODE]
python -m cloud --db URL orgs list | devices list [--school CODE] | codes list [--school CODE]
python -m cloud --db URL issue-code SCHOOL_CODE
python -m cloud --db URL revoke-device DEVICE_ID
python -m cloud --db URL publish-roster SCHOOL_CODE roster.csv [--skip-invalid]
python -m cloud --db URL publish-scale definition.json
python -m cloud --db URL publish-plan SCHOOL_CODE plan.json
python -m cloud --db URL publish-rules rules.json
python -m cloud --db URL rejections list [--school CODE]
python -m cloud --db URL transfer STUDENT_NO TO_SCHOOL_CODE
python -m cloud --db URL compact STREAM [--school CODE]
python -m cloud --db URL overview
python -m cloud --db URL serve [--port 8443 --tls-dir DIR --workers N --read-db URL]
python -m cloud dev            # `make cloud-dev`: private PostgreSQL, demo city, TLS
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from cloud.database import ENV_URL, SchemaTooOld, Store, create_schema, make_engine
from cloud.models import Device, EnrollmentCode, Org, StreamRejection, now
from cloud.orgs import AdminError, add_org, get_org, issue_code, revoke
from cloud.overview import overview, render
from cloud.roster import RosterInvalid
from cloud.streams import compact, publish, publish_roster, transfer

# Chinese headers a district's roster export commonly has, mapped to the protocol's fields.
ROSTER_HEADERS = {
    "学籍号": "student_no",
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "年级": "grade_level",
    "班级": "class_number",
    "状态": "status",
}


def read_roster(path: Path) -> list[dict]:
    """The file's rows with their headers mapped; values stay as written (七年级, 在读, 2013/1/8):
    publishing checks and normalises them (cloud/roster.py), row by row with line numbers."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw[:3] == b"\xef\xbb\xbf" else None
    if text is None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
    rows = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        out = {
            ROSTER_HEADERS.get(k.strip(), k.strip()): (v or "").strip()
            for k, v in row.items()
            if k and isinstance(v, str | None)
        }
        out["_line"] = line
        rows.append(out)
    return rows


def _store(args) -> Store:
    engine = make_engine(args.db)
    create_schema(engine)
    return Store(engine)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m cloud", description="XinDang reference city server")
    p.add_argument("--db", help=f"database URL (default ${ENV_URL})")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("init")
    a = sub.add_parser("add-org")
    a.add_argument("level", choices=("city", "district", "school"))
    a.add_argument("code")
    a.add_argument("name")
    a.add_argument("--parent")
    a = sub.add_parser("issue-code")
    a.add_argument("school")
    a.add_argument("--hours", type=int, default=72)
    a = sub.add_parser("revoke-device")
    a.add_argument("device_id")
    for name in ("orgs", "devices", "codes", "rejections"):
        a = sub.add_parser(name)
        a.add_argument("action", choices=("list",))
        if name != "orgs":
            a.add_argument("--school", help="one school's code")
    a = sub.add_parser("publish-roster")
    a.add_argument("school")
    a.add_argument("file", type=Path)
    a.add_argument(
        "--skip-invalid", action="store_true", help="publish the valid rows, list the others"
    )
    a = sub.add_parser("publish-scale")
    a.add_argument("file", type=Path)
    a = sub.add_parser("publish-plan")
    a.add_argument("school")
    a.add_argument("file", type=Path)
    a = sub.add_parser("publish-rules")
    a.add_argument("file", type=Path)
    a = sub.add_parser("transfer")
    a.add_argument("student_no")
    a.add_argument("school")
    a = sub.add_parser("compact")
    a.add_argument("stream")
    a.add_argument("--school", help="only this school's part of the stream")
    sub.add_parser("overview")
    a = sub.add_parser("serve")
    a.add_argument("--host", default="127.0.0.1")
    a.add_argument("--port", type=int, default=8443)
    a.add_argument("--tls-dir", type=Path, help="folder with server.crt and server.key")
    a.add_argument("--min-client-version", default="0.1.0")
    a.add_argument("--workers", type=int, default=1, help="server processes (uvicorn workers)")
    a.add_argument("--read-db", help="a read replica's URL for the routes that only read")
    a.add_argument("--enroll-per-minute", type=float, help="enrollments per address (20)")
    a.add_argument("--device-per-minute", type=float, help="requests per device (600)")
    a = sub.add_parser("dev")
    a.add_argument("--folder", type=Path, default=Path(".cloud-dev"))
    a.add_argument("--port", type=int, default=8443)
    a.add_argument("--sqlite", action="store_true", help="quick demo without PostgreSQL")
    args = p.parse_args(argv)
    if args.cmd == "dev":
        from cloud.devserver import run_dev

        return run_dev(args.folder, args.port, sqlite=args.sqlite)
    try:
        store = _store(args)
        if args.cmd == "serve":
            return _serve(store, args)
        with store.session() as s:
            _run(s, args)
    except RosterInvalid as exc:
        print(f"error: {len(exc.problems)} roster problem(s), nothing published:", file=sys.stderr)
        for p in exc.problems[:100]:
            print(f"  {p}", file=sys.stderr)
        return 1
    except (AdminError, OSError, ValueError, SchemaTooOld) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _run(s, args) -> None:
    if args.cmd == "init":
        print("schema ready")
    elif args.cmd == "add-org":
        org = add_org(s, args.level, args.code, args.name, args.parent)
        print(org.id)
    elif args.cmd == "issue-code":
        print(issue_code(s, args.school, args.hours))
    elif args.cmd == "revoke-device":
        revoke(s, args.device_id)
    elif args.cmd == "publish-roster":
        rows = read_roster(args.file)
        problems = []
        if args.skip_invalid:
            from cloud.roster import normalize

            problems = [p for r in rows for p in normalize(r, r["_line"])[1]]
        n = publish_roster(s, args.school, rows, skip_invalid=args.skip_invalid)
        print(f"{n} changed")
        for p in problems:
            print(f"  skipped {p}")
    elif args.cmd in ("orgs", "devices", "codes", "rejections"):
        _list(s, args)
    elif args.cmd == "publish-scale":
        doc = json.loads(args.file.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or not doc.get("id"):
            raise AdminError("a scale definition needs an id")
        publish(s, "scales", str(doc["id"]).upper(), doc)
    elif args.cmd == "publish-plan":
        school = get_org(s, args.school, "school")
        doc = json.loads(args.file.read_text(encoding="utf-8"))
        publish(s, "plans", doc.setdefault("id", str(uuid.uuid4())), doc, scope=school.id)
        print(doc["id"])
    elif args.cmd == "publish-rules":
        doc = json.loads(args.file.read_text(encoding="utf-8"))
        publish(s, "rules", "city", {"rules": doc})
    elif args.cmd == "transfer":
        payload = transfer(s, args.student_no, args.school)
        print(f"{len(payload['results'])} results, {len(payload['warnings'])} warnings shared")
    elif args.cmd == "compact":
        scope = get_org(s, args.school, "school").id if args.school else None
        print(f"{compact(s, args.stream, scope)} superseded versions removed")
    elif args.cmd == "overview":
        print(render(overview(s)))


def _list(s, args) -> None:
    """Tab-separated lines a district IT person can read, grep or paste into a spreadsheet."""
    school = get_org(s, args.school, "school") if getattr(args, "school", None) else None
    names = {o.id: o.code for o in s.scalars(select(Org))}
    if args.cmd == "orgs":
        for o in s.scalars(select(Org).order_by(Org.level, Org.code)):
            print(f"{o.level}\t{o.code}\t{o.name}\t{names.get(o.parent_id, '')}")
    elif args.cmd == "devices":
        q = select(Device).order_by(Device.enrolled_at)
        if school is not None:
            q = q.where(Device.school_id == school.id)
        for d in s.scalars(q):
            state = f"revoked {d.revoked_at:%Y-%m-%d}" if d.revoked_at else "active"
            seen = f"{d.last_seen_at:%Y-%m-%d %H:%M}" if d.last_seen_at else "never"
            print(
                f"{d.id}\t{names.get(d.school_id)}\t{d.name}\t{state}\t"
                f"enrolled {d.enrolled_at:%Y-%m-%d}\tlast seen {seen}\t{d.client_version or ''}"
            )
    elif args.cmd == "codes":
        q = select(EnrollmentCode).order_by(EnrollmentCode.issued_at)
        if school is not None:
            q = q.where(EnrollmentCode.school_id == school.id)
        for c in s.scalars(q):
            state = (
                f"used {c.used_at:%Y-%m-%d} by {c.device_id}"
                if c.used_at
                else (
                    "expired"
                    if c.expires_at < now()
                    else f"valid until {c.expires_at:%Y-%m-%d %H:%M}"
                )
            )
            print(f"{c.code_hash[:12]}…\t{names.get(c.school_id)}\t{state}")
    else:
        q = select(StreamRejection).order_by(StreamRejection.reported_at)
        if school is not None:
            q = q.where(StreamRejection.school_id == school.id)
        for r in s.scalars(q):
            print(
                f"{names.get(r.school_id)}\t{r.stream}\t{r.item_id}\tversion {r.version}\t"
                f"{r.reported_at:%Y-%m-%d %H:%M}\t{r.reason}"
            )


def _serve(store: Store, args) -> int:
    """In the foreground. With `--workers N` uvicorn runs N processes, each building the app
    from the environment (`cloud.api:app_from_environment`)."""
    import os

    import uvicorn

    tls = {}
    if args.tls_dir:
        tls = {
            "ssl_certfile": str(args.tls_dir / "server.crt"),
            "ssl_keyfile": str(args.tls_dir / "server.key"),
        }
    os.environ[ENV_URL] = str(store.engine.url.render_as_string(hide_password=False))
    os.environ["XINDANG_CLOUD_MIN_CLIENT"] = args.min_client_version
    if args.read_db:
        os.environ["XINDANG_CLOUD_READ_DB"] = args.read_db
    if args.enroll_per_minute:
        os.environ["XINDANG_CLOUD_ENROLL_PER_MINUTE"] = str(args.enroll_per_minute)
    if args.device_per_minute:
        os.environ["XINDANG_CLOUD_DEVICE_PER_MINUTE"] = str(args.device_per_minute)
    uvicorn.run(
        "cloud.api:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=max(1, args.workers),
        **tls,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
