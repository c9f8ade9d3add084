"""The scriptable command line: for IT staff deploying to many schools, and for tests.

Every command calls the same service functions the UI calls. Errors become one translated
line on stderr and a non-zero exit code; nothing is changed on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from app import __version__
from app.cli import keys_commands, risk_commands, scan_commands, sync_commands
from app.cli.common import (
    EXIT_ERROR,
    EXIT_INVALID,
    EXIT_OK,
    new_passphrase,
    new_secret,
    print_json,
    unlock_vault,
    vault_path,
)
from app.errors import AppError
from app.i18n import _


def cmd_init(args) -> int:
    from app.services import vaults

    vault, code = vaults.create_vault(
        vault_path(args),
        school_name=args.school,
        admin_login=args.admin,
        admin_name=args.admin_name or args.admin,
        passphrase=new_passphrase(),
    )
    vault.lock()
    print(_("Vault created at {path}.").format(path=vault_path(args)))
    print(_("Recovery code (shown only once; write it down and keep it sealed):"))
    print(code)
    return EXIT_OK


def cmd_import_roster(args) -> int:
    from app.services import roster_import

    vault = unlock_vault(args)
    try:
        report = roster_import.import_roster(
            vault, Path(args.file), skip_invalid=args.skip_invalid, dry_run=args.dry_run
        )
    finally:
        vault.lock()
    if args.json:
        print_json(report.to_json())
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

    vault = unlock_vault(args)
    try:
        rows = students.search_students(
            vault, students.StudentFilter(query=args.search or ""), limit=args.limit
        )
    finally:
        vault.lock()
    if args.json:
        print_json([r.to_json() for r in rows])
    else:
        for r in rows:
            d = r.to_json()
            print(
                f"{d['student_no']}\t{d['name']}\t{d['gender']}\t{d['grade']}{d['class']}\t{d['status']}"
            )
    return EXIT_OK


def cmd_demo(args) -> int:
    from app.services import demo

    path = vault_path(args)
    demo.create_demo_vault(path)
    print(
        _("Demo vault created at {path}. Passphrase: {passphrase}").format(
            path=path, passphrase=demo.DEMO_PASSPHRASE
        )
    )
    return EXIT_OK


def cmd_audit_verify(args) -> int:
    from app.db import audit

    vault = unlock_vault(args)  # the anchor in keys.json is checked here
    try:
        with vault.session() as s:
            report = audit.verify(s)
            mismatches = audit.city_mismatches(s)
    finally:
        vault.lock()
    if not report.ok:
        print(_("Audit log broken at entry {seq}.").format(seq=report.first_broken))
        return EXIT_INVALID
    print(_("Audit log intact: {n} entries.").format(n=report.entries))
    for m in mismatches:
        print(
            _(
                "Not in agreement with the city platform on {at}: the city had received entry "
                "{seq}, this computer had {found} entries."
            ).format(at=m.at, seq=m.city_seq, found=m.entries)
        )
    return EXIT_INVALID if mismatches else EXIT_OK


def cmd_user_add(args) -> int:
    from app.services import vaults

    vault = unlock_vault(args)
    try:
        new = new_secret(_("New user's passphrase: "))
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


def cmd_user_list(args) -> int:
    from app.services import vaults
    from app.services.permissions import ROLE_LABELS

    vault = unlock_vault(args)
    try:
        users = vaults.list_users(vault)
    finally:
        vault.lock()
    for u in users:
        print(f"{u.login}\t{u.display_name}\t{_(ROLE_LABELS[u.role])}")
    return EXIT_OK


def cmd_export_roster(args) -> int:
    from app.services import roster_export

    password = os.environ.get("XINDANG_FILE_PASSWORD") or None
    if password is None and sys.stdin.isatty():
        import getpass

        password = getpass.getpass(_("File password (empty: no password): ")) or None
    vault = unlock_vault(args)
    try:
        n = roster_export.export_roster(vault, Path(args.file), password=password)
    finally:
        vault.lock()
    if password is None:
        message = _("{n} students written to {path}. The file is not encrypted: keep it safe.")
    else:
        message = _("{n} students written to {path}, protected by the file password.")
    print(message.format(n=n, path=args.file))
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

    from app.scales.library import shipped_scale
    from app.scales.scoring import score

    scale = shipped_scale(args.scale)
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
    from app.services import assessments

    vault = unlock_vault(args)
    try:
        d = assessments.import_scale(vault, Path(args.file))
    finally:
        vault.lock()
    note = _("with item texts") if d.has_item_texts else _("without item texts")
    print(
        _("Scale {id} {version} installed ({note}).").format(id=d.id, version=d.version, note=note)
    )
    return EXIT_OK


def cmd_scale_list(args) -> int:
    from app.scales.library import shipped_scales
    from app.services import assessments

    if getattr(args, "vault", None) or os.environ.get("XINDANG_VAULT"):
        vault = unlock_vault(args)
        try:
            scales = assessments.scale_catalogue(vault)
        finally:
            vault.lock()
    else:
        scales = shipped_scales()  # no vault: what every copy of XinDang ships
    for sid, d in scales.items():
        texts = _("item texts") if d.has_item_texts else _("numbers only")
        print(f"{sid}\t{d.version}\t{d.item_count}\t{texts}\t{d.title}")
    return EXIT_OK


def cmd_rules_show(args) -> int:
    from app.services import warnings

    vault = unlock_vault(args)
    try:
        with vault.session() as s:
            version, rules = warnings.active_rule_set(s)
    finally:
        vault.lock()
    print_json({**rules, "version": version})  # the stored version, not the shipped file's
    return EXIT_OK


def cmd_rules_set(args) -> int:
    from app.services import warnings

    try:
        rules = json.loads(Path(args.file).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise AppError(_("The rule file cannot be read: {error}").format(error=exc)) from exc
    vault = unlock_vault(args)
    try:
        version = warnings.save_rule_set(vault, rules, args.note or "")
    finally:
        vault.lock()
    print(_("Warning rules saved as version {v}.").format(v=version))
    return EXIT_OK


def cmd_evaluate(args) -> int:
    from app.services import warnings

    vault = unlock_vault(args)
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

    return run(vault=vault_path(args) if (args.vault or os.environ.get("XINDANG_VAULT")) else None)


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
    u.set_defaults(func=keys_commands.cmd_user_remove)

    keys_commands.register(sub, common)

    p = sub.add_parser(
        "export-roster", parents=[common], help=_("export enrolled students (.xlsx/.csv)")
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_export_roster)

    p = sub.add_parser("scales", parents=[common], help=_("the scale library"))
    ssub = p.add_subparsers(dest="scales_command", required=True)
    x = ssub.add_parser("list", parents=[common], help=_("list the scales"))
    x.set_defaults(func=cmd_scale_list)
    x = ssub.add_parser(
        "import",
        parents=[common],
        help=_("keep an authorised definition file in the vault (e.g. with licensed item texts)"),
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

    sync_commands.register(sub, common)
    risk_commands.register(sub, common)
    scan_commands.register(sub, common)

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
    except Exception as exc:
        from app.storage_errors import storage_error

        fault = storage_error(exc, getattr(args, "vault", None) and Path(args.vault))
        if fault is None:
            raise
        print(_("Error: {message}").format(message=fault.user_message()), file=sys.stderr)
        return EXIT_ERROR


def entry() -> int:
    """The process entry point (console script, `python -m app`): logs and crash reports go to
    owner-only files on this computer, redacted, before any command runs."""
    from app.crash import install_crash_handler
    from app.logs import configure_logging

    os.umask(0o077)  # every file XinDang creates is the owner's alone
    if len(sys.argv) == 3 and sys.argv[1] == "--xindang-rekey-child":
        from app.db.rekey import child_main  # key rotation's re-encryption, off the GUI's GIL

        return child_main(sys.argv[2])
    configure_logging()
    install_crash_handler()
    return main()
