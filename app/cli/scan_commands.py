"""Machine-readable sheets and scans from the command line: `xindang sheets print` and
`xindang results scan` — the same service functions the window calls."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli.common import EXIT_INVALID, EXIT_OK, print_json, unlock_vault
from app.i18n import _


def _class_id(vault, name: str) -> str | None:
    from app.services import students

    for g in students.grades_and_classes(vault):
        for c in g.classes:
            if name in (f"{g.name}{c.name}", c.id):
                return c.id
    return None


def cmd_sheets_print(args) -> int:
    from app.atomic_write import atomic_write
    from app.services import plans, scan_print

    vault = unlock_vault(args)
    try:
        scale, class_id = args.scale, None
        if args.plan:
            plan = next((p for p in plans.list_plans(vault) if p.id.startswith(args.plan)), None)
            if plan is None:
                print(_("No plan {id}.").format(id=args.plan))
                return EXIT_INVALID
            if scale is None and len(plan.scale_ids) == 1:
                scale = plan.scale_ids[0]
            args.plan = plan.id
        else:
            class_id = _class_id(vault, args.class_name)
            if class_id is None:
                print(_("No class {name}.").format(name=args.class_name))
                return EXIT_INVALID
        if scale is None:
            print(_("Name the scale with --scale."))
            return EXIT_INVALID
        pdf, serial, layout = scan_print.print_scan_sheets(
            vault, scale, plan_id=args.plan, class_id=class_id
        )
    finally:
        vault.lock()
    atomic_write(Path(args.out), pdf)
    if args.layout_json:
        atomic_write(
            Path(args.layout_json),
            json.dumps(layout.to_json(), ensure_ascii=False, indent=1).encode("utf-8"),
        )
    print(_("Sheets written to {file} (serial {serial}).").format(file=args.out, serial=serial))
    return EXIT_OK


def cmd_results_scan(args) -> int:
    from app.services import scans

    vault = unlock_vault(args)
    try:
        report = scans.scan_files(vault, [Path(p) for p in args.paths], plan_id=args.plan)
        accepted = scans.accept_confident(vault, report.ready) if args.accept_confident else []
    finally:
        vault.lock()
    if args.json:
        doc = report.to_json()
        doc["accepted"] = len(accepted)
        print_json(doc)
    else:
        print(
            _(
                "{sheets} sheets from {read} pages; {review} to review; {bad} pages unreadable."
            ).format(
                sheets=report.sheets,
                read=report.read,
                review=len(report.needs_review),
                bad=len(report.unreadable),
            )
        )
        for u in report.unreadable:
            print(f"  {u['file']}: {u['reason']}")
        if accepted:
            print(_("{n} sheets needing no review were stored.").format(n=len(accepted)))
        elif report.ready:
            print(
                _(
                    "{n} sheets need no review; store them with --accept-confident or in the window."
                ).format(n=len(report.ready))
            )
        for no, items in report.critical:
            print(
                _("Critical answer: {student_no}, items {items}").format(
                    student_no=no, items="、".join(map(str, items))
                )
            )
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sheets", parents=[common], help=_("machine-readable answer sheets"))
    ssub = p.add_subparsers(dest="sheets_command", required=True)
    x = ssub.add_parser("print", parents=[common], help=_("print answer sheets a scanner reads"))
    who = x.add_mutually_exclusive_group(required=True)
    who.add_argument("--plan", help=_("the plan's id (its first characters suffice)"))
    who.add_argument("--class", dest="class_name", help=_("a class, e.g. 七年级1班"))
    x.add_argument("--scale", help=_("scale id, e.g. PHQ-9"))
    x.add_argument("--out", required=True, help=_("the PDF to write"))
    x.add_argument("--layout-json", help=_("also write every bubble's position (PDF points)"))
    x.set_defaults(func=cmd_sheets_print)


def register_results(rsub, common: argparse.ArgumentParser) -> None:
    x = rsub.add_parser(
        "scan", parents=[common], help=_("read scanned answer sheets (PNG/JPEG/TIFF/PDF)")
    )
    x.add_argument("paths", nargs="+", help=_("files or folders"))
    x.add_argument("--plan", help=_("the plan, for sheets printed without one"))
    x.add_argument("--json", action="store_true")
    x.add_argument(
        "--accept-confident",
        action="store_true",
        help=_("store at once the sheets with nothing to confirm"),
    )
    x.set_defaults(func=cmd_results_scan)
