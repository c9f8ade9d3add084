"""A server that answers nonsense, lies or attacks gets nothing: rejected, no local change."""

import pytest

from app.services import synthetic
from app.sync.outbox import enqueue
from app.sync.runner import sync_once
from app.sync.transport import ProtocolViolation, SyncError
from tests.sync.helpers import client_via, local_state
from tests.sync.hostile import HostileServer

HEALTH = {
    "status": "ok",
    "protocol_version": 1,
    "min_client_version": "0.1.0",
    "server_time": "2026-11-28T08:00:00Z",
    "device_id": "d",
    "school": {"id": "x", "code": "S-A", "name": "测试中学"},
}
EMPTY_PAGE = {"stream": "roster", "items": [], "next_cursor": "c", "has_more": False}


@pytest.fixture
def synced(enrolled, city):
    """An enrolled vault holding a real roster from the real server, and work waiting to go up."""
    city.roster("S-A", synthetic.generate_students(20, seed=2))
    sync_once(enrolled)
    with enrolled.session() as s:
        enqueue(s, "warning", "w-1", {"student_no": "X1", "level": "red", "status": "raised"})
    return enrolled


@pytest.fixture
def hostile():
    server = HostileServer()
    yield server
    server.stop()


def _attempt(vault, server) -> Exception:
    client = client_via(vault, server.url)
    client.retries = 0
    with pytest.raises(SyncError) as info:
        sync_once(vault, client)
    client.close()
    return info.value


def test_malformed_json_is_rejected_and_changes_nothing(synced, hostile):
    hostile.routes["/api/v1/health"] = (200, b'{"status": "ok", ')
    before = local_state(synced)
    assert isinstance(_attempt(synced, hostile), ProtocolViolation)
    assert local_state(synced) == before


def test_a_page_of_the_wrong_shape_is_rejected_and_changes_nothing(synced, hostile):
    hostile.routes["/api/v1/health"] = (200, HEALTH)
    hostile.routes["/api/v1/submissions/batch"] = (200, {"results": "all good"})
    before = local_state(synced)
    assert isinstance(_attempt(synced, hostile), ProtocolViolation)
    assert local_state(synced) == before


def test_receipts_for_other_submissions_are_refused(synced, hostile):
    hostile.routes["/api/v1/health"] = (200, HEALTH)
    hostile.routes["/api/v1/submissions/batch"] = (
        200,
        {"results": [{"submission_id": "00000000-0000-0000-0000-000000000000", "status": 201}]},
    )
    before = local_state(synced)
    assert isinstance(_attempt(synced, hostile), ProtocolViolation)
    assert local_state(synced) == before


def test_a_100_mb_body_is_cut_off_and_changes_nothing(synced, hostile):
    def huge():
        yield b'{"stream": "roster", "items": ['
        for _ in range(100):
            yield b" " * (1024 * 1024)
        yield b"]}"

    hostile.routes["/api/v1/health"] = (200, huge)
    hostile.routes["/api/v1/streams/roster"] = (200, huge)
    before = local_state(synced)
    error = _attempt(synced, hostile)
    assert isinstance(error, ProtocolViolation) and "larger" in str(error)
    client = client_via(synced, hostile.url)
    with pytest.raises(ProtocolViolation, match="larger"):
        client.request("GET", "/api/v1/streams/roster")
    client.close()
    assert local_state(synced) == before


def test_an_instruction_to_delete_data_is_refused(synced, hostile):
    hostile.routes["/api/v1/health"] = (200, HEALTH)
    hostile.routes["/api/v1/submissions/batch"] = (403, {"error": "forbidden"})
    hostile.routes["/api/v1/streams/roster"] = (200, EMPTY_PAGE | {"action": "delete_all_students"})
    before = local_state(synced)
    _attempt(synced, hostile)
    after = local_state(synced)
    assert after["students"] == before["students"]
    assert after["refs"] == before["refs"]


def test_tombstones_from_the_city_never_delete_a_student(synced, hostile):
    before = local_state(synced)
    items = [
        {"id": no, "version": 99, "deleted": True, "payload": None}
        for no, *_rest in before["students"]
    ]
    hostile.routes["/api/v1/health"] = (200, HEALTH)
    hostile.routes["/api/v1/submissions/batch"] = (403, {"error": "forbidden"})
    hostile.routes["/api/v1/streams/roster"] = (200, EMPTY_PAGE | {"items": items})
    _attempt(synced, hostile)
    assert local_state(synced)["students"] == before["students"]


def test_a_server_speaking_for_another_school_is_refused(synced, hostile):
    hostile.routes["/api/v1/health"] = (
        200,
        HEALTH | {"school": {"id": "y", "code": "S-B", "name": "别校"}},
    )
    before = local_state(synced)
    assert isinstance(_attempt(synced, hostile), ProtocolViolation)
    assert local_state(synced) == before
