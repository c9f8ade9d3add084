"""Ids and nonces come from the OS's CSPRNG a page at a time, never repeating."""

import multiprocessing
import uuid

import pytest

from app.models import entropy
from app.models.base import new_id


def test_record_ids_are_version_4_uuids_and_all_distinct():
    ids = [new_id() for _ in range(10_000)]
    assert len(set(ids)) == 10_000
    assert all(uuid.UUID(i).version == 4 for i in ids)


def test_consecutive_draws_never_share_bytes_across_a_page_boundary():
    draws = [entropy.random_bytes(12) for _ in range(2 * entropy.PAGE // 12 + 5)]
    assert len(set(draws)) == len(draws)
    assert all(len(d) == 12 for d in draws)


def _next_nonce(conn) -> None:
    conn.send(entropy.random_bytes(12))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="POSIX")
def test_a_forked_child_does_not_repeat_the_parents_next_nonce():
    entropy.random_bytes(12)  # a page is held
    mine, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=_next_nonce, args=(theirs,))
    child.start()
    child.join()
    assert mine.recv() != entropy.random_bytes(12)
