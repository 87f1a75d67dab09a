"""Timing and memory helpers shared by the benchmarks."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    seconds: float  # best of the runs: the least disturbed by a noisy machine
    peak_bytes: int


def measure(work: Callable[[], object], runs: int = 3) -> Measured:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measured(min(times), peak)


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"
