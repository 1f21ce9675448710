"""Drive one URL for a bounded time and request count: wrk when installed, else Python.

All load goes to 127.0.0.1. wrk is Debian's package (`apt-get install wrk`); the Python
generator (processes × keep-alive connections) is the fallback and is slower, so with it the
app-to-bare ratios come out compressed; the table says which generator ran.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(frozen=True)
class Result:
    requests: int
    failures: int  # non-2xx/3xx answers, socket errors and timeouts
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def ensure_wrk() -> bool:
    """wrk, installed from Debian's archive if missing and we may (root, apt-get)."""
    if wrk_available():
        return True
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is not installed: apt-get install wrk (else the Python load generator)")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "timeout": 300}
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, env=env, **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, **quiet)
            subprocess.run(install, env=env, **quiet)
    return wrk_available()


def drive(
    request: Request, *, seconds: float, max_requests: int, connections: int, use_wrk: bool
) -> Result:
    """Keep `connections` requests in flight until `seconds` pass or `max_requests` are sent.

    wrk counts whole seconds only, so its runs last max(1, round(seconds)).
    """
    if urlsplit(request.url).hostname != "127.0.0.1":
        raise ValueError("the benchmark only loads 127.0.0.1")
    if use_wrk:
        return _wrk(request, seconds, max_requests, connections)
    return _python(request, seconds, max_requests, connections)


def warm_up(request: Request, *, connections: int, each: int, seconds: float) -> None:
    """A few requests on every connection, from threads here (no processes to start)."""
    if urlsplit(request.url).hostname != "127.0.0.1":
        raise ValueError("the benchmark only loads 127.0.0.1")
    _process(request, connections, each, time.time() + seconds)


# -- wrk ----------------------------------------------------------------------------------

_LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
local budget = {budget}
local answered = 0
function response(status, headers, body)
  answered = answered + 1
  if answered >= budget then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local e = summary.errors
  local line = 'BENCH {{"requests": %d, "us": %d, "failures": %d, "p50": %d, "p99": %d}}\\n'
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(line, summary.requests, summary.duration, failed,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(value: str | bytes) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def _wrk(request: Request, seconds: float, max_requests: int, connections: int) -> Result:
    threads = 1  # two cores are shared with gunicorn and PostgreSQL; one wrk thread keeps up
    headers = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request.headers
    )
    script = _LUA.format(
        method=_lua_string(request.method),
        body=_lua_string(request.body) if request.body else "nil",
        headers=headers,
        budget=max(1, max_requests // threads),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            lua.name,
            request.url,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    # After thread:stop() wrk still waits out -d, so the budget must be a safety bound only.
    if figures["requests"] >= max_requests:
        raise RuntimeError(f"request budget {max_requests} reached: raise it or shorten -d")
    return Result(
        figures["requests"],
        figures["failures"],
        figures["us"] / 1e6,
        figures["p50"] / 1000,
        figures["p99"] / 1000,
    )


# -- Python -------------------------------------------------------------------------------


def _python(request: Request, seconds: float, max_requests: int, connections: int) -> Result:
    processes = min(connections, os.cpu_count() or 2)
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    budget = max(1, max_requests // connections)
    deadline = time.time() + seconds
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.starmap(_process, [(request, n, budget, deadline) for n in shares])
    elapsed = time.monotonic() - started
    latencies = sorted(x for part, _ in parts for x in part)
    failures = sum(failed for _, failed in parts)
    if not latencies:
        return Result(0, failures, elapsed, 0.0, 0.0)
    return Result(len(latencies), failures, elapsed, _pct(latencies, 50), _pct(latencies, 99))


def _pct(ordered: list[float], percent: int) -> float:
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[percent - 1]


def _process(request: Request, connections: int, budget: int, deadline: float):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(connections) as pool:
        parts = list(pool.map(lambda _: _connection(request, budget, deadline), range(connections)))
    return [x for part, _ in parts for x in part], sum(failed for _, failed in parts)


def _connection(request: Request, budget: int, deadline: float) -> tuple[list[float], int]:
    """One keep-alive connection sending the request over and over; latencies in ms."""
    parts = urlsplit(request.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = dict(request.headers)
    latencies, failures = [], 0
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        while len(latencies) + failures < budget and time.time() < deadline:
            began = time.perf_counter()
            try:
                connection.request(request.method, path, body=request.body or None, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failures += 1
                connection.close()
                continue
            if response.status >= 400:
                failures += 1
            else:
                latencies.append((time.perf_counter() - began) * 1000)
    finally:
        connection.close()
    return latencies, failures
