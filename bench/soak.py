"""A soak: two `stackgate serve` and two `stackgate worker` processes on PostgreSQL take 10,000
mixed GitHub deliveries over many pull requests while one worker is SIGKILLed and restarted
every 30 s. Checks every job done once (or superseded), each PR's jobs in order, no lock left
behind, and prints each process's RSS at start and end (memory should stay flat).

Bounded in count and time: BENCH_SOAK_DELIVERIES (10000), BENCH_SOAK_SECONDS for sending
(1200), BENCH_SOAK_KILL_EVERY (30), BENCH_SOAK_OPEN (PRs open at once, 40).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import cycle, pairwise
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.background import free_port
from app.store.database import open_store
from app.store.tables import Job, Lock
from tests.apply.cloud import KEY, SECRET, sandbox_process
from tests.fakes.base import Delivery
from tests.fakes.github import GitHubFake
from tests.pgserver import postgres_server
from tests.scenarios.harness import example_files

REPO = "acme/infra"
HOOK_SECRET = "soak-hook-secret"
PEOPLE = ("bob", "carol", "lee", "pat", "dave")
# project file → a line whose labels a PR changes (a real update) or only a YAML comment
EDITS = {
    "projects/payments.yaml": "role: bastion}",
    "projects/analytics.yaml": "role: etl}",
    "projects/search/compute.yaml": "role: search-node}",
}


SETTLED_IN = 5.0  # seconds after its start a process's RSS counts as its starting point


@dataclass(frozen=True)
class Limits:
    deliveries: int = int(os.environ.get("BENCH_SOAK_DELIVERIES", "10000"))
    seconds: float = float(os.environ.get("BENCH_SOAK_SECONDS", "1200"))
    kill_every: float = float(os.environ.get("BENCH_SOAK_KILL_EVERY", "30"))
    open_prs: int = int(os.environ.get("BENCH_SOAK_OPEN", "40"))


@dataclass
class Proc:
    name: str
    args: list[str]
    process: subprocess.Popen[bytes]
    start_rss: int = 0
    restarts: int = 0
    born: float = field(default_factory=time.monotonic)


@dataclass
class Fleet:
    """The four processes, started and restarted with one environment and one log each."""

    env: dict[str, str]
    logs: Path
    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, *args: str) -> Proc:
        proc = Proc(name, list(args), self._spawn(name, list(args)))
        self.procs.append(proc)
        return proc

    def restart(self, proc: Proc) -> None:
        proc.process.kill()  # SIGKILL: no goodbye, its running job is left to the lease
        proc.process.wait()
        proc.process, proc.restarts = self._spawn(proc.name, proc.args), proc.restarts + 1
        proc.start_rss, proc.born = 0, time.monotonic()

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "app", *args]
        with (self.logs / f"{name}.log").open("ab") as output:  # the child keeps its own copy
            return subprocess.Popen(command, env=self.env, stdout=output, stderr=subprocess.STDOUT)

    def sample(self) -> None:
        """Each process's first RSS once it has settled in (imports done, serving)."""
        for proc in self.procs:
            if not proc.start_rss and time.monotonic() - proc.born > SETTLED_IN:
                proc.start_rss = rss(proc.process.pid)

    def stop(self) -> dict[str, tuple[int, int, int]]:
        ends = {p.name: (p.start_rss, rss(p.process.pid), p.restarts) for p in self.procs}
        for proc in self.procs:
            proc.process.terminate()
        for proc in self.procs:
            proc.process.wait(timeout=30)
        return ends


def rss(pid: int) -> int:
    """Resident memory of ``pid`` in bytes (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) * 1024


class Traffic:
    """Many PRs, each opened, pushed to, approved, commented on, labelled and closed."""

    def __init__(self, fake: GitHubFake, limits: Limits, seed: int = 20261206) -> None:
        self.fake, self.limits, self.chance = fake, limits, random.Random(seed)
        self.open: dict[int, tuple[str, str]] = {}  # PR number → the file it edits, its author
        self.rounds: Counter[int] = Counter()

    def deliveries(self, time_is_up: Callable[[], bool]) -> Iterator[Delivery]:
        sent = 0
        while sent < self.limits.deliveries and not time_is_up():
            yield self._next(sent)
            sent += 1
        for number in sorted(self.open):  # every PR ends closed: its locks must go
            yield self.fake.close(REPO, number, merged=False)

    def _next(self, sent: int) -> Delivery:
        left = self.limits.deliveries - sent
        if not self.open or (len(self.open) < self.limits.open_prs and self._roll(0.15)):
            return self._open()
        number = self.chance.choice(sorted(self.open))
        if left <= len(self.open) or self._roll(0.08):  # close, so every PR ends closed
            del self.open[number]
            return self.fake.close(REPO, number, merged=False)
        return self._step(number)

    def _open(self) -> Delivery:
        path = self.chance.choice(sorted(EDITS))
        author = self.chance.choice(PEOPLE[:2])
        number, delivery = self.fake.open_pr(REPO, author, self._change(path, 0))
        self.open[number] = (path, author)
        return delivery

    def _step(self, number: int) -> Delivery:
        path, author = self.open[number]
        who = self.chance.choice([person for person in PEOPLE if person != author])
        kind = self.chance.choices(["push", "approve", "comment", "label"], [4, 3, 2, 1])[0]
        if kind == "push":
            self.rounds[number] += 1
            return self.fake.push(REPO, number, self._change(path, self.rounds[number]), author)
        if kind == "approve":
            return self.fake.approve(REPO, number, who)
        if kind == "comment":
            body = "/stackgate plan" if self._roll(0.5) else "looks fine to me"
            return self.fake.comment(REPO, number, who, body)[1]
        return self.fake.label(REPO, number, who, "soak", on=self._roll(0.5))

    def _change(self, path: str, round_: int) -> dict[str, bytes | None]:
        text, line = example_files()[path].decode(), EDITS[path]
        if self._roll(0.5):  # a real change: one label more on one machine
            text = text.replace(line, line[:-1] + f", soak: '{round_}'}}", 1)
        return {path: (text + f"# soak round {round_}\n").encode()}

    def _roll(self, share: float) -> bool:
        return self.chance.random() < share


def _sign(delivery: Delivery) -> dict[str, str]:
    digest = hmac.new(HOOK_SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
    return {**delivery.headers, "X-Hub-Signature-256": f"sha256={digest}"}


def _settle(sessions: sessionmaker[Session], seconds: float, fleet: Fleet) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fleet.sample()
        with sessions() as session:
            busy = session.scalars(select(Job.id).where(Job.state.in_(("queued", "running"))))
            if busy.first() is None:
                return
        time.sleep(1)
    raise SystemExit("soak: the queue did not settle in time")


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"soak: {base} did not get ready")


def _done_lines(logs: Path) -> Counter[int]:
    """How often each job was logged done, over every worker process that ever ran."""
    done: Counter[int] = Counter()
    for log in logs.glob("worker-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"job done' in line:
                done[int(json.loads(line)["job"])] += 1
    return done


def _check(jobs: list[Job], locks: list[Lock], done: Counter[int]) -> list[str]:
    problems = []
    states = Counter(job.state for job in jobs)
    if set(states) - {"done", "superseded"}:
        problems.append(f"jobs not done: {dict(states)}")
    twice = {job.id for job in jobs if job.state == "done" and done[job.id] != 1}
    if twice:
        problems.append(
            f"{len(twice)} done jobs not logged done exactly once: {sorted(twice)[:10]}"
        )
    if any(done[job.id] for job in jobs if job.state == "superseded"):
        problems.append("a superseded job ran")
    by_pr: dict[int, list[Job]] = {}
    for job in sorted(jobs, key=lambda j: j.id):
        if job.state == "done":
            by_pr.setdefault(job.number, []).append(job)
    for number, mine in by_pr.items():
        for before, after in pairwise(mine):
            if after.claimed_at and before.finished_at and after.claimed_at < before.finished_at:
                problems.append(f"PR {number}: job {after.id} began before job {before.id} ended")
    if locks:
        problems.append(f"{len(locks)} locks left behind")
    return problems


def run(limits: Limits) -> list[str]:
    """The soak; returns the problems found (none is a pass)."""
    with ExitStack() as stack:
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stackgate-soak-")))
        database = stack.enter_context(postgres_server())
        cloud = stack.enter_context(sandbox_process(logs / "cloud.json"))
        fake = GitHubFake().start()
        stack.callback(fake.stop)
        fake.create_repo(REPO, example_files())
        for user in PEOPLE:
            fake.grant(REPO, user, write=True)
        for group, member in (("payments-leads", "lee"), ("platform", "pat")):
            fake.add_group(REPO, group, [member])
        fake.add_group(REPO, "data-platform", ["dave"])
        fake.add_group(REPO, "search-team", ["carol"])
        env = {
            **os.environ,
            "STACKGATE_DATABASE_URL": database,
            "STACKGATE_GITHUB_API_URL": fake.api_url,
            "STACKGATE_GITHUB_TOKEN": fake.token,
            "STACKGATE_GITHUB_WEBHOOK_SECRET": HOOK_SECRET,
            "STACKGATE_CLOUDSTACK_URL": f"{cloud}/client/api",
            "STACKGATE_CLOUDSTACK_API_KEY": KEY,
            "STACKGATE_CLOUDSTACK_SECRET_KEY": SECRET,
            "STACKGATE_WORKER_THREADS": "0",
            "STACKGATE_JOB_LEASE": "6",  # a killed worker's job is taken over within seconds
            "STACKGATE_LOG_FORMAT": "json",  # the check reads each worker's "job done" lines
        }
        fleet = Fleet(env, logs)
        ports = [free_port(0), free_port(0)]
        for n, port in enumerate(ports):
            fleet.start(f"serve-{n}", "serve", "--port", str(port))
        victim = fleet.start("worker-0", "worker", "--threads", "2")
        fleet.start("worker-1", "worker", "--threads", "2")
        servers = cycle([f"http://127.0.0.1:{port}" for port in ports])
        for port in ports:
            _wait_ready(f"http://127.0.0.1:{port}")
        time.sleep(SETTLED_IN)
        fleet.sample()
        sessions = open_store(database)
        stack.callback(sessions.kw["bind"].dispose)
        answers: Counter[int] = Counter()
        started = next_kill = time.monotonic()
        next_kill += limits.kill_every
        traffic = Traffic(fake, limits).deliveries(
            lambda: time.monotonic() - started > limits.seconds
        )
        with httpx.Client(timeout=30) as http:
            for delivery in traffic:
                answer = http.post(
                    next(servers) + delivery.path, content=delivery.body, headers=_sign(delivery)
                )
                answers[answer.status_code] += 1
                if time.monotonic() >= next_kill:
                    fleet.restart(victim)
                    next_kill += limits.kill_every
                fleet.sample()
        sending = time.monotonic() - started
        _settle(sessions, 600, fleet)
        ends = fleet.stop()
        with sessions() as session:
            jobs = list(session.scalars(select(Job)))
            locks = list(session.scalars(select(Lock)))
        problems = _check(jobs, locks, _done_lines(logs))
        if set(answers) - {200, 202}:
            problems.append(f"answers: {dict(answers)}")
        _report(answers, jobs, sending, ends, problems)
        return problems


def _report(
    answers: Counter[int],
    jobs: list[Job],
    sending: float,
    ends: dict[str, tuple[int, int, int]],
    problems: list[str],
) -> None:
    states = Counter(job.state for job in jobs)
    retried = sum(job.attempts > 1 for job in jobs)
    print(f"soak: {sum(answers.values())} deliveries in {sending:.0f}s, answers {dict(answers)}")
    print(f"soak: {len(jobs)} jobs {dict(states)}, {retried} run again after a kill or outage")
    for name, (start, end, restarts) in ends.items():
        again = f" (restarted {restarts} times; since its last start)" if restarts else ""
        first = f"{start / 2**20:.0f} MiB" if start else "(not settled in yet)"
        print(f"soak: {name} RSS {first} → {end / 2**20:.0f} MiB{again}")
    print(
        "soak: " + ("; ".join(problems) if problems else "every job once, in order, no lock left")
    )


def main() -> None:
    if run(Limits()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
