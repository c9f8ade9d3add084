"""A walker that uses the window as a curious person would: every page, tab and dialog, every
enabled button clicked and every action triggered, every modal typed into and then answered.

It records what it clicked and what went wrong: unhandled exceptions (pytest-qt captures them),
the generic "something went wrong" message, and crash reports.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QTextEdit,
    QWidget,
    QWizard,
)

from app.i18n import _
from tests.ui.modals import double_click, type_text

GENERIC_ERROR = _("Something went wrong. The error was recorded; your data was not changed.")


@dataclass
class Census:
    clicked: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)  # lists whose first row was double-clicked
    texts: dict[str, set[str]] = field(default_factory=dict)  # where -> visible texts
    pdfs: dict[str, bytes] = field(default_factory=dict)  # preview title -> the document
    misfits: list[str] = field(default_factory=list)  # windows larger than the screen
    odd_tables: list[str] = field(default_factory=list)  # tables not in the one house style
    problems: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # object name -> why
    _running: bool = False
    chained_hook: object = None
    _where: str = ""

    # -- modals -------------------------------------------------------------------------------
    def start(self) -> None:
        self._running = True
        self.chained_hook = sys.excepthook

        def hook(kind, exc, tb) -> None:
            last = traceback.extract_tb(tb)[-1] if tb else None
            at = f" at {Path(last.filename).name}:{last.lineno}" if last else ""
            self.problems.append(f"{self._where}: {kind.__name__}: {exc}{at}")
            self.chained_hook(kind, exc, tb)

        sys.excepthook = hook
        QTimer.singleShot(0, self.tick)

    def stop(self) -> None:
        self._running = False
        sys.excepthook = self.chained_hook

    def tick(self) -> None:
        if not self._running:
            return
        QTimer.singleShot(25, self.tick)  # first: the answer below may open a nested modal
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
            return
        modal = QApplication.activeModalWidget()
        if modal is None or not modal.isVisible() or modal.property("census_seen"):
            return
        modal.setProperty("census_seen", True)
        try:
            self.answer(modal)
        except Exception as exc:  # never leave a modal open: the walk would hang
            self.problems.append(f"{self._where}: answering {modal.windowTitle()!r}: {exc!r}")
            if shiboken6.isValid(modal):
                modal.close()

    def answer(self, modal: QWidget) -> None:
        title = modal.windowTitle()
        self.dialogs.append(f"{self._where} → {type(modal).__name__} {title}")
        self.read(f"{self._where} → {title}", modal)
        self.check_fit(f"{self._where} → {title}", modal)
        pdf = getattr(modal, "pdf", None)
        if isinstance(pdf, bytes | bytearray):
            self.pdfs[title] = bytes(pdf)
        if isinstance(modal, QMessageBox):
            if GENERIC_ERROR in modal.text():
                self.problems.append(f"{self._where}: unexpected-error message in {title!r}")
            for role in (
                QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Ok,
                QMessageBox.StandardButton.Close,
            ):
                b = modal.button(role)
                if b is not None:
                    b.click()
                    return
            fallback = modal.escapeButton() or modal.defaultButton()
            if fallback is not None:
                fallback.click()
            else:
                modal.reject()
            return
        if isinstance(modal, QFileDialog) or type(modal).__name__ in ("QPrintDialog",):
            modal.reject()
            return
        self.fill(modal)
        self.click_inner_buttons(modal)
        if not shiboken6.isValid(modal) or not modal.isVisible():
            return
        ok = self.ok_button(modal)
        if ok is not None and ok.isEnabled():
            ok.click()  # validation messages and error labels must not crash either
        if shiboken6.isValid(modal) and modal.isVisible():
            if isinstance(modal, QDialog):
                modal.reject()  # a form with typing asks first; the walker answers No …
                if shiboken6.isValid(modal) and modal.isVisible():
                    modal.done(0)  # … and then leaves without saving
            else:
                modal.close()

    def fill(self, modal: QWidget) -> None:
        for edit in modal.findChildren(QLineEdit):
            if (
                edit.isVisible()
                and edit.isEnabled()
                and not edit.isReadOnly()
                and not edit.text()
                and not edit.objectName().startswith("qt_")
            ):
                edit.setFocus()
                type_text(edit, "测试")
        for edit in modal.findChildren(QPlainTextEdit) + modal.findChildren(QTextEdit):
            if edit.isVisible() and edit.isEnabled() and not edit.isReadOnly():
                edit.setFocus()
                type_text(edit, "测试记录")

    def ok_button(self, modal: QWidget) -> QAbstractButton | None:
        if isinstance(modal, QWizard):
            return None
        for box in modal.findChildren(QDialogButtonBox):
            if box.isVisible():
                for role in (
                    QDialogButtonBox.StandardButton.Ok,
                    QDialogButtonBox.StandardButton.Save,
                ):
                    if box.button(role) is not None:
                        return box.button(role)
        return None

    def click_inner_buttons(self, modal: QWidget) -> None:
        """The dialog's own buttons (浏览…, 添加…), not its OK/Cancel or a wizard's 下一步."""
        boxes = modal.findChildren(QDialogButtonBox)
        names = []
        for b in modal.findChildren(QAbstractButton):
            if any(box.isAncestorOf(b) for box in boxes):
                continue
            if isinstance(modal, QWizard) and b.parent() is modal:
                continue
            if type(b).__name__ in ("QToolButton",) and not b.text():
                continue
            if hasattr(b, "menu") and b.menu() is not None:
                continue  # a drop-down (the date field's calendar): opened by its own test
            names.append(b)
        for b in names:
            if not shiboken6.isValid(modal) or not modal.isVisible():
                return
            if shiboken6.isValid(b) and b.isVisible() and b.isEnabled():
                self.clicked.append(f"{modal.windowTitle()} / {label(b)}")
                b.click()

    # -- pages --------------------------------------------------------------------------------
    def visit(self, where: str, get: Callable[[], QWidget], skip: dict[str, str]) -> None:
        """Every tab of every tab widget, and in each, every enabled button.

        `get` brings the place back the way a person would (the navigation, the student list)
        and returns it: a click may move elsewhere or rebuild the page.
        """
        self.pages.append(where)
        n_tabs = [t.count() for t in _tab_widgets(get())]
        self.press_buttons(where, get, skip)  # outside the tabs, once
        if not n_tabs:
            return
        for ti, count in enumerate(n_tabs):
            for i in range(count):

                def get_tab(ti=ti, i=i) -> QWidget:
                    container = get()
                    tw = _tab_widgets(container)[ti]
                    if tw.currentIndex() != i:
                        rect = tw.tabBar().tabRect(i)
                        QTest.mouseClick(tw.tabBar(), Qt.MouseButton.LeftButton, pos=rect.center())
                    return container

                def in_tab(ti=ti, get_tab=get_tab) -> QWidget:
                    return _tab_widgets(get_tab())[ti].currentWidget()

                container = get_tab()
                here = f"{where} / {_tab_widgets(container)[ti].tabText(i)}"
                self.pages.append(here)
                self.press_buttons(here, in_tab, skip)

    def press_buttons(self, where: str, get: Callable[[], QWidget], skip: dict[str, str]) -> None:
        self._where = where
        container = get()
        self.read(where, container)
        self.select_first_rows(container)
        keys = []
        inside_tabs = [t for t in _tab_widgets(container) if t is not container]
        for b in container.findChildren(QAbstractButton):
            if not b.isVisible() or not b.isEnabled():
                continue
            if any(t.isAncestorOf(b) for t in inside_tabs):
                continue  # visited tab by tab
            if b.objectName() in skip:
                self.skipped[b.objectName()] = skip[b.objectName()]
                continue
            if b.parent() is not None and type(b.parent()).__name__ == "QTabBar":
                continue
            if _key(b) not in keys:
                keys.append(_key(b))
        for key in keys:
            container = get()
            self._where = where
            self.select_first_rows(container)
            b = next((x for x in container.findChildren(QAbstractButton) if _key(x) == key), None)
            if b is None or not b.isVisible() or not b.isEnabled():
                continue
            menu = b.menu() if hasattr(b, "menu") else None
            if menu is not None:
                for action in list(menu.actions()):
                    self.trigger(where, action)
                    get()
                continue
            self.clicked.append(f"{where} / {label(b)}")
            QTest.mouseClick(b, Qt.MouseButton.LeftButton)
            self.settle()
        self.double_click_rows(where, get)

    def check_fit(self, where: str, window: QWidget) -> None:
        """On the school PC's screen, with its buttons reachable."""
        screen = window.screen().availableGeometry()
        frame = window.frameGeometry()
        if not screen.contains(frame):
            self.misfits.append(
                f"{where}: {frame.width()}×{frame.height()} at ({frame.x()}, {frame.y()}) "
                f"on a {screen.width()}×{screen.height()} screen"
            )

    def read(self, where: str, widget: QWidget) -> None:
        self.texts.setdefault(where, set()).update(visible_texts(widget))
        for table in widget.findChildren(QTableView):
            if table.objectName().startswith("qt_") or not table.isVisible():
                continue  # Qt's own (the calendar's grid)
            if problem := table_style_problem(table):
                self.odd_tables.append(f"{where} / {table.objectName()}: {problem}")

    def double_click_rows(self, where: str, get: Callable[[], QWidget]) -> None:
        """Each list's first row double-clicked: it opens the student or the record."""
        names = [v.objectName() for v in _views(get()) if v.objectName()]
        for name in names:
            view = next((v for v in _views(get()) if v.objectName() == name), None)
            if view is None:
                continue
            self._where = f"{where} / {name}"
            self.opened.append(self._where)
            rect = view.visualRect(view.model().index(0, 0))
            double_click(view.viewport(), rect.center())
            self.settle()

    def trigger(self, where: str, action: QAction) -> None:
        if action.isSeparator() or not action.isEnabled() or not action.text():
            return
        if action.menu() is not None:
            for sub in action.menu().actions():
                self.trigger(where, sub)
            return
        self._where = where
        self.actions.append(f"{where} / {action.text()}")
        action.trigger()
        self.settle()

    def settle(self, timeout_ms: int = 5000) -> None:
        """Until every dialog the last input opened (some open without blocking) is answered."""
        waited = 0
        QTest.qWait(30)
        while QApplication.activeModalWidget() is not None and waited < timeout_ms:
            QTest.qWait(30)
            waited += 30
        if QApplication.activeModalWidget() is not None:
            self.problems.append(f"{self._where}: a dialog stayed open")

    def select_first_rows(self, container: QWidget) -> None:
        """Buttons that act on a selection need one, as a person would pick the first row."""
        for view in _views(container):
            if view.selectionModel() is not None and view.selectionModel().hasSelection():
                continue
            rect = view.visualRect(view.model().index(0, 0))
            if rect.isValid():
                QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def table_style_problem(table: QTableView) -> str:
    """The house style (app/ui/tables.py): whole rows, alternating shades, no row numbers, and
    one column taking the spare width (two for side-by-side versions, all for a small summary;
    the last one for tables sized by hand)."""
    header = table.horizontalHeader()
    if not table.alternatingRowColors():
        return "rows not shaded alternately"
    if table.property("entry_grid"):
        return ""  # typed into cell by cell; the row header names the student
    if table.verticalHeader().isVisible():
        return "row numbers shown"
    if table.selectionBehavior() != QAbstractItemView.SelectionBehavior.SelectRows:
        return "cells selected instead of rows"
    modes = [header.sectionResizeMode(c) for c in range(header.count())]
    stretched = modes.count(QHeaderView.ResizeMode.Stretch)
    if header.stretchLastSection():
        return "" if stretched == 0 else "a stretched column and a stretched last section"
    if header.count() and stretched == 0:
        return "no column takes the spare width"
    if stretched not in (1, 2, header.count()):
        return f"{stretched} of {header.count()} columns share the spare width"
    return ""


def visible_texts(widget: QWidget) -> set[str]:
    """What a person can read: labels, buttons, titles, headers, cells, list rows, choices."""
    out = {widget.windowTitle()}
    for w in [widget, *widget.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        if isinstance(w, QLabel | QAbstractButton):
            out.add(w.text())
        elif isinstance(w, QGroupBox):
            out.add(w.title())
        elif isinstance(w, QTabWidget):
            out |= {w.tabText(i) for i in range(w.count())}
        elif isinstance(w, QComboBox):
            out |= {w.itemText(i) for i in range(w.count())}
        elif isinstance(w, QLineEdit):
            if w.echoMode() == QLineEdit.EchoMode.Normal:
                out.add(w.text())
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            out.add(w.toPlainText())
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            columns = 1 if isinstance(w, QListView) else m.columnCount()
            for c in range(columns):
                out.add(str(m.headerData(c, Qt.Orientation.Horizontal) or ""))
            for r in range(min(m.rowCount(), 60)):
                for c in range(columns):
                    value = m.index(r, c).data()
                    if value is not None:
                        out.add(str(value))
    return {t for t in out if t and t.strip()}


def _views(container: QWidget) -> list[QAbstractItemView]:
    return [
        v
        for v in container.findChildren(QAbstractItemView)
        if v.isVisible()
        and v.model() is not None
        and v.model().rowCount() > 0
        and v.visualRect(v.model().index(0, 0)).isValid()
    ]


def _tab_widgets(container: QWidget) -> list[QTabWidget]:
    return [t for t in container.findChildren(QTabWidget) if t.isVisible()]


def _key(b: QAbstractButton) -> str:
    return b.objectName() or label(b)


def label(b: QAbstractButton) -> str:
    return (b.text().replace("&", "") or b.toolTip() or b.objectName() or type(b).__name__).split(
        "\n"
    )[0]


RAW_PATTERNS = (
    re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),  # snake_case keys: too_fast, ensure_safety
    re.compile(r"\b[a-z]{2,}(?:-[a-z]{2,})+\b"),  # rule ids: critical-official
    re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),  # ISO timestamps
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"),  # row ids
    re.compile(
        r"(?<![A-Za-z])(raised|confirmed|dismissed|resolved|suggested|referred|in_person|"
        r"red|orange|yellow|watch|kiosk|paper|none|low|medium|high|None|True|False)(?![A-Za-z])"
    ),
)


def raw_codes(text: str) -> list[str]:
    """Internal identifiers a person should never read (issue 14, item 7)."""
    return [m.group(0) for p in RAW_PATTERNS for m in p.finditer(text)]
