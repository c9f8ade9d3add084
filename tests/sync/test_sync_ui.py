"""The 同步 page through real widgets, against the real server over pinned TLS."""

import pytest
from PySide6.QtWidgets import QTableWidget
from sqlalchemy import select

from app.models import Student
from app.services import assessments, students, sync, vaults
from app.sync.runner import sync_once
from app.ui.ops import Ops
from app.ui.sync_agent import SyncAgent
from app.ui.sync_page import SyncPage
from cloud.pgcluster import free_port
from cloud.serve import ServerThread
from cloud.streams import publish_roster
from cloud.tls import fingerprint, make_self_signed


@pytest.fixture
def tls_url(city, tmp_path):
    cert, key = make_self_signed(tmp_path / "tls")
    server = ServerThread(city.store, free_port(), certfile=str(cert), keyfile=str(key)).start()
    yield server.url, fingerprint(cert)
    server.stop()


def _page(qtbot, vault) -> SyncPage:
    agent = SyncAgent(vault, Ops(inline=True), automatic=False)
    page = SyncPage(vault, agent)
    qtbot.addWidget(page)
    page.show()
    return page


def test_the_lead_joins_with_a_code_and_a_fingerprint_and_sees_the_sync_age(
    qtbot, populated_vault, city, tls_url
):
    url, fp = tls_url
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    page = _page(qtbot, populated_vault)
    assert page.enroll_box.isVisible() and not page.status_box.isVisible()
    page.server.setText(url)
    page.code.setText(city.code("S-A"))
    page.fingerprint.setText(fp)
    page.enroll_button.click()
    assert page.status_box.isVisible() and not page.enroll_box.isVisible()
    assert "测试中学" in page.where.text() and "已固定" in page.where.text()
    assert page.last.text() == "刚刚"
    assert page.pending.text() == "0 条"


def test_pending_warnings_are_shown_until_delivered(qtbot, populated_vault, city):
    sync.enroll(populated_vault, city.url, city.code("S-A"), allow_plain_http=True)
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    page = _page(qtbot, populated_vault)
    assert "1 条预警尚未送达市平台" in page.pending.text()
    assert page.outbox.rowCount() == 2 and page.outbox.item(0, 0).text() == "预警"
    assert "预警等级：一级（红）" in page.outbox.item(0, 2).text()
    assert page.last.text() == "从未"
    page.sync_button.click()
    assert page.pending.text() == "0 条" and page.last.text() == "刚刚"


def test_a_conflict_shows_both_versions_and_the_counselor_decides(qtbot, enrolled, city):
    with city.store.session() as s:
        publish_roster(
            s,
            "S-A",
            [{"student_no": "G100", "name": "林小雨", "grade_level": 7, "class_number": 1}],
        )
    sync_once(enrolled)
    with enrolled.session() as s:
        s.scalars(select(Student).where(Student.student_no == "G100")).one().name = "林晓雨"
    with city.store.session() as s:
        publish_roster(
            s,
            "S-A",
            [{"student_no": "G100", "name": "林小羽", "grade_level": 7, "class_number": 1}],
        )
    sync_once(enrolled)
    page = _page(qtbot, enrolled)
    assert page.conflict_count.text() == "1 条"
    assert page.conflicts.count() == 1
    assert [page.compare.item(0, c).text() for c in range(3)] == ["姓名", "林晓雨", "林小羽"]
    page.use_server.click()
    assert page.conflicts.count() == 0 and page.conflict_count.text() == "0 条"
    with enrolled.session() as s:
        assert s.scalars(select(Student.name).where(Student.student_no == "G100")).one() == "林小羽"


def test_the_policy_tab_lists_what_never_leaves(qtbot, enrolled):
    page = _page(qtbot, enrolled)
    rows = {
        (page.policy.item(r, 0).text(), page.policy.item(r, 1).text()): page.policy.item(
            r, 2
        ).text()
        for r in range(page.policy.rowCount())
    }
    assert rows[("测评结果", "总分")] == "发送"
    assert rows[("测评结果", "各题原始作答")] == "从不发送（固定）"
    assert rows[("辅导记录", "个体辅导 · 过程叙述（模板各栏）")] == "从不发送（固定）"
    assert rows[("辅导记录", "个体辅导 · 时长（分钟）")] == "发送"
    assert rows[("辅导记录", "私人过程笔记 · 笔记")] == "从不发送（固定）"


def test_a_counselor_cannot_enroll_and_the_principal_has_no_sync_page(
    qtbot, populated_vault, principal
):
    from app.ui.main_window import Workspace

    vaults.add_user(
        populated_vault,
        login="li",
        display_name="李老师",
        role="counselor",
        passphrase="counselor-pass-1",
    )
    counselor = vaults.unlock(populated_vault.root, "counselor-pass-1", "li")
    page = _page(qtbot, counselor)
    assert not page.enroll_button.isEnabled()
    ws = Workspace(principal, Ops(inline=True))
    qtbot.addWidget(ws)
    assert not isinstance(ws.pages["sync"], SyncPage)
    ws.sync_agent.stop()
    counselor.lock()


def test_the_archive_shows_what_the_previous_school_shared(
    qtbot, enrolled_school, city, make_vault
):
    from app.ui.archive_page import ArchivePage
    from cloud.streams import transfer

    kid = students.search_students(enrolled_school, limit=1)[0]
    assessments.record_result(enrolled_school, kid.id, "GAD-7", [2] * 7, mode="paper")
    sync.sync_now(enrolled_school)
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": kid.student_no, "name": kid.name}])
        transfer(s, kid.student_no, "S-B")
    other, _code = make_vault("other")
    sync.enroll(other, city.url, city.code("S-B"), allow_plain_http=True, other_school=True)
    sync.sync_now(other)
    with other.session() as s:
        sid = s.scalars(select(Student.id).where(Student.student_no == kid.student_no)).one()
    page = ArchivePage(other, sid)
    qtbot.addWidget(page)
    labels = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert labels[-1] == "转入前档案"
    results = page.findChild(QTableWidget, "transfer_results")
    assert results.rowCount() == 1 and results.item(0, 1).text() == "GAD-7"


def test_the_navigation_always_says_whether_warnings_reached_the_city(qtbot, populated_vault, city):
    from app.ui.main_window import Workspace

    sync.enroll(populated_vault, city.url, city.code("S-A"), allow_plain_http=True)
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    agent = SyncAgent(populated_vault, Ops(inline=True), automatic=False)
    ws = Workspace(populated_vault, Ops(inline=True), sync_agent=agent)
    qtbot.addWidget(ws)
    assert ws.sync_status.text() == "已同步：从未\n1 条预警尚未送达市平台"
    ws.sync.sync_button.click()
    assert ws.sync_status.text() == "已同步：刚刚"


def test_a_code_of_another_school_is_asked_about_before_joining(qtbot, populated_vault, city):
    """否 leaves the code unused; 是 joins (the page then shows that school)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.ui.modals import answer_modals, no, yes

    page = _page(qtbot, populated_vault)
    page.server.setText(city.url)
    page.code.setText(city.code("S-B"))
    seen = answer_modals(lambda d: (seen.append(d.text()), no(d)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sync, "enroll", _plain_http(sync.enroll))
        QTest.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
        assert page.enroll_box.isVisible()
        assert any("西区实验小学" in t and "测试中学" in t for t in seen)
        answer_modals(yes)
        QTest.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
    assert page.status_box.isVisible() and "西区实验小学" in page.where.text()


def test_what_the_city_sent_and_could_not_be_used_is_listed(qtbot, enrolled_school, city):
    from cloud.orgs import get_org
    from cloud.streams import publish

    with city.store.session() as s:
        publish(
            s,
            "roster",
            "BAD1",
            {"student_no": "BAD1", "name": "坏", "status": "在读"},
            scope=get_org(s, "S-A").id,
        )
    sync_once(enrolled_school)
    page = _page(qtbot, enrolled_school)
    assert "市平台发来的 1 项无法使用" in page.set_aside.text()
    assert "名册 BAD1" in page.set_aside.text()


def _plain_http(enroll):
    """The test city speaks plain HTTP; the page asks for https:// as production should."""

    def wrapped(*args, **kwargs):
        return enroll(*args, **kwargs, allow_plain_http=True)

    return wrapped
