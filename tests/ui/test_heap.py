"""While lane work runs, the collector's full passes wait; young objects are still collected."""

import gc

from app.ui import heap


def test_full_passes_wait_while_work_runs_and_resume_after():
    before = gc.get_threshold()
    with heap.paused():
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2] and full == heap.NEVER
        assert gc.isenabled()
        with heap.paused():  # nested work
            assert gc.get_threshold()[2] == heap.NEVER
        assert gc.get_threshold()[2] == heap.NEVER
    assert gc.get_threshold() == before
