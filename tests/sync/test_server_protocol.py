"""The reference server keeps the protocol's promises (docs/sync-protocol.md)."""

import uuid

import httpx
import pytest

from cloud.canonical import payload_sha256
from cloud.streams import compact, publish_roster


@pytest.fixture(autouse=True)
def roster(city):
    """Student S1 on school S-A's roster: what its devices may submit for."""
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": "S1", "name": "学生甲"}])


def _device(city, school="S-A") -> dict:
    r = httpx.post(
        f"{city.url}/api/v1/enroll", json={"code": city.code(school), "device_name": "pc"}
    )
    assert r.status_code == 201
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _item(payload: dict, sid: str | None = None) -> dict:
    return {
        "submission_id": sid or str(uuid.uuid4()),
        "entity": "warning",
        "entity_id": "w-1",
        "payload": payload,
        "payload_sha256": payload_sha256(payload),
        "created_at": "2026-11-28T08:00:00Z",
    }


def test_an_enrollment_code_works_once(city):
    code = city.code()
    first = httpx.post(f"{city.url}/api/v1/enroll", json={"code": code, "device_name": "a"})
    again = httpx.post(f"{city.url}/api/v1/enroll", json={"code": code, "device_name": "b"})
    assert first.status_code == 201 and again.status_code == 403


def test_requests_without_a_device_credential_get_401(city):
    assert httpx.get(f"{city.url}/api/v1/health").status_code == 401
    bad = {"Authorization": "Bearer 00000000-0000-0000-0000-000000000000:nope"}
    assert httpx.get(f"{city.url}/api/v1/health", headers=bad).status_code == 401


def test_an_identical_resend_gets_the_original_receipt(city):
    h = _device(city)
    item = _item({"student_no": "S1", "level": "red"})
    first = httpx.post(
        f"{city.url}/api/v1/submissions",
        json=item,
        headers=h | {"Idempotency-Key": item["submission_id"]},
    )
    again = httpx.post(
        f"{city.url}/api/v1/submissions",
        json=item,
        headers=h | {"Idempotency-Key": item["submission_id"]},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["receipt"] == first.json()["receipt"]


def test_the_same_key_with_different_content_is_409(city):
    h = _device(city)
    item = _item({"student_no": "S1", "level": "red"})
    httpx.post(f"{city.url}/api/v1/submissions/batch", json={"items": [item]}, headers=h)
    changed = _item({"student_no": "S1", "level": "yellow"}, item["submission_id"])
    r = httpx.post(f"{city.url}/api/v1/submissions/batch", json={"items": [changed]}, headers=h)
    assert r.json()["results"][0]["status"] == 409


def test_another_device_cannot_reuse_a_submission_id(city):
    item = _item({"student_no": "S1", "level": "red"})
    httpx.post(
        f"{city.url}/api/v1/submissions/batch", json={"items": [item]}, headers=_device(city)
    )
    r = httpx.post(
        f"{city.url}/api/v1/submissions/batch", json={"items": [item]}, headers=_device(city, "S-B")
    )
    assert r.json()["results"][0]["status"] == 409


def test_a_payload_that_does_not_match_its_hash_is_422(city):
    item = _item({"student_no": "S1", "level": "red"}) | {"payload_sha256": "0" * 64}
    r = httpx.post(
        f"{city.url}/api/v1/submissions/batch", json={"items": [item]}, headers=_device(city)
    )
    assert r.json()["results"][0]["status"] == 422


def test_unknown_fields_in_a_submission_are_422_for_that_item_alone(city):
    bad = _item({"student_no": "S1", "level": "red"}) | {"delete": True}
    good = _item({"student_no": "S1", "level": "red"})
    r = httpx.post(
        f"{city.url}/api/v1/submissions/batch", json={"items": [bad, good]}, headers=_device(city)
    )
    assert [x["status"] for x in r.json()["results"]] == [422, 201]
    assert r.json()["results"][0]["error"] == "unknown field 'delete'"


def test_a_school_device_sees_only_its_own_roster(city):
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": "A1", "name": "甲"}])
        publish_roster(s, "S-B", [{"student_no": "B1", "name": "乙"}])
    page = httpx.get(f"{city.url}/api/v1/streams/roster", headers=_device(city, "S-B")).json()
    assert [i["id"] for i in page["items"]] == ["B1"]


def test_compaction_expires_no_cursor_and_the_newest_version_still_comes(city):
    h = _device(city)
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": "A1", "name": "甲"}])
    cursor = httpx.get(f"{city.url}/api/v1/streams/roster", headers=h).json()["next_cursor"]
    with city.store.session() as s:
        publish_roster(s, "S-A", [{"student_no": "A1", "name": "甲乙"}])
        compact(s, "roster")
    r = httpx.get(f"{city.url}/api/v1/streams/roster", params={"cursor": cursor}, headers=h)
    assert r.status_code == 200
    assert [(i["id"], i["payload"]["name"]) for i in r.json()["items"]] == [("A1", "甲乙")]


def test_purging_one_schools_tombstones_expires_only_that_schools_cursors(city):
    import datetime as dt

    from cloud.orgs import get_org
    from cloud.streams import publish, purge_deleted

    a, b = _device(city), _device(city, "S-B")
    with city.store.session() as s:
        publish_roster(s, "S-B", [{"student_no": "B1", "name": "乙"}])
        publish(s, "roster", "S1", None, scope=get_org(s, "S-A").id, deleted=True)
    cursors = {
        name: httpx.get(f"{city.url}/api/v1/streams/roster", headers=h).json()["next_cursor"]
        for name, h in (("a", a), ("b", b))
    }
    with city.store.session() as s:
        purge_deleted(s, "roster", get_org(s, "S-A").id, dt.datetime(2100, 1, 1))
    again = {
        name: httpx.get(
            f"{city.url}/api/v1/streams/roster", params={"cursor": cursors[name]}, headers=h
        ).status_code
        for name, h in (("a", a), ("b", b))
    }
    assert again == {"a": 410, "b": 200}


def test_a_client_older_than_the_minimum_gets_426(city):
    r = httpx.get(
        f"{city.url}/api/v1/health", headers=_device(city) | {"X-XinDang-Client": "0.0.9"}
    )
    assert r.status_code == 426 and r.json()["min_client_version"] == "0.1.0"


def test_oversized_requests_get_413(city):
    r = httpx.post(
        f"{city.url}/api/v1/submissions/batch",
        content=b"x" * (9 * 1024 * 1024),
        headers=_device(city) | {"Content-Type": "application/json"},
    )
    assert r.status_code == 413


@pytest.mark.parametrize("cursor", ["garbage", "djE6c2NhbGVzOjE"])  # the second: another stream's
def test_a_forged_cursor_gets_400(city, cursor):
    r = httpx.get(
        f"{city.url}/api/v1/streams/roster", params={"cursor": cursor}, headers=_device(city)
    )
    assert r.status_code == 400
