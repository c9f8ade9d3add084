"""When sync is attempted: triggers, backoff with full jitter, and where the credential lives."""

import random
import time

import keyring
import pytest

from app.services import assessments, students, sync
from app.sync.schedule import Schedule
from app.ui.ops import Ops
from app.ui.sync_agent import NEW_ITEMS_DELAY, SyncAgent


def test_backoff_is_full_jitter_doubling_up_to_the_cap():
    sched = Schedule(base=30, cap=1800, rng=random.Random(1))
    bounds = [min(1800, 30 * 2 ** (n - 1)) for n in range(1, 12)]
    for bound in bounds:
        delay = sched.failed(now=0)
        assert 0 <= delay <= bound
    assert max(sched.delay_for(20) for _ in range(200)) <= 1800


def test_retry_after_is_honoured():
    sched = Schedule(rng=random.Random(2))
    assert sched.failed(retry_after=600, now=0) >= 600
    assert sched.next_at >= 600


def test_success_waits_for_the_timer_and_a_poke_makes_it_due_at_once():
    sched = Schedule(period=600)
    sched.failed(now=0)
    sched.succeeded(now=100)
    assert sched.failures == 0 and not sched.due(now=200) and sched.due(now=700)
    sched.poke()
    assert sched.due(now=101)


def test_new_outbox_items_bring_the_next_attempt_forward(qtbot, populated_vault, city):
    sync.enroll(populated_vault, city.url, city.code("S-A"), allow_plain_http=True)
    agent = SyncAgent(populated_vault, Ops(inline=True), automatic=False)
    agent.schedule.succeeded()
    kid = students.search_students(populated_vault, limit=1)[0]
    assessments.record_result(populated_vault, kid.id, "PHQ-9", [0] * 8 + [2], mode="paper")
    qtbot.waitUntil(
        lambda: agent.schedule.next_at <= time.monotonic() + NEW_ITEMS_DELAY, timeout=2000
    )
    agent.schedule.next_at = 0
    with qtbot.waitSignal(agent.finished, timeout=10000):
        agent.sync_if_due()
    assert sync.status(populated_vault).pending == 0
    agent.stop()


def test_an_unreachable_city_backs_off_and_says_so(qtbot, enrolled, city):
    agent = SyncAgent(enrolled, Ops(inline=True), automatic=False)
    city.server.stop()
    with qtbot.waitSignal(agent.failed, timeout=60000) as blocker:
        agent.sync_now()
    assert "暂时连不上市平台" in blocker.args[0]
    assert agent.schedule.failures == 1 and not agent.schedule.due()
    agent.stop()


@pytest.fixture
def secure_keyring():
    from tests.sync.memkeyring import MemoryKeyring

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_the_credential_goes_to_the_os_keyring_when_a_secure_one_exists(
    vault, city, secure_keyring
):
    from app.sync.credentials import SETTING, load

    e = sync.enroll(vault, city.url, city.code(), allow_plain_http=True)
    assert e.token_in_keyring and e.token is None
    [(service, _account)] = secure_keyring.store
    assert service == "XinDang sync"
    with vault.session() as s:
        from app.models import VaultSetting

        assert s.get(VaultSetting, SETTING).value["v"]["token"] is None
        _e, token = load(s, vault.vault_id)
    assert token == next(iter(secure_keyring.store.values()))
    assert sync.sync_now(vault).digests_ok
