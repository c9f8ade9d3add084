"""The application shell: first-run setup, unlock, the workspace, and locking."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, Qt, QTranslator
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox, QStackedWidget

from app import __version__
from app.i18n import _, set_language
from app.paths import default_vault_dir
from app.settings import DEFAULT_AUTO_LOCK_MINUTES, load_settings, save_settings
from app.ui import heap
from app.ui.autolock import IdleWatcher
from app.ui.lifecycle import dispose_later
from app.ui.ops import Ops, install, wait
from app.ui.unlock_view import UnlockView
from app.vault.vaultdir import VaultPaths

if TYPE_CHECKING:
    from app.services import vaults

# The workspace, kiosk and setup wizard (and the scale engine, charts and SQLAlchemy models behind
# them) are imported when first needed, so the unlock screen appears sooner.


def _load_core() -> None:
    import app.services.vaults  # noqa: F401 - imported for its side effect: loaded


class Shell(QMainWindow):
    """Holds exactly one of: the unlock view or the workspace. Locking destroys the workspace."""

    def __init__(self, vault_path: Path, runner: Ops | None = None, kdf=None) -> None:
        super().__init__()
        self.setObjectName("shell")
        self.vault_path = Path(vault_path)
        self.runner = install(runner or Ops(self))
        self.kdf = kdf
        self.vault: vaults.OpenVault | None = None
        self.workspace = None  # app.ui.main_window.Workspace once unlocked
        self.kiosk = None  # app.ui.kiosk_window.KioskWindow while a student answers
        self.setWindowTitle(_("XinDang {version}").format(version=__version__))
        self.resize(1200, 780)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        from app.ui.progress_strip import ProgressStrip

        self.progress_strip = ProgressStrip(self.runner, self)
        self.statusBar().addPermanentWidget(self.progress_strip)
        settings = load_settings()
        self.unlock_view = UnlockView(
            self.vault_path, self.runner, default_login=settings.last_login
        )
        self.unlock_view.unlocked.connect(self.enter)
        # The ORM, Alembic and the use cases load while the person types the passphrase.
        self.runner.run(_load_core, lambda _m: None, lambda _e: None, lane="cpu", quiet=True)
        self.stack.addWidget(self.unlock_view)
        self.idle = IdleWatcher(DEFAULT_AUTO_LOCK_MINUTES, self)
        self.idle.idle_timed_out.connect(self._idle_lock)
        from app.ui.screen_fit import ScreenFit

        self.screen_fit = ScreenFit(self)
        self._app_filters(True)
        self.runner.op_started.connect(self._work_started)
        self.runner.op_finished.connect(self._work_finished)
        QShortcut(
            QKeySequence("Ctrl+L"),
            self,
            activated=self._lock_shortcut,
            context=Qt.ShortcutContext.ApplicationShortcut,
        )
        from PySide6.QtWidgets import QLabel

        self.kiosk_cover = QLabel(_("A self-assessment is in progress. The archive is locked."))
        self.kiosk_cover.setObjectName("kiosk_cover")
        self.kiosk_cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.kiosk_cover)

    def needs_setup(self) -> bool:
        return not VaultPaths(self.vault_path).exists()

    def run_setup(self) -> bool:
        from app.ui.setup_wizard import SetupWizard

        wizard = SetupWizard(self.vault_path, self, kdf=self.kdf)
        wizard.exec()
        if wizard.created is None:
            return False
        self.unlock_view.reload_users()
        self.enter(wizard.created)
        return True

    def _app_filters(self, on: bool) -> None:
        app = QApplication.instance()
        for f in (self.idle, self.screen_fit):
            (app.installEventFilter if on else app.removeEventFilter)(f)

    # Application-wide filters call into Python for every event of every widget, so the window's
    # thread needs the GIL for each one; while a lane works (and holds the GIL most of the time)
    # that starved the window for up to half a second (bench/stalls.py). They step aside while
    # long work runs: the work itself counts as activity, and its dialogs come after it.
    def _work_started(self, _op) -> None:
        if len(self.runner.ops) == 1:
            self._app_filters(False)

    def _work_finished(self, _op) -> None:
        if not self.runner.ops:
            self.idle.touch()
            self._app_filters(True)

    def _idle_lock(self) -> None:
        if self.runner.ops:
            self.idle.touch()  # never locked under a running import or backup
            return
        self.lock()

    def enter(self, vault: vaults.OpenVault) -> None:
        self.vault = vault
        settings = load_settings()
        settings.last_vault = str(self.vault_path)
        settings.last_login = vault.user.login
        save_settings(settings)
        from app.services import vaults

        self.idle.minutes = int(
            wait(lambda: vaults.get_setting(vault, "auto_lock_minutes", DEFAULT_AUTO_LOCK_MINUTES))
        )
        self.idle.touch()
        self._build_workspace()
        heap.settle()
        self._show_overdue_first()
        self._scheduled_backup()
        self._offer_drafts()
        self._check_integrity()

    def _check_integrity(self) -> None:
        """Every page of the archive, checked in the lane once the pages have their data (it
        took seconds at unlock on a large school's file). Damage locks the window and offers
        the restore, as a refusal at unlock did."""
        from app.errors import VaultDamaged
        from app.services import vault_integrity
        from app.ui.errors import message_for

        vault = self.vault

        def done(problems) -> None:
            if problems and self.vault is vault:
                self.lock()
                self.unlock_view.error.setText(
                    message_for(
                        VaultDamaged(
                            _(
                                "the archive database failed its integrity check; restore it "
                                "from a backup."
                            )
                        )
                    )
                )

        self.runner.long(
            _("Checking the archive…"),
            lambda progress: vault_integrity.check_integrity(vault, progress),
            done,
            lambda exc: logging.getLogger(__name__).error("integrity check: %r", exc),
        )

    def _offer_drafts(self) -> None:
        """Typing kept when the vault locked under a form: open it again, keep it, or drop it
        (the drafts are looked for in the lane; the question comes when they are found)."""
        from app.services import drafts
        from app.services.permissions import allowed

        vault, workspace = self.vault, self.workspace
        if not allowed(vault.user.role, "edit_student"):
            return

        def offer(kept) -> None:
            if kept and self.workspace is workspace:
                self._ask_about_drafts(kept)

        self.runner.run(
            lambda: drafts.drafts(vault),
            offer,
            lambda exc: logging.getLogger(__name__).warning("drafts: %s", type(exc).__name__),
            quiet=True,
        )

    def _ask_about_drafts(self, kept) -> None:
        from app.services import drafts, records
        from app.ui.record_form import RecordForm

        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Unsaved drafts"),
            _(
                "{n} forms were still open when the archive locked. What you typed was kept "
                "in the encrypted archive. Open them again now?"
            ).format(n=len(kept)),
            QMessageBox.StandardButton.Open
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("drafts_box")
        box.button(QMessageBox.StandardButton.Cancel).setText(_("Later"))
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Cancel:
            return
        if answer == QMessageBox.StandardButton.Discard:
            if (
                QMessageBox.question(
                    self, _("Unsaved drafts"), _("Throw the drafts away? This cannot be undone.")
                )
                == QMessageBox.StandardButton.Yes
            ):
                vault = self.vault
                wait(lambda: [drafts.drop_draft(vault, d.id) for d in kept])
            return
        for d in kept:
            record = (
                wait(lambda d=d: records.get_record(self.vault, d.record_id))
                if d.record_id
                else None
            )
            form = RecordForm(
                self.vault,
                d.kind,
                student_id=d.student_id,
                parent_id=d.parent_id,
                record=record,
                parent=self.workspace,
            )
            form.apply_draft(d.values)
            form.open()
            wait(lambda d=d: drafts.drop_draft(self.vault, d.id))  # the open form holds it now

    def _build_workspace(self) -> None:
        from app.ui.main_window import Workspace

        self.workspace = Workspace(self.vault, self.runner)
        self.workspace.lock_requested.connect(self.lock)
        self.workspace.kiosk_requested.connect(self.start_kiosk)
        self.workspace.kiosk_resume_requested.connect(self.resume_kiosk)
        self.workspace.auto_lock_changed.connect(lambda m: setattr(self.idle, "minutes", m))
        self.workspace.status_message.connect(
            lambda text: self.statusBar().showMessage(f"{text} {dt.datetime.now():%H:%M}", 8000)
        )
        self.stack.addWidget(self.workspace)
        self.stack.setCurrentWidget(self.workspace)

    def _close_workspace(self) -> None:
        """Close every dialog and destroy every view that showed confidential data; typing in
        an unsaved record form is kept in the vault as a draft first."""
        from app.ui.record_form import RecordForm

        for w in QApplication.topLevelWidgets():
            if isinstance(w, RecordForm) and w.isVisible():
                try:
                    w.keep_as_draft()
                except Exception as exc:  # the lock must happen even so
                    logging.getLogger(__name__).error("draft not kept: %s", type(exc).__name__)
        for w in QApplication.topLevelWidgets():
            if (
                w is not self
                and isinstance(w, QDialog)
                and w.isVisible()
                and getattr(w, "closes_on_lock", True)
            ):
                # Wizards, editors and message boxes may show confidential data; done() skips a
                # form's "discard what you typed?" question: locking must not wait for a click.
                w.done(QDialog.DialogCode.Rejected)
        if self.workspace is not None:
            workspace, self.workspace = self.workspace, None
            workspace.shutdown()
            self.stack.removeWidget(workspace)
            dispose_later(workspace)  # lock may come from a shortcut inside the workspace
        QApplication.clipboard().clear()

    def _scheduled_backup(self) -> None:
        """When a backup is due and its folder (a USB drive, say) is present, make one quietly
        (whether it is due is asked in the lane, behind the pages)."""
        from app.services import backups, vaults
        from app.services.permissions import allowed

        vault = self.vault
        if not allowed(vault.user.role, "backup"):
            return
        log = logging.getLogger(__name__)

        def due_folder() -> Path | None:
            if not backups.backup_due(vault):
                return None
            folder = Path(vaults.get_setting(vault, "backup_folder", ""))
            return folder if folder.is_dir() else None

        def start(folder: Path | None) -> None:
            if folder is None or vault.is_locked:
                return
            self.runner.run(
                lambda: backups.backup(vault, folder),
                lambda info: log.info("scheduled backup verified: %s", info.path.name),
                lambda exc: log.warning("scheduled backup failed: %s", type(exc).__name__),
            )

        self.runner.run(
            due_folder,
            start,
            lambda exc: log.warning("backup check failed: %s", type(exc).__name__),
            quiet=True,
        )

    def _show_overdue_first(self) -> None:
        """On unlock, overdue follow-up tasks come first (asked in the lane; the window is
        usable meanwhile, and a person who already went elsewhere is not moved)."""
        from app.services import warnings as warnings_service
        from app.services.permissions import allowed

        vault, workspace = self.vault, self.workspace
        if not allowed(vault.user.role, "view_diagnosis"):
            return
        start = workspace.nav.currentRow()

        def show(count: int) -> None:
            if count and self.workspace is workspace and workspace.nav.currentRow() == start:
                workspace.show_section("warnings")

        self.runner.run(
            lambda: warnings_service.overdue_task_count(vault),
            show,
            lambda exc: logging.getLogger(__name__).warning(
                "overdue check: %s", type(exc).__name__
            ),
            quiet=True,
        )

    def start_kiosk(self):
        from app.services import kiosk as kiosk_service
        from app.ui.kiosk_window import KioskSetupDialog

        dialog = KioskSetupDialog(self.vault, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        student_id, scales = dialog.student_id, dialog.chosen_scales()
        plan_id = dialog.plan.currentData()
        state = wait(lambda: kiosk_service.start(self.vault, student_id, scales, plan_id=plan_id))
        return self.open_kiosk(state)

    def resume_kiosk(self, session_id: str):
        from app.services import kiosk as kiosk_service

        return self.open_kiosk(wait(lambda: kiosk_service.current(self.vault, session_id)))

    def open_kiosk(self, state, *, fullscreen: bool = True):
        """While a student answers, the workspace behind the kiosk is locked: nothing to reach."""
        from app.ui.kiosk_window import KioskWindow

        self._close_workspace()
        self.stack.setCurrentWidget(self.kiosk_cover)
        self.kiosk = KioskWindow(self.vault, state, fullscreen=fullscreen)
        self.kiosk.left.connect(self._kiosk_left)
        if not fullscreen:
            self.kiosk.show()
        return self.kiosk

    def _kiosk_left(self, _session_id: str) -> None:
        """A counselor unlocked the kiosk with their passphrase: the workspace comes back, and
        any critical answer is waiting in its alert bar."""
        self.kiosk = None
        if self.vault is None:
            return
        self._build_workspace()
        self.workspace.show_section("assessments")

    def _lock_shortcut(self) -> None:
        if self.kiosk is None:  # a student at the kiosk cannot end it with Ctrl+L
            self.lock()

    def lock(self) -> None:
        """Clear every view that showed confidential data, then forget the key."""
        if self.vault is None:
            return
        if self.kiosk is not None:
            self.kiosk.release()  # the session stays open and can be resumed
            self.kiosk = None
        # Work in flight finishes (or, if it can, stops) before the key is forgotten: a backup
        # or an import never meets a closed vault halfway, and an unsaved form's draft is not
        # kept waiting behind it.
        self.runner.quiesce(cancel=True)
        self._close_workspace()
        vault, self.vault = self.vault, None
        self.runner.wait(vault.lock)
        heap.release()
        self.stack.setCurrentWidget(self.unlock_view)
        self.unlock_view.reload_users(load_settings().last_login)

    def show_on_screen(self) -> None:
        """Where it was last time; the first time maximised if 1200×780 does not fit."""
        from PySide6.QtCore import QByteArray

        saved = load_settings().window_geometry
        if saved and self.restoreGeometry(QByteArray.fromBase64(saved.encode())):
            self.show()
            return
        available = self.screen().availableGeometry()
        frame = self.frameGeometry()
        if frame.width() > available.width() or frame.height() > available.height():
            self.setGeometry(available)  # where no window manager maximises (kiosk PCs, Xvfb)
            self.showMaximized()
        else:
            self.show()

    def closeEvent(self, event) -> None:
        settings = load_settings()
        settings.window_geometry = bytes(self.saveGeometry().toBase64()).decode()
        save_settings(settings)
        self.lock()
        super().closeEvent(event)


def install_qt_translations(app: QApplication, language: str) -> None:
    """Qt's own strings (OK/Cancel/Save, file dialogs) in the same language as ours."""
    if language == "en":
        return
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{language}", path):
        app.installTranslator(translator)


def run_app(vault: Path | None = None) -> int:
    from app.crash import install_crash_handler
    from app.logs import configure_logging
    from app.ui.clipboard_guard import ClipboardGuard
    from app.vault.instance import InstanceLock, VaultInUse

    os.umask(0o077)  # every file XinDang creates is the owner's alone
    configure_logging()
    install_crash_handler()
    settings = load_settings()
    set_language(settings.language)
    app = QApplication.instance() or QApplication(sys.argv)
    install_qt_translations(app, settings.language)
    from app import crash

    crash.storage_notifiers.append(
        lambda text: QMessageBox.warning(QApplication.activeWindow(), _("XinDang"), text)
    )
    app.setApplicationName("XinDang")
    from PySide6.QtGui import QIcon

    from app.paths import resources_dir

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "xindang-256.png")))
    app.setDesktopFileName("xindang")
    app.setApplicationDisplayName(_("XinDang"))
    path = Path(vault) if vault else Path(settings.last_vault or default_vault_dir())
    try:
        instance = InstanceLock(path).acquire()
    except VaultInUse as exc:
        QMessageBox.information(None, _("XinDang"), exc.user_message())
        return 1
    guard = ClipboardGuard(parent=app)
    shell = Shell(path)
    if shell.needs_setup() and not shell.run_setup():
        return 0
    shell.show_on_screen()
    if os.environ.get(
        "XINDANG_QUIT_WHEN_READY"
    ):  # installer/measure_startup.py: time to unlock screen
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    code = app.exec()
    shell.runner.shutdown()
    instance.release()
    del guard
    return code
