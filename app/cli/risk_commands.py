"""The risk path from the command line: batch answer import and the warning list.

For IT staff and for tests; the same service functions the window calls.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import EXIT_INVALID, EXIT_OK, print_json, unlock_vault
from app.i18n import _


def cmd_results_import(args) -> int:
    from app.services import answer_import

    vault = unlock_vault(args)
    try:
        report = answer_import.import_answers(
            vault,
            Path(args.file),
            args.scale,
            skip_invalid=args.skip_invalid,
            dry_run=args.dry_run,
        )
    finally:
        vault.lock()
    refused = bool(report.invalid) and not args.skip_invalid
    if args.json:
        print_json(report.to_json())
    else:
        for p in report.invalid:
            print(_("Row {row}, column {column}: {reason}").format(**p.to_dict()))
        if refused:
            print(
                _(
                    "Nothing was imported because some rows are invalid. Fix them, or use --skip-invalid."
                )
            )
        elif args.dry_run:
            print(_("Dry run: nothing was written."))
        else:
            print(_("{n} answer sheets imported.").format(n=report.imported))
        for no, items in report.critical:
            print(
                _("Critical answer: {student_no}, items {items}").format(
                    student_no=no, items="、".join(map(str, items))
                )
            )
        for no, level, rule in report.warnings:
            from app.risk.levels import short_name

            print(
                _("Warning raised: {student_no} {level} ({rule})").format(
                    student_no=no, level=short_name(level), rule=rule
                )
            )
    return EXIT_INVALID if refused else EXIT_OK


def cmd_warnings_list(args) -> int:
    from app.services import warnings

    vault = unlock_vault(args)
    try:
        rows = warnings.listing(vault, open_only=args.open)
    finally:
        vault.lock()
    docs = [
        {
            "student_no": w.student_no,
            "name": w.student_name,
            "level": w.level,
            "status": w.status,
            "rule": w.rule_id,
            "flags": list(w.flags),
            "raised_at": w.raised_at.isoformat(timespec="seconds"),
        }
        for w in rows
    ]
    if args.json:
        print_json(docs)
    else:
        from app.risk.levels import short_name

        for d in docs:
            print(
                f"{d['raised_at'][:10]}  {short_name(d['level'])}  {d['name']}  {d['student_no']}"
                f"  {d['status']}  {d['rule']}"
                + (f"  [{', '.join(d['flags'])}]" if d["flags"] else "")
            )
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("results", parents=[common], help=_("assessment results"))
    rsub = p.add_subparsers(dest="results_command", required=True)
    x = rsub.add_parser(
        "import", parents=[common], help=_("import answer sheets (.xlsx/.csv) keyed by 学籍号")
    )
    x.add_argument("file")
    x.add_argument("--scale", required=True, help=_("scale id, e.g. PHQ-9"))
    x.add_argument("--skip-invalid", action="store_true")
    x.add_argument("--dry-run", action="store_true")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_results_import)
    from app.cli.scan_commands import register_results

    register_results(rsub, common)
    p = sub.add_parser("warnings", parents=[common], help=_("early warnings"))
    wsub = p.add_subparsers(dest="warnings_command", required=True)
    x = wsub.add_parser("list", parents=[common], help=_("list warnings, most severe first"))
    x.add_argument("--open", action="store_true", help=_("only warnings not yet resolved"))
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_warnings_list)
