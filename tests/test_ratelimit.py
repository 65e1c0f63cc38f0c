"""The shared rate limiter: its schedule, and processes that together keep to NCBI's rate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from pof_lit.lib.ratelimit import (
    FileRateLimiter,
    RedisRateLimiter,
    limiter_from_url,
    slot_interval,
)

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"

# Two of these run at once against the fake server, each asking esearch for a count in a loop
# through PubmedClient (so through Biopython and the limiter), after a shared start signal.
WORKER = """
import sys
from curation.pubmed import PubmedClient, PubmedConfig
from pof_lit.lib.ratelimit import FileRateLimiter, RedisRateLimiter

base_url, where, api_key, requests = sys.argv[1:]
limiter = RedisRateLimiter(where) if where.startswith("redis") else FileRateLimiter(where)
config = PubmedConfig(base_url=base_url, email="worker@example.org", api_key=api_key,
                      limiter=limiter, max_attempts=1)
client = PubmedClient(config)
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(requests)):
    client.count("stem cells")
"""


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"needs Redis at {REDIS_URL} (set REDIS_URL): {exc}")
    return REDIS_URL


def run_workers(base_url: str, limiters: list[str], *, api_key: str, requests: int) -> None:
    """Run one worker per limiter location at once; fail if any worker fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, base_url, where, api_key, str(requests)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for where in limiters
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            _, stderr = worker.communicate(timeout=60)
            assert worker.returncode == 0, stderr
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


# --- the schedule ---------------------------------------------------------------------------


def test_the_file_limiter_spaces_requests_by_the_rate_and_a_margin(tmp_path):
    sleep = SleepRecorder()
    limiter = FileRateLimiter(tmp_path / "rate.json", sleep=sleep, clock=lambda: 1_000.0)

    waits = [limiter.acquire("ncbi", rate=3.0) for _ in range(3)]

    assert waits == pytest.approx([0.0, 1.1 / 3, 2.2 / 3])
    assert sleep.calls == pytest.approx([1.1 / 3, 2.2 / 3])


def test_the_file_limiter_keeps_one_schedule_per_key(tmp_path):
    limiter = FileRateLimiter(tmp_path / "rate.json", sleep=SleepRecorder(), clock=lambda: 50.0)

    limiter.acquire("with-key", rate=10.0)

    assert limiter.acquire("anonymous", rate=3.0) == 0.0
    assert limiter.acquire("with-key", rate=10.0) == pytest.approx(0.11)


def test_the_file_limiter_shares_its_schedule_through_the_file(tmp_path):
    path = tmp_path / "rate.json"
    first = FileRateLimiter(path, sleep=SleepRecorder(), clock=lambda: 10.0)
    second = FileRateLimiter(path, sleep=SleepRecorder(), clock=lambda: 10.0)

    first.acquire("ncbi", rate=3.0)

    assert second.acquire("ncbi", rate=3.0) == pytest.approx(1.1 / 3)
    assert json.loads(path.read_text()) == {"ncbi": pytest.approx(10.0 + 2.2 / 3)}


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"ncbi": 1e12}', ""])
def test_the_file_limiter_starts_afresh_on_a_corrupt_or_impossible_schedule(tmp_path, content):
    path = tmp_path / "rate.json"
    path.write_text(content)
    limiter = FileRateLimiter(path, sleep=SleepRecorder(), clock=lambda: 10.0)

    assert limiter.acquire("ncbi", rate=3.0) == 0.0
    assert limiter.acquire("ncbi", rate=3.0) == pytest.approx(1.1 / 3)


def test_the_redis_limiter_spaces_requests_on_the_redis_clock(redis_url):
    sleep = SleepRecorder()
    limiter = RedisRateLimiter(redis_url, sleep=sleep)
    key = f"test:{uuid.uuid4()}"

    waits = [limiter.acquire(key, rate=3.0) for _ in range(3)]

    interval = 1.1 / 3
    assert waits[0] == 0.0
    # Each wait is measured from the moment Redis ran the script, a little after the last.
    assert interval - 0.05 < waits[1] <= interval
    assert 2 * interval - 0.05 < waits[2] <= 2 * interval
    assert sleep.calls == waits[1:]


def test_the_redis_limiter_key_expires_after_its_last_slot(redis_url):
    limiter = RedisRateLimiter(redis_url, sleep=SleepRecorder())
    key = f"test:{uuid.uuid4()}"

    limiter.acquire(key, rate=10.0)

    ttl_ms = redis.Redis.from_url(redis_url).pttl(RedisRateLimiter.prefix + key)
    assert 1_000 < ttl_ms <= 1_110


def test_a_limiter_comes_from_the_redis_url_or_else_a_file():
    assert isinstance(limiter_from_url(None), FileRateLimiter)
    assert isinstance(limiter_from_url(""), FileRateLimiter)
    assert isinstance(limiter_from_url("redis://127.0.0.1:6379/15"), RedisRateLimiter)


@pytest.mark.parametrize("rate", [0, -3, float("nan")])
def test_a_rate_must_be_positive(rate):
    with pytest.raises(ValueError, match="rate"):
        slot_interval(rate)


# --- two processes against the fake server ----------------------------------------------------


@pytest.mark.parametrize(
    ("api_key", "rate", "requests"), [("", 3, 4), ("limiter-test-key", 10, 10)], ids=["3/s", "10/s"]
)
def test_two_processes_sharing_the_redis_limiter_stay_under_ncbis_rate(
    fake_eutils, redis_url, api_key, rate, requests
):
    run_workers(fake_eutils.url, [redis_url, redis_url], api_key=api_key, requests=requests)

    assert len(fake_eutils.requests) == 2 * requests
    assert fake_eutils.max_requests_in(1.0) <= rate


@pytest.mark.parametrize(
    ("api_key", "rate", "requests"), [("", 3, 4), ("limiter-test-key", 10, 10)], ids=["3/s", "10/s"]
)
def test_two_processes_sharing_the_file_limiter_stay_under_ncbis_rate(
    fake_eutils, tmp_path, api_key, rate, requests
):
    path = str(tmp_path / "rate.json")

    run_workers(fake_eutils.url, [path, path], api_key=api_key, requests=requests)

    assert len(fake_eutils.requests) == 2 * requests
    assert fake_eutils.max_requests_in(1.0) <= rate
    times = sorted(request.time for request in fake_eutils.requests)
    # Not slower than the schedule needs either (one second of slack for process start-up).
    assert times[-1] - times[0] < (2 * requests - 1) * slot_interval(rate) + 1.0


def test_two_processes_with_separate_limiters_exceed_the_rate(fake_eutils, tmp_path):
    # The control: Biopython's throttle and a limiter of one's own only pace one process.
    paths = [str(tmp_path / "first.json"), str(tmp_path / "second.json")]

    run_workers(fake_eutils.url, paths, api_key="", requests=4)

    assert fake_eutils.max_requests_in(1.0) > 3
