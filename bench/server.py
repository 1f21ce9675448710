"""gunicorn on 127.0.0.1, started and stopped by the benchmark (never left running)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from bench.env import ROOT


@dataclass(frozen=True)
class Layout:
    """The same for the app and the bare endpoint, so only the work per request differs.

    The production layout: with Telnyx a search or a purchase waits hundreds of ms on the
    network, and threads keep that wait from idling a whole worker; 4 × 4 = 16 requests in
    flight also serve the purchase test's 20 clients together. Two workers per core keep both
    cores busy. The price, on CPU-heavy rows (the list at 1,000), is GIL contention: one
    thread per worker measured some 20-40% faster there (`--threads 1` to see it).
    """

    workers: int = 4
    threads: int = 4

    def describe(self) -> str:
        return f"gunicorn -w {self.workers} -k gthread --threads {self.threads}"


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def workers_cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by this gunicorn's worker processes."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that just ended
            if int(fields[1]) == self.pid:  # ppid
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    app_spec: str, env: dict[str, str], layout: Layout, log: Path, ready_path: str = "/"
) -> Iterator[Server]:
    """Serve app_spec (e.g. "wsgi:app") until the block ends; yields it once it answers."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(layout.workers),
        "--worker-class", "gthread",
        "--threads", str(layout.threads),
        "--log-level", "warning",
        "--error-logfile", str(log),
        app_spec,
    ]  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base + ready_path, log)
        yield Server(base, process.pid)
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen, url: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        try:
            with urlopen(url, timeout=2):
                return
        except URLError as error:
            if getattr(error, "code", None):  # an HTTP error status: it is serving
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f}s:\n{tail(log)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
