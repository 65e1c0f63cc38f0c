"""Drive concurrent HTTP load at a server on loopback and report latency percentiles.

Run from the repository root against any running server, for example::

    .venv/bin/python bench/httpload.py http://127.0.0.1:8000/api/papers/ --clients 8 --seconds 20

``bench/api_load.py``, ``web_load.py`` and ``notes_http.py`` use it as a library, with
``Gunicorn`` to start the app on the benchmark database. No dependency beyond the standard
library: each simulated client is a thread with its own ``http.client`` connection, kept
alive when the server allows it (gunicorn's sync workers close it after every answer, so
the next request opens a new one, as a browser's would). Every request's latency is
measured from sending it to having read the whole body. A 4xx/5xx answer or a transport
error counts as an error and stays in the latency figures. When Debian's ``wrk`` is
installed, ``--wrk`` runs it on the first URL as a cross-check.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    """One request to send: a path with its query, a method, a body and extra headers."""

    path: str
    method: str = "GET"
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    status: int  # 0 when the request failed before an answer came
    size: int


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class LoadResult:
    """What a load run measured: every sample, the wall time, and the load around it."""

    label: str
    clients: int
    wall: float
    samples: list[Sample] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    # CPU seconds the server's processes used during the run, by name ("app", "db").
    cpu: dict[str, float] = field(default_factory=dict)

    def _ms(self, fraction: float) -> float:
        return 1000 * percentile([s.seconds for s in self.samples], fraction)

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def p50(self) -> float:
        return self._ms(0.50)

    @property
    def p95(self) -> float:
        return self._ms(0.95)

    @property
    def p99(self) -> float:
        return self._ms(0.99)

    @property
    def max(self) -> float:
        return 1000 * max((s.seconds for s in self.samples), default=0.0)

    @property
    def throughput(self) -> float:
        return self.requests / self.wall if self.wall else 0.0

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if not 200 <= s.status < 400)

    @property
    def mean_kib(self) -> float:
        return sum(s.size for s in self.samples) / len(self.samples) / 1024 if self.samples else 0

    def cpu_ms(self, name: str) -> float | None:
        """Return ``name``'s CPU milliseconds per request, or None when it was not probed."""
        if name not in self.cpu or not self.samples:
            return None
        return 1000 * self.cpu[name] / len(self.samples)

    @property
    def load(self) -> str:
        """Return the 1-minute load average before and after the run ("3.1→4.2")."""
        return f"{self.load_before[0]:.1f}→{self.load_after[0]:.1f}"


def _send(connection: http.client.HTTPConnection, target: Target, headers: dict) -> Sample:
    started = time.perf_counter()
    try:
        connection.request(target.method, target.path, body=target.body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        status = response.status
        if response.will_close:
            connection.close()
    except (OSError, http.client.HTTPException):
        connection.close()
        return Sample(time.perf_counter() - started, 0, 0)
    return Sample(time.perf_counter() - started, status, len(body))


def run_load(
    base_url: str,
    targets: Sequence[Target],
    *,
    clients: int,
    seconds: float | None = None,
    requests: int | None = None,
    headers: Mapping[str, str] | None = None,
    label: str = "",
    timeout: float = 60.0,
    cpu_probe: Callable[[], dict[str, float]] | None = None,
) -> LoadResult:
    """Send ``targets`` round-robin from ``clients`` threads for ``seconds`` or ``requests``.

    Each client starts at a different target so the mix is even from the first second.
    A request already sent when the time is up is still waited for and counted.
    ``cpu_probe`` returns the CPU seconds the server's processes have used so far, by
    name; the result keeps what they used during the run, a cost per request that does
    not depend on how busy the machine is.
    """
    if not targets:
        raise ValueError("no targets to send")
    if (seconds is None) == (requests is None):
        raise ValueError("give exactly one of seconds and requests")
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"an http:// URL is needed, not {base_url!r}")
    host, port = parts.hostname, parts.port or 80
    shared_headers = {"Host": f"{host}:{port}", "User-Agent": "pof-lit-bench", **(headers or {})}
    counter = itertools.count()
    lock = threading.Lock()
    samples: list[Sample] = []
    started = time.perf_counter()
    deadline = started + seconds if seconds is not None else None

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        mine: list[Sample] = []
        position = index
        try:
            while True:
                if deadline is not None:
                    if time.perf_counter() >= deadline:
                        break
                elif next(counter) >= requests:
                    break
                target = targets[position % len(targets)]
                position += 1
                mine.append(_send(connection, target, {**shared_headers, **dict(target.headers)}))
        finally:
            connection.close()
            with lock:
                samples.extend(mine)

    load_before = os.getloadavg()
    cpu_before = cpu_probe() if cpu_probe else {}
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = cpu_probe() if cpu_probe else {}
    return LoadResult(
        label=label,
        clients=clients,
        wall=wall,
        samples=samples,
        load_before=load_before,
        load_after=os.getloadavg(),
        cpu={name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after},
    )


def wrk_check(url: str, *, clients: int, seconds: int, headers: Mapping[str, str]) -> str:
    """Run Debian's ``wrk`` on ``url`` and return its latency lines, or say it is missing."""
    wrk = shutil.which("wrk")
    if not wrk:
        return "wrk not installed (apt-get install wrk): cross-check skipped"
    command = [wrk, "-t2", f"-c{clients}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=False).stdout
    return "\n".join(
        line for line in output.splitlines() if line.strip().startswith(("50%", "99%", "Req"))
    )


# --- running the app ----------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds process ``pid`` has used (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The command name may hold spaces; fields after the last ")" start at "state".
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def child_pids(parent: int) -> list[int]:
    """Return the pids of ``parent``'s live child processes."""
    children = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == parent:
                    children.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return children


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """Start ``gunicorn pof_lit.wsgi`` on a free loopback port; stop it on exit.

    Only the process started here is ever signalled, by its own pid.
    """

    def __init__(self, env: Mapping[str, str], *, workers: int = 3) -> None:
        self.env = dict(env)
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = Path(f"/tmp/pof_lit_bench_gunicorn_{self.port}.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """Return the CPU seconds the master and its live workers have used."""
        if self.process is None:
            return 0.0
        pids = [self.process.pid, *child_pids(self.process.pid)]
        return sum(process_cpu_seconds(pid) for pid in pids)

    def __enter__(self) -> Gunicorn:
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "pof_lit.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited at start-up:\n{self.log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not answer /healthz within {timeout:.0f} s")

    def __exit__(self, *exc_info: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- reporting ------------------------------------------------------------------------------


def _numeric(cell: object) -> bool:
    text = str(cell).replace(",", "").replace(" ms", "").strip()
    try:
        float(text)
    except ValueError:
        return False
    return True


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a Markdown table; columns holding only numbers are right-aligned."""
    right = [bool(rows) and all(_numeric(row[i]) for row in rows) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if flag else "---" for flag in right) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


LOAD_HEADERS = (
    "Request",
    "Clients",
    "Requests",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "req/s",
    "Errors",
    "KiB",
    "App CPU ms/req",
    "DB CPU ms/req",
    "Load (1 min)",
    "Target p95",
)


def load_row(result: LoadResult, *, target_ms: float | None) -> list[object]:
    """Return one table row for ``result``, judging its p95 against ``target_ms``."""
    if target_ms is None:
        verdict = ""
    elif result.errors:
        verdict = f"{target_ms:.0f} ms: errors"
    else:
        verdict = f"{target_ms:.0f} ms: {'met' if result.p95 < target_ms else 'MISSED'}"
    return [
        result.label,
        result.clients,
        result.requests,
        f"{result.p50:.1f}",
        f"{result.p95:.1f}",
        f"{result.p99:.1f}",
        f"{result.max:.0f}",
        f"{result.throughput:.1f}",
        result.errors,
        f"{result.mean_kib:.0f}",
        _cpu_cell(result, "app"),
        _cpu_cell(result, "db"),
        result.load,
        verdict,
    ]


def _cpu_cell(result: LoadResult, name: str) -> str:
    value = result.cpu_ms(name)
    return "-" if value is None else f"{value:.1f}"


def iter_statuses(result: LoadResult) -> Iterator[tuple[int, int]]:
    """Yield (status, how many) in ascending status order."""
    counts: dict[int, int] = {}
    for sample in result.samples:
        counts[sample.status] = counts.get(sample.status, 0) + 1
    yield from sorted(counts.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="http:// URLs on one server, sent round-robin")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=None, help="run this long")
    parser.add_argument("--requests", type=int, default=None, help="or send this many")
    parser.add_argument("--header", action="append", default=[], help='"Name: value"')
    parser.add_argument("--wrk", action="store_true", help="cross-check with wrk if installed")
    options = parser.parse_args()
    if options.seconds is None and options.requests is None:
        options.seconds = 10.0
    base = urlsplit(options.urls[0])
    for url in options.urls:
        if urlsplit(url).netloc != base.netloc:
            parser.error("every URL must be on the same host and port")
    targets = []
    for url in options.urls:
        parts = urlsplit(url)
        targets.append(
            Target(path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        )
    headers = dict(h.split(":", 1) for h in options.header)
    headers = {name.strip(): value.strip() for name, value in headers.items()}
    result = run_load(
        f"{base.scheme}://{base.netloc}",
        targets,
        clients=options.clients,
        seconds=options.seconds,
        requests=options.requests,
        headers=headers,
        label=", ".join(t.path for t in targets)[:80],
    )
    print(markdown_table(LOAD_HEADERS, [load_row(result, target_ms=None)]))
    print("statuses: " + ", ".join(f"{status}: {n}" for status, n in iter_statuses(result)))
    if options.wrk:
        print(wrk_check(options.urls[0], clients=options.clients, seconds=10, headers=headers))
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
