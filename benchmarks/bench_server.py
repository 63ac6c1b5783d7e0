"""Throughput and latency of `jakkg serve` (run by hand, not in CI):

    python benchmarks/bench_server.py [--store .jakkg/store] [--requests 500] [--concurrency 8] [--workers 2]

Fires the shipped query 01 over HTTP (POST application/sparql-query, JSON results) and prints
requests/s and latency percentiles; then measures /health while a runaway query occupies a
worker until the time limit stops it.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import running_server  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


async def load(url: str, query: str, n: int, concurrency: int) -> list[float]:
    sem = asyncio.Semaphore(concurrency)
    lat: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=60, trust_env=False) as c:
        async def one():
            async with sem:
                t0 = time.perf_counter()
                r = await c.post("/sparql", content=query,
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
                r.raise_for_status()
                lat.append(time.perf_counter() - t0)
        await asyncio.gather(*[one() for _ in range(n)])
    return lat


async def health_during_runaway(url: str) -> tuple[list[float], int]:
    async with httpx.AsyncClient(base_url=url, timeout=60, trust_env=False) as c:
        task = asyncio.create_task(c.get("/sparql", params={"query": RUNAWAY}))
        lat = []
        while not task.done():
            t0 = time.perf_counter()
            await c.get("/health")
            lat.append(time.perf_counter() - t0)
            await asyncio.sleep(0.05)
        return lat, (await task).status_code


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default=str(ROOT / ".jakkg" / "store"))
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()
    query = (ROOT / "queries" / "01-courses-per-combined-drug.rq").read_text()
    with running_server(a.store, workers=a.workers, timeout=a.timeout) as (url, _app):
        asyncio.run(load(url, query, 20, a.concurrency))          # warm up
        t0 = time.perf_counter()
        lat = asyncio.run(load(url, query, a.requests, a.concurrency))
        wall = time.perf_counter() - t0
        lat.sort()
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000  # noqa: E731
        print(f"query 01: {a.requests} requests, concurrency {a.concurrency}, {a.workers} workers: "
              f"{a.requests / wall:.0f} req/s; latency p50 {q(0.5):.1f} ms, p95 {q(0.95):.1f} ms, "
              f"max {lat[-1] * 1000:.1f} ms")
        hl, status = asyncio.run(health_during_runaway(url))
        print(f"/health during a runaway query (stopped after {a.timeout:g} s with HTTP {status}): "
              f"{len(hl)} checks, median {statistics.median(hl) * 1000:.1f} ms, max {max(hl) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
