"""A bounded load test of the web app: 2,000 requests, 20 at a time, mixed pages and API, against
`adjudicator serve` (uvicorn, one process) on a seeded database; errors, requests/s, p50/p99
latency and the server's resident memory (RSS) before, at its peak and after.

Run by hand (it prints a table; nothing here is a test):

    python bench/bench_web_load.py                                     # SQLite
    python bench/bench_web_load.py --pg postgresql://postgres@127.0.0.1:5432/test
    python bench/bench_web_load.py --requests 500 --concurrency 10

The database is the web tests' seeded county (tests/e2e/webworld.py: pended claims, verifiers'
assignments, an officer per township). The mix, in turn: the officer's pend queue, a
decision, notices, the summary figures and `me` through the API with a bearer token; the
pend queue, a claim and the report pages with a browser session; the login page (signed
out). Any answer other than 200 counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_import import pg_schema

API = ["/api/v1/pended", "/api/v1/claims/P1/decision", "/api/v1/notices",
       "/api/v1/report/summary", "/api/v1/me"]
PAGES = ["/officer/pending", "/officer/claims/P2", "/officer/report", "/login"]


def seed(url: str) -> None:
    from adjudicator.services.users import add_user, bootstrap_admin
    from adjudicator.storage.context import Context, connect
    from tests.e2e.webworld import seed_world

    engine, factory = connect(url)
    system = Context(engine, factory, "system", "admin")
    bootstrap_admin(system, "admin", "管理员")
    admin = system.as_user("admin")
    for user_id, role in [("sup", "supervisor"), ("off", "officer"), ("off2", "officer"),
                          ("aud", "auditor"), ("v1", "verifier"), ("v2", "verifier")]:
        add_user(admin, user_id, role, user_id.upper())
    seed_world(admin)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else 0.0


class RssWatch(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.1)


async def sign_in(base: str) -> tuple[dict[str, str], httpx.Cookies]:
    async with httpx.AsyncClient(base_url=base) as client:
        token = (await client.post("/api/v1/auth/token", json={
            "username": "off", "password": "correct-horse-42"})).json()["access_token"]
        page = await client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        done = await client.post("/login", data={"username": "off",
                                                  "password": "correct-horse-42",
                                                  "csrf_token": csrf.group(1)})
        assert done.status_code == 303, done.status_code
        return {"Authorization": f"Bearer {token}"}, client.cookies


async def load(base: str, total: int, concurrency: int) -> dict[str, Any]:
    bearer, cookies = await sign_in(base)
    plan = [(API[i // 2 % len(API)], True) if i % 2 == 0 else (PAGES[i // 2 % len(PAGES)], False)
            for i in range(total)]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=concurrency)
    queue: asyncio.Queue[tuple[str, bool]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as api, \
            httpx.AsyncClient(base_url=base, limits=limits, timeout=60,
                              cookies=cookies) as browser:

        async def worker() -> None:
            while not queue.empty():
                path, is_api = queue.get_nowait()
                start = time.perf_counter()
                try:
                    response = await (api.get(path, headers=bearer) if is_api
                                      else api.get(path) if path == "/login"
                                      else browser.get(path))
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies.append(time.perf_counter() - start)
                if status != "200":
                    key = f"{path} {status}"
                    errors[key] = errors.get(key, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {"elapsed": elapsed, "errors": errors, "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], "n": len(latencies)}


def run(url: str, label: str, total: int, concurrency: int) -> None:
    seed(url)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--db", url, "--port", str(port),
             "--documents-dir", f"{tmp}/documents", "--evidence-dir", f"{tmp}/evidence"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(base + "/login", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            before = rss_mb(server.pid)
            watch = RssWatch(server.pid)
            watch.start()
            result = asyncio.run(load(base, total, concurrency))
            watch.stop.set()
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    errors = sum(result["errors"].values())
    print(f"| {label} | {result['n']:,} | {concurrency} | {errors} | "
          f"{result['n'] / result['elapsed']:.0f} | {result['p50'] * 1000:.0f} | "
          f"{result['p99'] * 1000:.0f} | {before:.0f} / {watch.peak:.0f} / {after:.0f} |")
    for key, count in sorted(result["errors"].items()):
        print(f"    error: {key} x{count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", help="PostgreSQL URL (a fresh schema is made and dropped)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    print("| database | requests | at once | errors | req/s | p50 ms | p99 ms | "
          "server RSS MB before / peak / after |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    if args.pg:
        url, drop = pg_schema(args.pg)
        try:
            run(url, "PostgreSQL", args.requests, args.concurrency)
        finally:
            drop()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/load.db", "SQLite", args.requests, args.concurrency)


if __name__ == "__main__":
    main()
