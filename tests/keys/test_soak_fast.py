"""The fast subset of the crash and corruption suite (`make soak` runs the full counts)."""

import os

import pytest

from bench import soak

pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(os.name != "posix", reason="fork and SIGKILL"),
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded"),
]


@pytest.mark.slow
def test_200_kill9_during_writes_lose_no_acknowledged_commit(tmp_path):
    figures = soak.kill_run(200, tmp_path)
    print("\nkill -9:", figures)
    assert figures["lost_acknowledged"] == 0 and figures["integrity_failures"] == 0
    assert figures["acknowledged_commits"] > 200
    assert all(figures["acknowledged_by_kind"][k] > 0 for k in soak.KINDS)


@pytest.mark.slow
def test_200_damaged_copies_never_crash_and_are_never_silently_accepted(tmp_path):
    figures = soak.corruption_run(220, tmp_path)
    print("\ncorruption:", figures)
    assert figures["crashes"] == 0, figures["crash_kinds"]
    assert figures["silent_acceptance"] == 0
    assert figures["refused_but_changed"] == 0
    assert figures["refused"] >= 200  # at unlock, or by the page check right after it


@pytest.mark.slow
def test_kill9_at_random_moments_of_key_rotation_never_breaks_the_vault(tmp_path):
    figures = soak.rotation_kill_run(25, tmp_path)
    print("\nrotation kill -9:", figures)
    assert figures == {"kills": 25, "vault_failed_to_open": 0, "content_changed": 0}
