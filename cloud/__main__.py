"""The city admin's command line: organisations, enrollment codes, publishing, the overview, serving.

python -m cloud --db URL init
python -m cloud --db URL add-org city|district|school CODE NAME [--parent CODE]
python -m cloud --db URL issue-code SCHOOL_CODE
python -m cloud --db URL publish-roster SCHOOL_CODE roster.csv
python -m cloud --db URL publish-scale definition.json
python -m cloud --db URL publish-plan SCHOOL_CODE plan.json
python -m cloud --db URL publish-rules rules.json
python -m cloud --db URL transfer STUDENT_NO TO_SCHOOL_CODE
python -m cloud --db URL overview
python -m cloud --db URL serve [--port 8443 --tls-dir DIR]
python -m cloud dev            # `make cloud-dev`: private PostgreSQL, demo city, TLS
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import uuid
from pathlib import Path

from cloud.database import ENV_URL, Store, create_schema, make_engine
from cloud.orgs import AdminError, add_org, get_org, issue_code, revoke
from cloud.overview import overview, render
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
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}


def read_roster(path: Path) -> list[dict]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw[:3] == b"\xef\xbb\xbf" else None
    if text is None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        out = {
            ROSTER_HEADERS.get(k.strip(), k.strip()): (v or "").strip() for k, v in row.items() if k
        }
        out["gender"] = GENDERS.get(out.get("gender") or "")
        for key in ("grade_level", "class_number"):
            digits = "".join(ch for ch in out.get(key) or "" if ch.isdigit())
            out[key] = int(digits) if digits else None
        out["birth_date"] = out.get("birth_date") or None
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
    a = sub.add_parser("publish-roster")
    a.add_argument("school")
    a.add_argument("file", type=Path)
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
    sub.add_parser("overview")
    a = sub.add_parser("serve")
    a.add_argument("--host", default="127.0.0.1")
    a.add_argument("--port", type=int, default=8443)
    a.add_argument("--tls-dir", type=Path, help="folder with server.crt and server.key")
    a.add_argument("--min-client-version", default="0.1.0")
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
    except (AdminError, OSError, ValueError) as exc:
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
        print(f"{publish_roster(s, args.school, read_roster(args.file))} changed")
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
        print(f"{compact(s, args.stream)} superseded versions removed")
    elif args.cmd == "overview":
        print(render(overview(s)))


def _serve(store: Store, args) -> int:
    import uvicorn

    from cloud.api import create_app

    tls = {}
    if args.tls_dir:
        tls = {
            "ssl_certfile": str(args.tls_dir / "server.crt"),
            "ssl_keyfile": str(args.tls_dir / "server.key"),
        }
    uvicorn.run(
        create_app(store, min_client_version=args.min_client_version),
        host=args.host,
        port=args.port,
        **tls,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
