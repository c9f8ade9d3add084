"""The unlocked workspace: left navigation, the student archive, and sections later versions fill."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.services.permissions import ROLE_LABELS, allowed
from app.services.vaults import OpenVault
from app.ui.alert_bar import AlertBar
from app.ui.archive_page import ArchiveData, ArchivePage, load_archive
from app.ui.assessments_page import AssessmentsPage
from app.ui.home_page import HomePage
from app.ui.import_wizard import ImportWizard
from app.ui.lifecycle import dispose_later
from app.ui.ops import Ops, refresh_in_lane
from app.ui.records_page import RecordsPage
from app.ui.reports_page import ReportsPage
from app.ui.settings_page import SettingsPage
from app.ui.students_page import StudentsPage
from app.ui.sync_agent import SyncAgent
from app.ui.sync_page import SyncPage
from app.ui.warnings_page import WarningsPage

SECTIONS = (
    ("home", N_("Home")),
    ("students", N_("Student archives")),
    ("assessments", N_("Assessments")),
    ("warnings", N_("Warnings")),
    ("records", N_("Records")),
    ("calendar", N_("Schedule")),
    ("reports", N_("Reports")),
    ("sync", N_("Sync")),
    ("settings", N_("Settings")),
)
_LATER = {
    "warnings": N_("Warnings are visible to counselors only."),
    "home": N_("Welcome to XinDang."),
    "records": N_("Counseling records are visible to counselors only."),
    "calendar": N_("The calendar is visible to counselors only."),
    "reports": N_("Reports are available to counselors only."),
    "sync": N_("Sync is managed by the counseling lead."),
}


# Tables whose rows put something in the alert bar (critical answers, new 一级/二级 warnings).
ALERTING = frozenset({"critical_alert", "warning"})


class Workspace(QWidget):
    data_changed = Signal(object)  # app.services.changes.Change, from any thread
    status_message = Signal(str)  # for the window's status bar
    lock_requested = Signal()
    kiosk_requested = Signal()
    kiosk_resume_requested = Signal(str)  # session id
    auto_lock_changed = Signal(int)

    def __init__(
        self,
        vault: OpenVault,
        runner: Ops,
        parent: QWidget | None = None,
        sync_agent: SyncAgent | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.vault = vault
        self.runner = runner
        self.sync_agent = sync_agent or SyncAgent(vault, parent=self)
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.nav = QListWidget(objectName="nav_list")
        self.nav.setFixedWidth(170)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet(
            "QListWidget { font-size: 15px; } QListWidget::item { padding: 8px; }"
        )
        from PySide6.QtCore import QSize
        from PySide6.QtWidgets import QStyle

        icons = {
            "home": QStyle.StandardPixmap.SP_DirHomeIcon,
            "students": QStyle.StandardPixmap.SP_FileDialogDetailedView,
            "assessments": QStyle.StandardPixmap.SP_FileDialogContentsView,
            "warnings": QStyle.StandardPixmap.SP_MessageBoxWarning,
            "records": QStyle.StandardPixmap.SP_FileIcon,
            "calendar": QStyle.StandardPixmap.SP_FileDialogListView,
            "reports": QStyle.StandardPixmap.SP_FileDialogInfoView,
            "sync": QStyle.StandardPixmap.SP_BrowserReload,
            "settings": QStyle.StandardPixmap.SP_ComputerIcon,
        }
        self.nav.setIconSize(QSize(20, 20))
        for key, label in SECTIONS:
            item = QListWidgetItem(self.style().standardIcon(icons[key]), _(label))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        left.addWidget(self.nav)
        who = QLabel(
            f"{vault.user.display_name}\n{_(ROLE_LABELS[vault.user.role])}", objectName="user_label"
        )
        who.setStyleSheet("color: #555")
        left.addWidget(who)
        self.sync_status = QLabel(objectName="sync_status_label", wordWrap=True)
        self.sync_status.setStyleSheet("color: #555; font-size: 12px")
        left.addWidget(self.sync_status)
        lock = QPushButton(_("Lock (Ctrl+L)"), objectName="lock_button")
        lock.clicked.connect(self.lock_requested)
        left.addWidget(lock)
        layout.addLayout(left)

        right = QVBoxLayout()
        self.alert_bar = AlertBar(vault) if allowed(vault.user.role, "view_diagnosis") else None
        if self.alert_bar is not None:
            self.alert_bar.student_requested.connect(self.open_student)
            self.alert_bar.changed.connect(self._show_alert_count)
            right.addWidget(self.alert_bar)
        self.stack = QStackedWidget(objectName="section_stack")
        right.addWidget(self.stack, 1)
        layout.addLayout(right, 1)
        self.students = StudentsPage(vault)
        self.students.student_opened.connect(self.open_student)
        self.students.import_requested.connect(self.open_import)
        self.students.due_requested.connect(lambda: self.show_section("records"))
        self.student_stack = QStackedWidget()
        self.student_stack.addWidget(self.students)
        self.pages: dict[str, QWidget] = {"students": self.student_stack}
        for key, _label in SECTIONS:
            if key == "students":
                page = self.student_stack
            elif key == "assessments":
                page = AssessmentsPage(vault)
                page.kiosk_requested.connect(self.kiosk_requested)
                page.resume_requested.connect(self.kiosk_resume_requested)
                page.student_requested.connect(self.open_student)
                self.assessments = page
            elif key == "home" and allowed(vault.user.role, "view_diagnosis"):
                page = HomePage(vault)
                page.section_requested.connect(self.show_section)
                page.student_requested.connect(self.open_student)
                page.level_requested.connect(self.show_level)
                page.place_requested.connect(self.show_place)
                self.home = page
            elif key == "warnings" and allowed(vault.user.role, "view_diagnosis"):
                page = WarningsPage(vault)
                page.changed.connect(self.alert_bar.refresh)
                page.student_requested.connect(self.open_student)
                self.warnings = page
            elif key == "reports" and allowed(vault.user.role, "view_diagnosis"):
                page = ReportsPage(vault)
                self.reports = page
            elif key == "records" and allowed(vault.user.role, "view_diagnosis"):
                page = RecordsPage(vault)
                page.student_requested.connect(self.open_student)
                self.records = page
            elif key == "calendar" and allowed(vault.user.role, "view_diagnosis"):
                from app.ui.calendar_page import CalendarPage

                page = CalendarPage(vault)
                page.student_requested.connect(self.open_student)
                self.calendar = page
            elif key == "sync" and allowed(vault.user.role, "sync"):
                # Built when first shown (`sync`): its reads waited behind the pages at unlock.
                page = QWidget(objectName="sync_holder")
                QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
                self._sync_holder = page
            elif key == "settings":
                from PySide6.QtWidgets import QScrollArea

                # Built when first shown (`settings`): it reads a dozen settings, and at unlock
                # each read waited behind the pages filling in the lane (1.1 s of a 2.8 s unlock).
                page = QScrollArea(objectName="settings_scroll", widgetResizable=True)
                self._settings_scroll = page
            else:
                page = QLabel(_(_LATER[key]))
                page.setAlignment(Qt.AlignmentFlag.AlignCenter)
                page.setStyleSheet("color: #777; font-size: 15px")
            self.pages[key] = page
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self._section_shown)
        for signal in (
            self.sync_agent.finished,
            self.sync_agent.failed,
            self.sync_agent.outbox_grew,
        ):
            signal.connect(self.update_sync_status)
        self.update_sync_status()
        if self.alert_bar is not None:
            self._show_alert_count(self.alert_bar.total)
        from app.services import changes

        self._pending_change: set[str] = set()
        self._pending_students: set[str] = set()
        self.data_changed.connect(self._on_change)
        self._unsubscribe_changes = changes.on_change(self.data_changed.emit)
        # Counselors start on the home page; the principal (read-only) on the student list.
        self.show_section("home" if allowed(vault.user.role, "view_diagnosis") else "students")
        self.archive: ArchivePage | None = None
        self._wanted_student: str | None = None
        self.students.focus_search()

    _unsubscribe_changes = staticmethod(lambda: None)
    _settings: SettingsPage | None = None

    @property
    def settings(self) -> SettingsPage:
        if self._settings is None:
            self._settings = SettingsPage(self.vault)
            self._settings.auto_lock_changed.connect(self.auto_lock_changed)
            self._settings_scroll.setWidget(self._settings)
        return self._settings

    _sync: SyncPage | None = None

    @property
    def sync(self) -> SyncPage:
        if self._sync is None:
            self._sync = SyncPage(self.vault, self.sync_agent)
            self._sync_holder.layout().addWidget(self._sync)
        return self._sync

    def _section_shown(self, row: int) -> None:
        if SECTIONS[row][0] == "settings":
            self.settings  # noqa: B018 - built the first time it is shown
        if SECTIONS[row][0] == "sync" and hasattr(self, "_sync_holder"):
            self.sync  # noqa: B018 - built the first time it is shown
        self.stack.setCurrentIndex(row)

    def _on_change(self, change) -> None:
        """After any commit: gather the changes of this turn of the event loop, then refresh
        every page that shows them once (a batch of 40 paper sheets refreshes once)."""
        from PySide6.QtCore import QTimer

        if self.alert_bar is not None and change.tables & ALERTING and not self.vault.is_locked:
            self.alert_bar.refresh()  # a risk signal is shown now, not after the batch
        first = not self._pending_change
        self._pending_change |= change.tables
        self._pending_students |= change.student_ids
        if first:
            QTimer.singleShot(0, self._refresh_changed)

    def _refresh_changed(self) -> None:
        tables, self._pending_change = self._pending_change, set()
        students, self._pending_students = self._pending_students, set()
        if self.vault.is_locked or not tables:
            return
        risk = {"warning", "warning_task", "critical_alert", "assessment_result", "record"}
        setup = {"network_member", "vault_setting"}  # the first-run checklist's ticks
        home = getattr(self, "home", None)
        pages = [
            (
                "home",
                risk | {"student"} | (setup if home and home.first_run.isVisible() else set()),
            ),
            ("warnings", risk | {"warning_notification"}),
            ("records", {"record", "record_participant", "record_version"}),
            ("calendar", {"record"}),
            ("students", {"student"}),
            ("assessments", {"assessment_plan", "assessment_result", "critical_alert"}),
        ]
        for name, watched in pages:
            page = getattr(self, name, None)
            if page is not None and tables & watched:
                page.refresh()
        if tables & {"warning"}:
            self.students.reload_levels()  # the list's 预警 column
        reports = getattr(self, "reports", None)
        if reports is not None and tables & {"record", "vault_setting", "student"}:
            reports.compliance.refresh()  # lessons per class (read when next shown)
        if tables & {"network_member", "app_user"} and self._settings is not None:
            self._settings.refresh()
        if self.archive is not None and self.archive.student_id in students:
            self.archive.refresh()
        self.update_sync_status()
        if tables - {"sync_outbox", "sync_ref_item", "sync_conflict", "vault_setting"}:
            self.status_message.emit(_("Saved"))  # not for a background sync's bookkeeping

    def shutdown(self) -> None:
        """Before the workspace is destroyed (lock, kiosk): stop listening and syncing."""
        self._unsubscribe_changes()
        self.sync_agent.stop()
        self.students.clear()

    def _show_alert_count(self, n: int) -> None:
        """The count on 预警 in the navigation, red while anything waits."""
        row = [k for k, _label in SECTIONS].index("warnings")
        item = self.nav.item(row)
        label = _(dict(SECTIONS)["warnings"])
        shown = str(n) if n < 1000 else "999+"  # four digits did not fit the column
        item.setText(f"{label}（{shown}）" if n else label)
        item.setToolTip(f"{label}：{n}" if n else "")
        item.setForeground(QColor("#b00020") if n else self.nav.palette().text().color())
        font = item.font()
        font.setBold(bool(n))
        item.setFont(font)

    def update_sync_status(self, *_args) -> None:
        """Always visible: whether the city has the warnings (the counselor must know); read
        in the database lane."""
        from app.services import sync

        if self.vault.is_locked or not allowed(self.vault.user.role, "sync"):
            self.sync_status.setText("")
            return
        vault = self.vault
        refresh_in_lane(
            self, lambda: sync.status(vault), self._show_sync_status, key="sync", hidden_too=True
        )

    def _show_sync_status(self, st) -> None:
        if not st.enrolled:
            self.sync_status.setText(_("Offline archive (not joined to the city platform)"))
            return
        text = _("Synced: {age}").format(age=st.age_text())
        if st.pending_warnings:
            text += "\n" + _("{n} warnings not yet delivered to the city").format(
                n=st.pending_warnings
            )
        self.sync_status.setText(text)
        self.sync_status.setStyleSheet(
            "color: #b00020; font-size: 12px"
            if st.pending_warnings
            else "color: #555; font-size: 12px"
        )

    def show_section(self, key: str) -> None:
        self.nav.setCurrentRow([k for k, _label in SECTIONS].index(key))

    def show_level(self, level: str) -> None:
        self.warnings.show_filtered(level, None)
        self.show_section("warnings")

    def show_place(self, place: str, level: str) -> None:
        """A class or grade row on the home page: its open warnings (at one level if chosen)."""
        self.warnings.show_filtered(level or None, place)
        self.show_section("warnings")

    def open_student(self, student_id: str) -> None:
        """The student's page, made when its data (read in the database lane) arrives; of
        several asked for before the first arrives, the last one opens."""
        import shiboken6

        self._wanted_student = student_id
        vault = self.vault

        def arrived(data: ArchiveData) -> None:
            if shiboken6.isValid(self) and self._wanted_student == student_id:
                self._show_archive(student_id, data)

        def failed(exc: BaseException) -> None:
            from app.errors import VaultLocked

            if shiboken6.isValid(self) and not isinstance(exc, VaultLocked):
                from PySide6.QtWidgets import QMessageBox

                from app.ui.errors import message_for

                QMessageBox.warning(self, _("Student archive"), message_for(exc))

        self.runner.run(lambda: load_archive(vault, student_id), arrived, failed)

    def _show_archive(self, student_id: str, data: ArchiveData) -> None:
        self.close_archive()
        self.show_section("students")
        self.archive = ArchivePage(self.vault, student_id, data)
        self.archive.back_requested.connect(self.close_archive)
        self.archive.edited.connect(self.open_student)
        if self.alert_bar is not None:
            self.archive.warning_raised.connect(lambda _sid: self.alert_bar.refresh())
            self.archive.warning_raised.connect(lambda _sid: self.warnings.refresh())
        self.student_stack.addWidget(self.archive)
        self.student_stack.setCurrentWidget(self.archive)
        self.archive.setFocus()

    def close_archive(self) -> None:
        if self.archive is not None:
            self.student_stack.removeWidget(self.archive)
            dispose_later(self.archive)
            self.archive = None
        self.student_stack.setCurrentWidget(self.students)
        self.students.focus_search()

    def open_import(self) -> ImportWizard:
        wizard = ImportWizard(self.vault, self)
        wizard.finished.connect(lambda _r: self.students.reload_filters())
        wizard.open()
        return wizard
