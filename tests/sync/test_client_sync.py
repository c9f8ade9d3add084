"""The client against the real server: outbox, ordering, parking, corrections, conflicts, streams."""

import contextlib
import datetime as dt
import json

import pytest
from sqlalchemy import select

from app.models import AssessmentPlan, OutboxItem, RefItem, Student, WarningRuleSet
from app.services import assessments, records, students, sync, synthetic, warnings
from app.sync.runner import sync_once
from app.sync.wire import student_key
from cloud.orgs import get_org
from cloud.streams import compact, publish, publish_roster, transfer
from tests.sync.helpers import server_submissions


def _secret(vault) -> str:
    from app.sync.credentials import load

    with vault.session() as s:
        return load(s, vault.vault_id)[0].student_key_secret


def _kids(vault, n=3):
    return students.search_students(vault, students.StudentFilter(), limit=n)


def _outbox(vault) -> list[OutboxItem]:
    with vault.session() as s:
        return list(s.scalars(select(OutboxItem).order_by(OutboxItem.seq)))


def test_a_result_and_its_outbox_item_are_written_together(enrolled_school):
    kid = _kids(enrolled_school, 1)[0]
    row, _score = assessments.record_result(enrolled_school, kid.id, "GAD-7", [1] * 7, mode="paper")
    [item] = [i for i in _outbox(enrolled_school) if i.entity == "assessment_result"]
    payload = json.loads(item.payload)
    assert item.entity_id == row.id and payload["total"] == 7
    assert "answers" not in payload and "student_no" not in payload
    assert payload["student"] == student_key(_secret(enrolled_school), kid.student_no)
    assert len(payload["administered_at"]) == 10  # the day, not the time


def test_a_rolled_back_change_leaves_no_outbox_item(enrolled_school):
    kid = _kids(enrolled_school, 1)[0]
    with pytest.raises(RuntimeError), enrolled_school.session() as s:
        assessments.store_result(s, kid.id, "GAD-7", [1] * 7, mode="paper", user_id=None)
        raise RuntimeError("power cut")
    assert _outbox(enrolled_school) == []


def test_warnings_reach_the_city_before_results(enrolled_school, city):
    kids = _kids(enrolled_school, 3)
    for kid in kids[:2]:
        assessments.record_result(enrolled_school, kid.id, "GAD-7", [0] * 7, mode="paper")
    assessments.record_result(enrolled_school, kids[2].id, "PHQ-9", [0] * 8 + [2], mode="paper")
    sync.sync_now(enrolled_school)
    order = [sub.entity for sub in server_submissions(city)]
    assert order.index("warning") < order.index("assessment_result")


def test_a_refused_submission_is_parked_with_its_reason_and_the_rest_go_through(
    enrolled_school, city
):
    from app.sync.outbox import enqueue

    key = student_key(_secret(enrolled_school), _kids(enrolled_school, 1)[0].student_no)
    with enrolled_school.session() as s:
        enqueue(s, "warning", "bad", {"student": key, "level": "purple"})
        enqueue(s, "warning", "good", {"student": key, "level": "red"})
    report = sync.sync_now(enrolled_school)
    st = sync.status(enrolled_school)
    assert (report.parked, st.parked, st.pending) == (1, 1, 0)
    [parked] = sync.outbox_rows(enrolled_school, "parked")
    assert "payload.level" in parked.last_error
    assert [s.entity_id for s in server_submissions(city) if s.entity == "warning"] == ["good"]


def test_a_student_the_city_does_not_list_for_this_school_is_parked_with_the_reason(
    enrolled_school, city
):
    from app.sync.outbox import enqueue

    with enrolled_school.session() as s:
        key = student_key(_secret(enrolled_school), "G449900209999999999")
        enqueue(s, "warning", "w-elsewhere", {"student": key, "level": "red"})
    sync.sync_now(enrolled_school)
    [parked] = sync.outbox_rows(enrolled_school, "parked")
    assert "not on this school's roster" in parked.last_error
    assert not [s for s in server_submissions(city) if s.entity_id == "w-elsewhere"]


def test_a_rescored_result_goes_up_as_a_correction_of_the_old_one(enrolled_school, city):
    kid = _kids(enrolled_school, 1)[0]
    row, _ = assessments.record_result(enrolled_school, kid.id, "GAD-7", [1] * 7, mode="paper")
    sync.sync_now(enrolled_school)
    assessments.rescore(enrolled_school, row.id)
    sync.sync_now(enrolled_school)
    old = [s for s in server_submissions(city) if s.entity_id == row.id]
    assert [s.payload["status"] for s in old] == ["final", "superseded"]
    assert old[1].deprecates == old[0].id
    assert len([s for s in server_submissions(city) if s.entity == "assessment_result"]) == 3


def test_private_notes_and_narratives_never_leave_the_computer(enrolled_school, city):
    from tests.sync.faultproxy import FaultProxy
    from tests.sync.helpers import client_via

    canary = "CANARY-7f3a-绝密"
    kid = _kids(enrolled_school, 1)[0]
    when = dt.datetime(2026, 11, 20, 9, 0)
    records.create_record(
        enrolled_school, "private_note", occurred_at=when, student_id=kid.id, body={"text": canary}
    )
    session = records.create_record(
        enrolled_school,
        "session",
        occurred_at=when,
        student_id=kid.id,
        title=canary,
        body={
            "duration_min": 45,
            "template": "school",
            "risk_suicide": "none",
            "risk_self_harm": "none",
            "risk_others": "none",
            "sections": {"complaint": canary, "process": canary, "plan": canary},
            "referred_by": canary,
            "interventions": canary,
            "homework": canary,
        },
    )
    records.update_record(
        enrolled_school, session.id, body=session.body | {"sections": {"process": canary + "2"}}
    )
    records.create_record(
        enrolled_school,
        "crisis",
        occurred_at=when,
        student_id=kid.id,
        body={"trigger": "direct", "notes": canary},
    )
    proxy = FaultProxy(city.url).start()
    proxy.enabled = False
    client = client_via(enrolled_school, proxy.url)
    sync_once(enrolled_school, client)
    client.close()
    proxy.stop()
    bodies = b"\n".join(proxy.bodies)
    assert canary.encode() not in bodies and canary.encode("unicode_escape") not in bodies
    sent = [s.payload for s in server_submissions(city) if s.entity == "record"]
    assert {p["kind"] for p in sent} == {"session", "crisis"}
    assert {"kind", "fields"} <= sent[0].keys() and sent[0]["fields"] == {
        "duration_min": 45,
        "mode": "in_person",
    }


def test_the_policy_can_stop_an_entity_from_going_up(enrolled_school):
    from app.sync.policy import default_policy

    doc = json.loads(json.dumps(default_policy()))
    doc["entities"]["assessment_result"]["send"] = False
    sync.set_policy(enrolled_school, doc)
    kid = _kids(enrolled_school, 1)[0]
    assessments.record_result(enrolled_school, kid.id, "GAD-7", [1] * 7, mode="paper")
    assert [i.entity for i in _outbox(enrolled_school)] == []


def test_the_admin_sees_every_field_and_the_fixed_refusals(enrolled_school):
    rows = {(r.entity, r.field): r for r in sync.policy_rows(enrolled_school)}
    assert rows[("assessment_result", "total")].sent
    assert (
        not rows[("assessment_result", "answers")].sent
        and rows[("assessment_result", "answers")].locked
    )
    assert rows[("record", "session.duration_min")].sent
    for narrative in ("session.sections", "session.interventions", "private_note.text"):
        assert rows[("record", narrative)].locked and not rows[("record", narrative)].sent


def test_a_city_change_meeting_a_local_edit_becomes_a_conflict_with_both_versions(enrolled, city):
    kids = synthetic.generate_students(5, seed=4)
    city.roster("S-A", kids)
    sync_once(enrolled)
    no = kids[0].student_no
    with enrolled.session() as s:
        st = s.scalars(select(Student).where(Student.student_no == no)).one()
        st.name = "本地改名"
    with city.store.session() as s:
        publish_roster(
            s,
            "S-A",
            [
                {
                    "student_no": no,
                    "name": "市里改名",
                    "grade_level": kids[0].grade,
                    "class_number": kids[0].class_no,
                }
            ],
        )
    report = sync_once(enrolled)
    assert report.pull.conflicts == 1
    [c] = sync.conflicts(enrolled)
    assert (c.local["name"], c.server["name"]) == ("本地改名", "市里改名")
    sync.resolve_conflict(enrolled, c.id, use_server=True)
    with enrolled.session() as s:
        assert s.scalars(select(Student.name).where(Student.student_no == no)).one() == "市里改名"
    assert sync.conflicts(enrolled) == []


def test_an_untouched_student_simply_follows_the_city(enrolled, city):
    kids = synthetic.generate_students(5, seed=4)
    city.roster("S-A", kids)
    sync_once(enrolled)
    with city.store.session() as s:
        publish_roster(
            s,
            "S-A",
            [
                {
                    "student_no": kids[1].student_no,
                    "name": "新名字",
                    "grade_level": 9,
                    "class_number": 3,
                }
            ],
        )
    assert sync_once(enrolled).pull.conflicts == 0
    with enrolled.session() as s:
        st = s.scalars(select(Student).where(Student.student_no == kids[1].student_no)).one()
        assert (st.name, st.school_class.number, st.school_class.grade.level) == ("新名字", 3, 9)


def test_an_expired_cursor_leads_to_a_full_download(enrolled, city):
    from cloud.streams import purge_deleted

    kids = synthetic.generate_students(30, seed=6)
    city.roster("S-A", kids)
    with city.store.session() as s:
        publish(s, "roster", kids[0].student_no, None, scope=get_org(s, "S-A").id, deleted=True)
    sync_once(enrolled)
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": "ZZ1", "name": "新生"}])
        purge_deleted(s, "roster", get_org(s, "S-A").id, dt.datetime(2100, 1, 1))
    report = sync_once(enrolled)
    assert report.pull.full_downloads == ["roster"] and report.digests_ok


def test_compaction_while_a_school_syncs_never_wedges_it(enrolled, city):
    city.roster("S-A", synthetic.generate_students(1200, seed=6))
    sync_once(enrolled, page_size=100)
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": "ZZ1", "name": "新生"}])
        compact(s, "roster")
    report = sync_once(enrolled, page_size=100)
    assert report.pull.full_downloads == [] and report.digests_ok


def test_a_digest_mismatch_repairs_itself(enrolled, city):
    city.roster("S-A", synthetic.generate_students(30, seed=6))
    sync_once(enrolled)
    with enrolled.session() as s:
        s.delete(s.scalars(select(RefItem).where(RefItem.stream == "roster")).first())
    report = sync_once(enrolled)
    assert "roster" in report.pull.full_downloads and report.digests_ok


def test_plans_rules_and_scales_from_the_city_are_applied(enrolled, city):
    from app.paths import resources_dir
    from app.services import assessments

    city.roster("S-A", synthetic.generate_students(10, seed=6))
    rules = json.loads((resources_dir() / "risk" / "default_rules.json").read_text("utf-8"))
    rules["rules"] = rules["rules"][:3]
    scale = json.loads((resources_dir() / "scales" / "gad-7.json").read_text("utf-8"))
    scale["version"] = "9.0.0"
    with city.store.session() as s:
        school_id = get_org(s, "S-A").id
        publish(
            s,
            "plans",
            "plan-2026-autumn",
            {
                "name": "2026秋季统一测评",
                "scale_ids": ["PHQ-9"],
                "classes": "all",
                "starts_on": "2026-11-01",
                "ends_on": "2026-12-15",
            },
            scope=school_id,
        )
        publish(s, "rules", "city", {"rules": rules})
        publish(s, "scales", "GAD-7", scale)
    sync_once(enrolled)
    with enrolled.session() as s:
        [plan] = s.scalars(select(AssessmentPlan)).all()
        assert plan.name == "2026秋季统一测评" and plan.class_ids
        newest = s.scalars(select(WarningRuleSet).order_by(WarningRuleSet.version.desc())).first()
        assert len(newest.rules["rules"]) == 3
    assert assessments.scale_definition(enrolled, "GAD-7").version == "9.0.0"


def test_a_rule_set_with_a_typo_from_the_city_is_refused_and_the_rules_in_force_stay(
    enrolled, city
):
    from app.paths import resources_dir
    from app.services.warning_rules import active_rule_set

    rules = json.loads((resources_dir() / "risk" / "default_rules.json").read_text("utf-8"))
    rules["rules"][0]["when"] = {"all": [{"diagnosis": True}, {"diagnosys_typo": True}]}
    with city.store.session() as s:
        publish(s, "rules", "city", {"rules": rules})
    with contextlib.suppress(Exception):
        sync_once(enrolled)
    with enrolled.session() as s:
        version, in_force = active_rule_set(s)
    assert version == 1 and in_force["rules"][0]["when"] == {"critical": {"official": True}}


def test_a_transferred_in_student_brings_only_the_shareable_archive(
    enrolled_school, city, make_vault
):
    kid = _kids(enrolled_school, 1)[0]
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": kid.student_no, "name": kid.name}])
    assessments.record_result(enrolled_school, kid.id, "PHQ-9", [1] * 9, mode="paper")
    sync.sync_now(enrolled_school)
    with city.store.session() as s:
        transfer(s, kid.student_no, "S-B")
    other, _code = make_vault("other")
    sync.enroll(other, city.url, city.code("S-B"), allow_plain_http=True, other_school=True)
    sync.sync_now(other)
    with other.session() as s:
        st = s.scalars(select(Student).where(Student.student_no == kid.student_no)).one()
    shared = sync.transferred_archive(other, st.id)
    assert shared["from_school"] == "测试中学"
    assert [r["scale_id"] for r in shared["results"]] == ["PHQ-9"]
    assert set(shared["results"][0]) == {
        "scale_id",
        "administered_at",
        "total",
        "band_label",
        "valid",
    }
    assert [w["level"] for w in shared["warnings"]] == ["red"]  # item 9 answered: critical
    assert set(shared["warnings"][0]) == {"level", "status", "raised_at"}


def test_the_device_credential_is_never_stored_in_the_clear(enrolled, tmp_path):
    from app.sync.credentials import load

    with enrolled.session() as s:
        enrollment, token = load(s, enrolled.vault_id)
    assert token and not enrollment.token_in_keyring
    secret = token.split(":")[1].encode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path


def test_warnings_raised_before_enrollment_are_sent_once_enrolled(
    populated_vault, city, roster_students
):
    city.roster("S-A", roster_students)
    kid = _kids(populated_vault, 1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [3], mode="paper")
    sync.enroll(populated_vault, city.url, city.code("S-A"), allow_plain_http=True)
    sync.sync_now(populated_vault)
    assert [s.payload["level"] for s in server_submissions(city) if s.entity == "warning"] == [
        "red"
    ]
    assert warnings.queue(populated_vault)


def test_a_field_the_city_leaves_empty_keeps_the_local_value(enrolled_school, city):
    kid = _kids(enrolled_school, 1)[0]
    with enrolled_school.session() as s:
        before = s.get(Student, kid.id)
        gender, born = before.gender, before.birth_date
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": kid.student_no, "name": kid.name}])
    assert sync_once(enrolled_school).pull.conflicts == 0
    with enrolled_school.session() as s:
        after = s.get(Student, kid.id)
        assert (after.gender, after.birth_date) == (gender, born) and gender is not None


def test_the_city_receives_the_bureaus_workload_columns_summed_without_names(enrolled_school, city):
    import datetime as dt

    from app.records.semesters import semester_key
    from app.services import records

    now = dt.datetime.now().replace(microsecond=0)
    kid = _kids(enrolled_school, 1)[0]
    for kind, body, who in (
        ("lecture", {"audience": "parents", "topic": "青春期亲子沟通"}, None),
        ("lecture", {"audience": "teachers", "topic": "识别学生情绪危机"}, None),
        ("training", {"topic": "危机干预培训", "duration_min": 180}, None),
        ("contact", {"guardian": "母亲", "mode": "home_visit", "content": "家访"}, kid.id),
        ("crisis", {"trigger": "direct", "steps": {}}, kid.id),
    ):
        records.create_record(enrolled_school, kind, occurred_at=now, body=body, student_id=who)
    sync.sync_now(enrolled_school)
    [sent] = [s.payload for s in server_submissions(city) if s.entity == "workload"]
    assert sent["semester"] == semester_key(now.date()) and sent["teachers"] == 1
    assert (
        sent["parent_lectures"],
        sent["teacher_lectures"],
        sent["training"],
        sent["training_hours"],
        sent["home_visits"],
        sent["crisis"],
    ) == (1, 1, 1, 3.0, 1, 1)
    flat = json.dumps(sent, ensure_ascii=False)
    assert "王老师" not in flat and "青春期" not in flat and "teacher_name" not in flat
