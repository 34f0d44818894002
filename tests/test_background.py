"""Work given to a second process comes back whole, and its failure fails the build with the reason."""
from __future__ import annotations

import os

import pytest

from portal_core.background import Background


def test_the_result_comes_from_another_process_and_changes_nothing_here():
    seen = []

    def work():
        seen.append("here")  # in the child's copy of this list
        return {"pid": os.getpid(), "rows": list(range(100_000))}  # more than a pipe holds

    got = Background(work).result()
    assert got["rows"] == list(range(100_000))
    assert got["pid"] != os.getpid() and seen == []


def test_a_failure_there_is_an_error_here_with_its_reason():
    def work():
        raise ValueError("tệp hỏng")

    job = Background(work)
    with pytest.raises(RuntimeError, match="ValueError: tệp hỏng"):
        job.result()


def test_without_parallel_work_runs_at_once(monkeypatch):
    monkeypatch.setenv("PORTAL_PARALLEL", "0")
    assert Background(os.getpid).result() == os.getpid()
