"""The scriptable command line: for IT staff deploying to many schools, and for tests.

Every command calls the same service functions the UI calls. Errors become one translated
line on stderr and a non-zero exit code; nothing is changed on failure.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from app import __version__
from app.errors import AppError
from app.i18n import _

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def _vault_path(args) -> Path:
    path = args.vault or os.environ.get("XINDANG_VAULT")
    if not path:
        from app.paths import default_vault_dir

        return default_vault_dir()
    return Path(path)


def _passphrase(prompt: str) -> str:
    value = os.environ.get("XINDANG_PASSPHRASE")
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise AppError(_("No passphrase: set XINDANG_PASSPHRASE or run in a terminal."))
    return getpass.getpass(prompt)


def _new_passphrase() -> str:
    value = os.environ.get("XINDANG_PASSPHRASE")
    if value is None:
        value = _passphrase(_("New passphrase: "))
        if getpass.getpass(_("Repeat passphrase: ")) != value:
            raise AppError(_("The two passphrases differ."))
    from app.services.passphrase import require_acceptable

    require_acceptable(value)
    return value


def _unlock(args):
    from app.services import vaults

    login = getattr(args, "user", None) or os.environ.get("XINDANG_USER")
    return vaults.unlock(_vault_path(args), _passphrase(_("Passphrase: ")), login)


def _print_json(doc) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=1))


def cmd_init(args) -> int:
    from app.services import vaults

    vault, code = vaults.create_vault(
        _vault_path(args),
        school_name=args.school,
        admin_login=args.admin,
        admin_name=args.admin_name or args.admin,
        passphrase=_new_passphrase(),
    )
    vault.lock()
    print(_("Vault created at {path}.").format(path=_vault_path(args)))
    print(_("Recovery code (shown only once; write it down and keep it sealed):"))
    print(code)
    return EXIT_OK


def cmd_import_roster(args) -> int:
    from app.services import roster_import

    vault = _unlock(args)
    try:
        report = roster_import.import_roster(
            vault, Path(args.file), skip_invalid=args.skip_invalid, dry_run=args.dry_run
        )
    finally:
        vault.lock()
    if args.json:
        _print_json(report.to_json())
    else:
        for p in report.invalid:
            print(_("Row {row}, column {column}: {reason}").format(**p.to_dict()))
        print(report.summary())
        for c in report.class_changes:
            print(c.describe())
        if report.invalid and not args.skip_invalid:
            print(
                _(
                    "Nothing was imported because some rows are invalid. Fix them, or use --skip-invalid."
                )
            )
        elif args.dry_run:
            print(_("Dry run: nothing was written."))
    return EXIT_INVALID if report.invalid and not args.skip_invalid else EXIT_OK


def cmd_students(args) -> int:
    from app.services import students

    vault = _unlock(args)
    try:
        rows = students.search_students(
            vault, students.StudentFilter(query=args.search or ""), limit=args.limit
        )
    finally:
        vault.lock()
    if args.json:
        _print_json([r.to_json() for r in rows])
    else:
        for r in rows:
            d = r.to_json()
            print(
                f"{d['student_no']}\t{d['name']}\t{d['gender']}\t{d['grade']}{d['class']}\t{d['status']}"
            )
    return EXIT_OK


def cmd_demo(args) -> int:
    from app.services import demo

    path = _vault_path(args)
    demo.create_demo_vault(path)
    print(
        _("Demo vault created at {path}. Passphrase: {passphrase}").format(
            path=path, passphrase=demo.DEMO_PASSPHRASE
        )
    )
    return EXIT_OK


def cmd_audit_verify(args) -> int:
    from app.services import audit

    vault = _unlock(args)
    try:
        with vault.session() as s:
            report = audit.verify(s)
    finally:
        vault.lock()
    if report.ok:
        print(_("Audit log intact: {n} entries.").format(n=report.entries))
        return EXIT_OK
    print(_("Audit log broken at entry {seq}.").format(seq=report.first_broken))
    return EXIT_INVALID


def cmd_user_add(args) -> int:
    from app.services import vaults

    vault = _unlock(args)
    try:
        new = os.environ.get("XINDANG_NEW_PASSPHRASE")
        if new is None:
            if not sys.stdin.isatty():
                raise AppError(_("No passphrase for the new user: set XINDANG_NEW_PASSPHRASE."))
            new = getpass.getpass(_("New user's passphrase: "))
        user = vaults.add_user(
            vault,
            login=args.login,
            display_name=args.name or args.login,
            role=args.role,
            passphrase=new,
        )
    finally:
        vault.lock()
    print(_("User {login} added.").format(login=user.login))
    return EXIT_OK


def _new_secret(prompt: str) -> str:
    new = os.environ.get("XINDANG_NEW_PASSPHRASE")
    if new is None:
        if not sys.stdin.isatty():
            raise AppError(_("No new passphrase: set XINDANG_NEW_PASSPHRASE."))
        new = getpass.getpass(prompt)
    return new


def cmd_user_remove(args) -> int:
    from app.services import keys

    vault = _unlock(args)
    try:
        keys.remove_user(vault, args.login)
    finally:
        vault.lock()
    print(_("User {login} removed; their records stay.").format(login=args.login))
    return EXIT_OK


def cmd_passphrase_change(args) -> int:
    from app.services import keys

    old = _passphrase(_("Passphrase: "))
    vault = _unlock(args)
    try:
        keys.change_passphrase(vault, old, _new_secret(_("New passphrase: ")))
    finally:
        vault.lock()
    print(_("Passphrase changed."))
    return EXIT_OK


def cmd_recovery_regenerate(args) -> int:
    from app.services import keys

    vault = _unlock(args)
    try:
        code = keys.regenerate_recovery_code(vault)
    finally:
        vault.lock()
    print(_("New recovery code (the old one no longer works; print it and keep it safe):"))
    print(code)
    return EXIT_OK


def cmd_rotate_key(args) -> int:
    from app.services import keys

    vault = _unlock(args)
    try:
        keys.rotate_data_key(vault)
    finally:
        vault.lock()
    print(_("The database was re-encrypted with a new key."))
    return EXIT_OK


def cmd_handover(args) -> int:
    from app.services import keys

    vault = _unlock(args)
    try:
        result = keys.handover(
            vault,
            departing_login=args.departing,
            new_login=args.login,
            new_name=args.name or args.login,
            new_passphrase=_new_secret(_("New user's passphrase: ")),
        )
    finally:
        vault.lock()
    print(_("The archive now belongs to {login}. New recovery code:").format(login=args.login))
    print(result.recovery_code)
    return EXIT_OK


def cmd_backup(args) -> int:
    from app.services import backups, vaults

    vault = _unlock(args)
    try:
        folder = args.to or vaults.get_setting(vault, "backup_folder", None)
        if not folder:
            raise AppError(_("No backup folder: give --to or set one in Settings."))
        info = backups.backup(vault, Path(folder), keep=args.keep)
    finally:
        vault.lock()
    print(_("Backup written and verified: {path}").format(path=info.path))
    return EXIT_OK


def cmd_backup_verify(args) -> int:
    from app.services import backups

    manifest = backups.verify_backup(Path(args.path), _passphrase(_("Passphrase: ")), args.user)
    print(
        _("Backup verified: {n} students, made {when}.").format(
            n=manifest["students"], when=manifest["created_at"]
        )
    )
    return EXIT_OK


def cmd_restore(args) -> int:
    from app.services import backups

    aside = backups.restore(
        Path(args.path),
        _vault_path(args),
        _passphrase(_("Passphrase: ")),
        getattr(args, "user", None),
        other_vault=args.other_vault,
    )
    print(_("Restored from {path}.").format(path=args.path))
    if aside:
        print(_("The previous files were kept in {path}.").format(path=aside))
    return EXIT_OK


def cmd_user_list(args) -> int:
    from app.services import vaults
    from app.services.permissions import ROLE_LABELS

    vault = _unlock(args)
    try:
        users = vaults.list_users(vault)
    finally:
        vault.lock()
    for u in users:
        print(f"{u.login}\t{u.display_name}\t{_(ROLE_LABELS[u.role])}")
    return EXIT_OK


def cmd_export_roster(args) -> int:
    from app.services import roster_export

    vault = _unlock(args)
    try:
        n = roster_export.export_roster(vault, Path(args.file))
    finally:
        vault.lock()
    print(
        _("{n} students written to {path}. The file is not encrypted: keep it safe.").format(
            n=n, path=args.file
        )
    )
    return EXIT_OK


def _parse_answers(cells: list[str]) -> list[int | None]:
    out: list[int | None] = []
    for k, cell in enumerate(cells, start=1):
        cell = cell.strip()
        if cell in ("", "-", "."):
            out.append(None)
            continue
        try:
            out.append(int(cell))
        except ValueError:
            raise AppError(
                _("Answer {k} is not a number: “{cell}”.").format(k=k, cell=cell)
            ) from None
    return out


def _print_score(result, as_json: bool, label: str | None = None) -> None:
    doc = result.to_json()
    if label is not None:
        doc = {"id": label, **doc}
    if as_json:
        print(json.dumps(doc, ensure_ascii=False))
        return
    band = doc["band"]["label"] if doc["band"] else "-"
    parts = [label] if label else []
    parts += [f"{doc['scale']}", _("total {total}").format(total=doc["total"])]
    if doc["standard_score"] is not None:
        parts.append(_("standard {score}").format(score=doc["standard_score"]))
    parts.append(band)
    if doc["critical_items"]:
        parts.append(
            _("CRITICAL items {items}").format(items=",".join(map(str, doc["critical_items"])))
        )
    if not doc["validity"]["valid"]:
        parts.append(_("invalid: {flags}").format(flags=",".join(doc["validity"]["flags"])))
    print("  ".join(parts))


def cmd_score(args) -> int:
    import csv

    from app.scales.library import get_scale
    from app.scales.scoring import score

    scale = get_scale(args.scale)
    if args.responses is not None:
        _print_score(score(scale, _parse_answers(args.responses.split(","))), args.json)
        return EXIT_OK
    if args.csv is None:
        raise AppError(_("Give --responses or --csv."))
    from app.roster.reading import decode_text

    text = decode_text(Path(args.csv).read_bytes())
    failures = 0
    for rownum, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not any(c.strip() for c in row):
            continue
        label = None
        if not row[0].strip().lstrip("-").isdigit() and row[0].strip() not in ("", "-", "."):
            label, row = row[0].strip(), row[1:]
            if rownum == 1 and not any(c.strip().isdigit() for c in row):
                continue  # a header row
        try:
            _print_score(score(scale, _parse_answers(row)), args.json, label or str(rownum))
        except AppError as exc:
            failures += 1
            print(
                _("Row {row}: {message}").format(row=rownum, message=exc.user_message()),
                file=sys.stderr,
            )
    return EXIT_INVALID if failures else EXIT_OK


def cmd_scale_import(args) -> int:
    from app.scales.library import import_definition

    d = import_definition(Path(args.file))
    note = _("with item texts") if d.has_item_texts else _("without item texts")
    print(
        _("Scale {id} {version} installed ({note}).").format(id=d.id, version=d.version, note=note)
    )
    return EXIT_OK


def cmd_scale_list(args) -> int:
    from app.scales.library import all_scales

    for sid, d in all_scales().items():
        texts = _("item texts") if d.has_item_texts else _("numbers only")
        print(f"{sid}\t{d.version}\t{d.item_count}\t{texts}\t{d.title}")
    return EXIT_OK


def cmd_rules_show(args) -> int:
    from app.services import warnings

    vault = _unlock(args)
    try:
        with vault.session() as s:
            version, rules = warnings.active_rule_set(s)
    finally:
        vault.lock()
    _print_json({"version": version, **rules})
    return EXIT_OK


def cmd_rules_set(args) -> int:
    from app.services import warnings

    try:
        rules = json.loads(Path(args.file).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise AppError(_("The rule file cannot be read: {error}").format(error=exc)) from exc
    vault = _unlock(args)
    try:
        version = warnings.save_rule_set(vault, rules, args.note or "")
    finally:
        vault.lock()
    print(_("Warning rules saved as version {v}.").format(v=version))
    return EXIT_OK


def cmd_evaluate(args) -> int:
    from app.services import warnings

    vault = _unlock(args)
    try:
        report = warnings.evaluate_all(vault)
    finally:
        vault.lock()
    print(
        _("Evaluated {n} students: {raised} new warnings, {escalated} escalated.").format(
            n=report.evaluated, raised=report.raised, escalated=report.escalated
        )
    )
    return EXIT_OK


def cmd_gui(args) -> int:
    from app.ui import run

    return run(vault=_vault_path(args) if (args.vault or os.environ.get("XINDANG_VAULT")) else None)


def cmd_sync_enroll(args) -> int:
    from app.services import sync

    vault = _unlock(args)
    try:
        e = sync.enroll(
            vault, args.server, args.code, args.fingerprint, allow_plain_http=args.insecure_http
        )
    finally:
        vault.lock()
    print(
        _("Enrolled as {school} (device {device}).").format(
            school=e.school_name, device=e.device_id
        )
    )
    return EXIT_OK


def cmd_sync_now(args) -> int:
    from app.services import sync
    from app.sync.transport import SyncError

    vault = _unlock(args)
    try:
        report = sync.sync_now(vault)
    except SyncError as exc:
        raise AppError(sync.explain(exc)) from exc
    finally:
        vault.lock()
    doc = {
        "pushed": report.pushed,
        "duplicates": report.duplicates,
        "parked": report.parked,
        "pulled": report.pull.applied,
        "conflicts": report.pull.conflicts,
        "full_downloads": report.pull.full_downloads,
        "digests_ok": report.digests_ok,
    }
    if args.json:
        _print_json(doc)
        return EXIT_OK
    print(
        _("Sent {pushed}, received {pulled}, parked {parked}, conflicts {conflicts}.").format(
            pushed=report.pushed,
            pulled=sum(report.pull.applied.values()),
            parked=report.parked,
            conflicts=report.pull.conflicts,
        )
    )
    return EXIT_OK


def cmd_sync_status(args) -> int:
    from app.services import sync

    vault = _unlock(args)
    try:
        st = sync.status(vault)
    finally:
        vault.lock()
    if args.json:
        _print_json(
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in st.__dict__.items()}
        )
        return EXIT_OK
    print(_("Last successful sync: {age}").format(age=st.age_text()))
    print(
        _("Pending: {p} (warnings {w}), parked: {k}, conflicts: {c}").format(
            p=st.pending, w=st.pending_warnings, k=st.parked, c=st.conflicts
        )
    )
    return EXIT_OK


def cmd_sync_outbox(args) -> int:
    """Print exactly what would be (or was) sent: the stored payloads, one per line."""
    from app.services import sync

    vault = _unlock(args)
    try:
        rows = sync.outbox_rows(vault, args.status, args.limit)
    finally:
        vault.lock()
    for r in rows:
        print(f"{r.id}\t{r.entity}\t{r.payload}" + (f"\t{r.last_error}" if r.last_error else ""))
    return EXIT_OK


def cmd_sync_policy(args) -> int:
    from app.services import sync

    vault = _unlock(args)
    try:
        rows = sync.policy_rows(vault)
    finally:
        vault.lock()
    for r in rows:
        mark = _("sent") if r.sent else (_("never (fixed)") if r.locked else _("not sent"))
        print(f"{r.entity}\t{r.field}\t{mark}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    # Sub-commands take --vault/--user too; SUPPRESS keeps them from erasing a value given earlier.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vault", default=argparse.SUPPRESS, help=_("vault folder (or XINDANG_VAULT)")
    )
    common.add_argument("--user", default=argparse.SUPPRESS, help=_("user name (or XINDANG_USER)"))
    parser = argparse.ArgumentParser(
        prog="xindang", description=_("XinDang counseling-room archive")
    )
    parser.add_argument("--vault", help=_("vault folder (or XINDANG_VAULT)"))
    parser.add_argument("--user", help=_("user name (or XINDANG_USER)"))
    parser.add_argument("--version", action="version", version=f"xindang {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help=_("check this installation and exit")
    )
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("init", parents=[common], help=_("create a new vault"))
    p.add_argument("--school", required=True)
    p.add_argument("--admin", required=True, help=_("the admin's user name"))
    p.add_argument("--admin-name", help=_("the admin's display name"))
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import-roster", parents=[common], help=_("import a roster (.xlsx/.csv)"))
    p.add_argument("file")
    p.add_argument("--skip-invalid", action="store_true")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_roster)

    p = sub.add_parser("students", parents=[common], help=_("list or search students"))
    p.add_argument("--search", "-s")
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_students)

    p = sub.add_parser("demo", parents=[common], help=_("create a demo vault"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("audit", parents=[common], help=_("audit log tools"))
    asub = p.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", parents=[common], help=_("verify the audit chain"))
    v.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("user", parents=[common], help=_("manage users"))
    usub = p.add_subparsers(dest="user_command", required=True)
    u = usub.add_parser("add", parents=[common], help=_("add a user with their own passphrase"))
    u.add_argument("--login", required=True)
    u.add_argument("--name")
    u.add_argument("--role", choices=("admin", "counselor", "viewer"), default="counselor")
    u.set_defaults(func=cmd_user_add)
    u = usub.add_parser("list", parents=[common], help=_("list users"))
    u.set_defaults(func=cmd_user_list)
    u = usub.add_parser("remove", parents=[common], help=_("remove a user's access"))
    u.add_argument("--login", required=True)
    u.set_defaults(func=cmd_user_remove)

    p = sub.add_parser("passphrase", parents=[common], help=_("change your passphrase"))
    psub = p.add_subparsers(dest="passphrase_command", required=True)
    x = psub.add_parser(
        "change",
        parents=[common],
        help=_("old from XINDANG_PASSPHRASE, new from XINDANG_NEW_PASSPHRASE"),
    )
    x.set_defaults(func=cmd_passphrase_change)
    p = sub.add_parser("recovery", parents=[common], help=_("the recovery code"))
    rsub2 = p.add_subparsers(dest="recovery_command", required=True)
    x = rsub2.add_parser("regenerate", parents=[common], help=_("make a new recovery code"))
    x.set_defaults(func=cmd_recovery_regenerate)
    p = sub.add_parser(
        "rotate-key", parents=[common], help=_("re-encrypt the database with a new key")
    )
    p.set_defaults(func=cmd_rotate_key)
    p = sub.add_parser("handover", parents=[common], help=_("hand the archive to a new counselor"))
    p.add_argument("--from", dest="departing", required=True, help=_("the departing user"))
    p.add_argument("--login", required=True, help=_("the new counselor's user name"))
    p.add_argument("--name")
    p.set_defaults(func=cmd_handover)
    p = sub.add_parser("backup", parents=[common], help=_("write and verify an encrypted backup"))
    p.add_argument("--to", help=_("backup folder (default: the one set in Settings)"))
    p.add_argument("--keep", type=int, default=10, help=_("how many backups to keep"))
    p.set_defaults(func=cmd_backup)
    bsub = p.add_subparsers(dest="backup_command")
    x = bsub.add_parser("verify", parents=[common], help=_("verify a backup folder"))
    x.add_argument("path")
    x.set_defaults(func=cmd_backup_verify)
    p = sub.add_parser("restore", parents=[common], help=_("restore a verified backup"))
    p.add_argument("path")
    p.add_argument(
        "--other-vault", action="store_true", help=_("allow a backup of a different archive")
    )
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "export-roster", parents=[common], help=_("export enrolled students (.xlsx/.csv)")
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_export_roster)

    p = sub.add_parser("scales", help=_("the scale library"))
    ssub = p.add_subparsers(dest="scales_command", required=True)
    x = ssub.add_parser("list", help=_("list the scales"))
    x.set_defaults(func=cmd_scale_list)
    x = ssub.add_parser(
        "import", help=_("install an authorised definition file (e.g. with licensed item texts)")
    )
    x.add_argument("file")
    x.set_defaults(func=cmd_scale_import)

    p = sub.add_parser("rules", parents=[common], help=_("warning rules"))
    rsub = p.add_subparsers(dest="rules_command", required=True)
    x = rsub.add_parser("show", parents=[common], help=_("print the active rule set"))
    x.set_defaults(func=cmd_rules_show)
    x = rsub.add_parser("set", parents=[common], help=_("save a rule set as the next version"))
    x.add_argument("file")
    x.add_argument("--note")
    x.set_defaults(func=cmd_rules_set)
    x = rsub.add_parser(
        "evaluate", parents=[common], help=_("evaluate the rules for every student now")
    )
    x.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("score", help=_("score a scale from answers (no vault needed)"))
    p.add_argument("scale", help=_("scale id, e.g. PHQ-9"))
    p.add_argument("--responses", help=_("answers as printed on the paper form, comma-separated"))
    p.add_argument(
        "--csv", help=_("a CSV file with one answer sheet per row (optional first column: an id)")
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("sync", parents=[common], help=_("sync with the city platform"))
    ysub = p.add_subparsers(dest="sync_command", required=True)
    x = ysub.add_parser("enroll", parents=[common], help=_("connect with a one-time code"))
    x.add_argument("server", help=_("https:// address of the city platform"))
    x.add_argument("code", help=_("one-time enrollment code from the district"))
    x.add_argument("--fingerprint", help=_("SHA-256 fingerprint of the server certificate to pin"))
    x.add_argument("--insecure-http", action="store_true", help=argparse.SUPPRESS)
    x.set_defaults(func=cmd_sync_enroll)
    x = ysub.add_parser("now", parents=[common], help=_("sync now"))
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_sync_now)
    x = ysub.add_parser("status", parents=[common], help=_("last sync, pending and parked items"))
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_sync_status)
    x = ysub.add_parser("outbox", parents=[common], help=_("show exactly what is sent"))
    x.add_argument("--status", choices=("pending", "acked", "parked"), default="pending")
    x.add_argument("--limit", type=int, default=100)
    x.set_defaults(func=cmd_sync_outbox)
    x = ysub.add_parser("policy", parents=[common], help=_("which fields go to the city"))
    x.set_defaults(func=cmd_sync_policy)

    p = sub.add_parser("gui", parents=[common], help=_("open the application window"))
    p.set_defaults(func=cmd_gui)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--self-test"]:
        from app.cli.selftest import run

        return run()
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except AppError as exc:
        print(_("Error: {message}").format(message=exc.user_message()), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def entry() -> int:
    """The process entry point (console script, `python -m app`): logs and crash reports go to
    owner-only files on this computer, redacted, before any command runs."""
    from app.crash import install_crash_handler
    from app.logs import configure_logging

    os.umask(0o077)  # every file XinDang creates is the owner's alone
    configure_logging()
    install_crash_handler()
    return main()
