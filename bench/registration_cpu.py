"""Where the CPU goes under bench/registration.py's load, per request.

The same gunicorn, seed and load generator as bench/registration.py; for each
scenario it prints the CPU time (from /proc) that the gunicorn workers and the
PostgreSQL backends of the bench database spent, and the load generator's, per
request (per flow of three requests for the sign-up). On a shared machine
these move less with other load than requests/s do, so they show a change in
the pages' cost where the ratios cannot (bench/README.registration.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_registration \\
        .venv/bin/python bench/registration_cpu.py [--duration 8]
"""

from __future__ import annotations

import argparse
import os
import resource
import signal

import psycopg
import registration as bench

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a backend that ended
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(parent: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[1] == str(parent):
                        found.append(int(name))
            except OSError:
                pass
    return found


def _generator_cpu() -> float:
    # The load generator's processes are reaped when its pool closes.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    env = bench._env()
    url = env["DATABASE_URL"]
    bench.create_database(url)
    bench._seed(env)
    port = bench._free_port()
    server = bench._start_gunicorn(env, port, args.workers)
    admin = psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
    try:
        for scenario in bench.SCENARIOS:
            bench._run(scenario, port, args.users, args.processes, 2.0)  # warm up
        workers = _children(server.pid)
        for scenario in bench.SCENARIOS:
            backends = [row[0] for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [url.rsplit("/", 1)[1]])]
            before = (sum(map(_cpu, workers)), sum(map(_cpu, backends)), _generator_cpu())
            latencies, errors = bench._run(
                scenario, port, args.users, args.processes, args.duration
            )
            after = (sum(map(_cpu, workers)), sum(map(_cpu, backends)), _generator_cpu())
            row = bench._summary(latencies, errors, args.duration)
            per = 3 if scenario == "sign-up" else 1
            unit = "flow" if per == 3 else "request"
            count = max(1, len(latencies))
            ms = [1000 * per * (b - a) / count for a, b in zip(before, after, strict=True)]
            print(f"{scenario:<10} {row['rps']:7.1f} req/s, per {unit}: gunicorn {ms[0]:.2f} ms, "
                  f"PostgreSQL {ms[1]:.2f} ms, load generator {ms[2]:.2f} ms; "
                  f"p99 {row['p99']:.0f} ms, errors {row['errors']:.0f}")
    finally:
        admin.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
