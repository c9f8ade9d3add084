"""City-cloud sync commands: enroll, now, status, outbox, policy."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_OK, print_json, unlock_vault
from app.errors import AppError
from app.i18n import _


def cmd_sync_enroll(args) -> int:
    from app.services import sync

    vault = unlock_vault(args)
    try:
        e = sync.enroll(
            vault,
            args.server,
            args.code,
            args.fingerprint,
            allow_plain_http=args.insecure_http,
            other_school=args.other_school,
        )
    except sync.OtherSchool as exc:
        raise AppError(
            f"{exc} " + _("To join anyway, run the command again with --other-school.")
        ) from exc
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

    vault = unlock_vault(args)
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
        print_json(doc)
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

    vault = unlock_vault(args)
    try:
        st = sync.status(vault)
    finally:
        vault.lock()
    if args.json:
        print_json(
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

    vault = unlock_vault(args)
    try:
        rows = sync.outbox_rows(vault, args.status, args.limit)
    finally:
        vault.lock()
    for r in rows:
        print(f"{r.id}\t{r.entity}\t{r.payload}" + (f"\t{r.last_error}" if r.last_error else ""))
    return EXIT_OK


def cmd_sync_policy(args) -> int:
    from app.services import sync

    vault = unlock_vault(args)
    try:
        rows = sync.policy_rows(vault)
    finally:
        vault.lock()
    for r in rows:
        mark = _("sent") if r.sent else (_("never (fixed)") if r.locked else _("not sent"))
        print(f"{r.entity}\t{r.field}\t{mark}")
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common], help=_("sync with the city platform"))
    ysub = p.add_subparsers(dest="sync_command", required=True)
    x = ysub.add_parser("enroll", parents=[common], help=_("connect with a one-time code"))
    x.add_argument("server", help=_("https:// address of the city platform"))
    x.add_argument("code", help=_("one-time enrollment code from the district"))
    x.add_argument("--fingerprint", help=_("SHA-256 fingerprint of the server certificate to pin"))
    x.add_argument("--insecure-http", action="store_true", help=argparse.SUPPRESS)
    x.add_argument(
        "--other-school",
        action="store_true",
        help=_("join even if the code belongs to another school than this archive's"),
    )
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
