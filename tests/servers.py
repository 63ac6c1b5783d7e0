"""Helpers for tests that need a running `jakkg serve` or a private Virtuoso (not a test file)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_VIRTUOSO = ROOT / "scripts" / "start_virtuoso.sh"
VIRTUOSO_T = "/usr/bin/virtuoso-t"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")


_REASONED: dict[str, Path] = {}


def reasoned_store(tmp_path_factory, store_path) -> Path:
    """A copy of the session store after `jakkg reason` (some shipped queries read the
    inferred graph); made once per session."""
    key = str(store_path)
    if key not in _REASONED:
        path = tmp_path_factory.mktemp("reasoned-store") / "store"
        shutil.copytree(store_path, path)
        r = subprocess.run([sys.executable, "-m", "jakkg", "reason", "--store", str(path)],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert r.returncode == 0, r.stderr
        _REASONED[key] = path
    return _REASONED[key]


def free_ports(n: int = 1) -> list[int]:
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def alive(pid: int) -> bool:
    """True if pid exists and is not a zombie (an init that reaps lazily leaves zombies)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


@contextmanager
def running_server(store_path, **settings):
    """`jakkg serve` (the real app under uvicorn) in a background thread on a free port."""
    import uvicorn

    from jakkg.server import Settings, create_app

    app = create_app(Settings(Path(store_path), **settings))
    port = free_ports(1)[0]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("jakkg serve did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def serve_process(store_path, *options: str):
    """`jakkg serve` as its own process (the CLI, as a user runs it) on a free port; yields
    (url, Popen). Stopped with SIGTERM, and its query workers must be gone afterwards."""
    import httpx
    port = free_ports(1)[0]
    proc = subprocess.Popen([sys.executable, "-m", "jakkg", "serve", "--store", str(store_path),
                             "--port", str(port), *options],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"jakkg serve exited: {proc.stderr.read()[-2000:]}")
        try:
            if httpx.get(url + "/health", timeout=1, trust_env=False).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("jakkg serve did not start")
        time.sleep(0.1)
    try:
        yield url, proc
    finally:
        workers = children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()
        leftover = [p for p in workers if alive(p)]
        assert leftover == [], f"query workers left running after shutdown: {leftover}"


def children(pid: int) -> list[int]:
    """Child processes of pid (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


class Virtuoso:
    """A private Virtuoso started by scripts/start_virtuoso.sh (127.0.0.1, free ports)."""

    def __init__(self, dbdir: Path):
        self.dbdir = dbdir
        self.sql_port, self.http_port = free_ports(2)
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.sparql = self.base + "/sparql"
        self.gsp = self.base + "/sparql-graph-crud-auth"   # Digest auth, dba/dba
        self.pid: int | None = None

    def start(self) -> None:
        r = subprocess.run(["bash", str(START_VIRTUOSO), str(self.dbdir), str(self.sql_port),
                            str(self.http_port), "120"], capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError(f"virtuoso did not start: {r.stderr[-2000:]}")
        self.pid = int((self.dbdir / "virtuoso.pid").read_text())

    def stop(self) -> None:
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(100):
            if not alive(self.pid):
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
