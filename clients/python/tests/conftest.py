"""Real parts only: a throw-away redis-server on a free port, the engine under Bun, the Bun workers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import redis

from notify_queue import NotifyQueue

REPO = Path(__file__).resolve().parents[3]
BUN = REPO / "node_modules" / ".bin" / "bun"
ENGINE_HELPER = Path(__file__).resolve().parent / "engine_helper.ts"
# Where packages/testing looks when redis-server is not on PATH.
REDIS_DIRS = ("/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin")


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, message: str = "condition") -> Any:
    """Polls until condition() is truthy and returns its value; never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(0.02)


def redis_binary(name: str = "redis-server") -> str:
    found = shutil.which(name) or next((f"{d}/{name}" for d in REDIS_DIRS if os.path.exists(f"{d}/{name}")), None)
    if not found:
        pytest.fail(f"{name} is not installed (npm test installs it: sudo apt-get install -y redis-server)")
    return found


def free_port(highest: int = 65535) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port <= highest:
            return port


# A cluster node also listens on its port + 10000.
HIGHEST_CLUSTER_PORT = 55535


class RedisServer:
    def __init__(self, extra_args: tuple[str, ...] = ()) -> None:
        self.port = free_port(HIGHEST_CLUSTER_PORT if "--cluster-enabled" in extra_args else 65535)
        self.dir = tempfile.mkdtemp(prefix="notify-py-redis-")
        self.log = Path(self.dir) / "redis.log"
        args = [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        args += ["--save", "", "--appendonly", "no", "--loglevel", "warning", *extra_args]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.url = f"redis://127.0.0.1:{self.port}"
        probe = redis.Redis.from_url(self.url)

        def ready() -> bool:
            if self.process.poll() is not None:
                output = self.log.read_text(errors="replace")[-2000:]
                raise AssertionError(f"redis-server on {self.port} exited with {self.process.returncode}:\n{output}")
            try:
                return bool(probe.ping())
            except redis.ConnectionError:
                return False

        wait_for(ready, 10, f"redis-server on {self.port}")
        probe.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def r(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A clean database of the session's own server (never a shared Redis)."""
    connection = redis.Redis.from_url(redis_server.url, decode_responses=True)
    connection.flushdb()
    yield connection
    connection.close()


@pytest.fixture
def nq(r: redis.Redis) -> NotifyQueue:
    return NotifyQueue(r)


def require_bun() -> None:
    if not BUN.exists():
        pytest.skip(f"{BUN} is missing: run npm install at the repository root")


def engine(command: str, payload: Any, url: str | None = None) -> Any:
    """Runs the engine's side (tests/engine_helper.ts) under Bun and returns its JSON answer."""
    require_bun()
    env = {"PATH": os.environ.get("PATH", ""), **({"REDIS_URL": url} if url else {})}
    done = subprocess.run(
        [str(BUN), str(ENGINE_HELPER), command],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=30,
    )
    if done.returncode != 0:
        raise AssertionError(f"engine helper {command} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout)


class WorkerProcess:
    """A Bun worker as production runs it, with its JSON log lines collected."""

    def __init__(self, kind: str, env: dict[str, str]) -> None:
        require_bun()
        script = REPO / "apps" / "workers" / "src" / f"{kind}-worker.ts"
        self.kind = kind
        self.lines: list[dict[str, Any]] = []
        self.text: list[str] = []
        self.process = subprocess.Popen(
            [str(BUN), str(script)],
            cwd=REPO,
            env={"PATH": os.environ.get("PATH", ""), "LOG_LEVEL": "info", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.text.append(line)
            try:
                parsed = json.loads(line)
            except ValueError:
                continue  # the console provider's output is plain text
            if isinstance(parsed, dict):
                self.lines.append(parsed)

    def output(self) -> str:
        return "".join(self.text)

    def wait_started(self, timeout: float = 30) -> None:
        def started() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.kind} worker exited early:\n{self.output()}")
            return any(line.get("msg") == "worker started" for line in self.lines)

        wait_for(started, timeout, f"{self.kind} worker start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
