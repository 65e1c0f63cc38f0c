"""Share a request rate between processes, on one host or many.

NCBI counts E-utilities requests per API key (or per IP address without one) and answers 429
past 3 requests/s (10 with a key). Biopython's own throttle only spaces the requests of one
process, so several Celery workers together would exceed the limit; these limiters hand out
request slots from one shared schedule instead:

- ``RedisRateLimiter``: one atomic Lua script over a "next free slot" key, timed by the Redis
  server's clock, so processes on different hosts with drifting clocks still agree.
- ``FileRateLimiter``: the same schedule in a file guarded by ``fcntl.flock``, for the processes
  of one host when there is no Redis.

Slots are spaced evenly ``SAFETY_FACTOR / rate`` seconds apart rather than allowing a burst,
so the requests seen by the server in any one-second window stay within ``rate`` even when
network jitter delays one request relative to the next. No Django import here.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

import redis

logger = logging.getLogger(__name__)

# 10 % longer gaps than 1/rate: 3/s becomes one request every 0.367 s (Biopython settled on
# 0.37 s after 0.3333 s still drew 429s), 10/s one every 0.11 s.
SAFETY_FACTOR = 1.1

# A schedule further ahead than this cannot come from real queueing (it would take thousands
# of waiting requests); it means the wall clock jumped back, so the file limiter starts afresh.
_MAX_FILE_BACKLOG = 3600.0


class RateLimiter(Protocol):
    def acquire(self, key: str, *, rate: float) -> float:
        """Block until one more request under ``key`` keeps to ``rate`` requests/s.

        Return the seconds waited.
        """
        ...


def slot_interval(rate: float) -> float:
    """Return the seconds between two slots at ``rate`` requests/s, safety margin included."""
    if not rate > 0:
        raise ValueError(f"rate must be a positive number of requests per second, not {rate!r}")
    return SAFETY_FACTOR / rate


# KEYS[1]: the key holding the next free slot, in microseconds of the Redis clock.
# ARGV[1]: the slot interval in microseconds.
# Returns how many microseconds the caller waits before using the slot it was given.
# TIME is allowed before a write since Redis 5 (scripts replicate their effects).
_RESERVE_SLOT = """
local interval = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local slot = tonumber(redis.call('GET', KEYS[1]))
if slot == nil or slot < now then
    slot = now
end
local following = slot + interval
local ttl_ms = math.ceil((following - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', following), 'PX', ttl_ms)
return slot - now
"""


class RedisRateLimiter:
    """Hand out request slots from a schedule kept in Redis, shared by every host using it.

    Each ``acquire`` reserves the next free slot atomically and sleeps until it comes, so
    callers are served in the order they asked. The key expires a second after its last
    slot, leaving nothing behind once the traffic stops.
    """

    prefix = "pof-lit:ratelimit:"

    def __init__(
        self,
        redis_url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        socket_timeout: float = 5.0,
    ) -> None:
        self.redis_url = redis_url
        self._client = redis.Redis.from_url(
            redis_url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
        )
        self._reserve = self._client.register_script(_RESERVE_SLOT)
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self.redis_url!r})"

    def acquire(self, key: str, *, rate: float) -> float:
        """Reserve the next slot for ``key`` and sleep until it comes; return the seconds waited.

        Raises ``redis.RedisError`` when Redis cannot be reached: going on unthrottled could
        get the whole deployment blocked by NCBI.
        """
        interval_us = round(slot_interval(rate) * 1_000_000)
        wait = int(self._reserve(keys=[self.prefix + key], args=[interval_us])) / 1_000_000
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)


class FileRateLimiter:
    """Hand out request slots from a schedule in a locked file, shared by one host's processes.

    The file holds a JSON object mapping each key to its next free slot (Unix time). It is
    locked only while a slot is reserved, never while waiting for it. A missing, empty or
    corrupt file counts as an empty schedule.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"FileRateLimiter({str(self.path)!r})"

    def acquire(self, key: str, *, rate: float) -> float:
        """Reserve the next slot for ``key`` and sleep until it comes; return the seconds waited."""
        interval = slot_interval(rate)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                schedule = self._read(handle)
                # The wall clock, not time.monotonic(): every process of the host reads the
                # same one, and the file may outlive a reboot.
                now = self._clock()
                slot = float(schedule.get(key, 0.0))
                if slot - now > _MAX_FILE_BACKLOG:
                    logger.warning("Rate limit schedule in %s is in the future; reset.", self.path)
                    slot = now
                slot = max(slot, now)
                schedule[key] = slot + interval
                # Drop keys whose schedule has passed so the file stays small.
                schedule = {k: v for k, v in schedule.items() if v > now}
                handle.seek(0)
                handle.truncate()
                json.dump(schedule, handle)
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def _read(self, handle: IO[str]) -> dict[str, float]:
        text = handle.read()
        if not text.strip():
            return {}
        try:
            schedule = json.loads(text)
        except ValueError:
            logger.warning("Rate limit schedule in %s is not JSON; starting afresh.", self.path)
            return {}
        if not isinstance(schedule, dict):
            return {}
        return {
            str(k): float(v)
            for k, v in schedule.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }


def default_limiter_path() -> Path:
    """Return the schedule file shared by this user's processes on this host."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"pof-lit-ratelimit-{uid}.json"


def limiter_from_url(redis_url: str | None) -> RateLimiter:
    """Return a Redis limiter for ``redis_url``, or the host's file limiter when it is empty."""
    if redis_url:
        return RedisRateLimiter(redis_url)
    return FileRateLimiter(default_limiter_path())
