"""Load on loopback (issue 8): 100 locust users for 60 s against gunicorn, on a scratch
database holding the demo province.

    .venv/bin/python bench/load/run.py [--users 100] [--seconds 60] [--workers 4]

Creates (once) the database ``bench_load`` on the embedded cluster, migrates it and loads
the demo there (``manage.py load_demo``), adds one permit officer and one planner, starts
gunicorn as bench/tiles/run.py does (its own tile cache folder), runs
bench/load/locustfile.py headless and prints throughput, p50/p95 and errors, overall and per
endpoint. Target: 0 errors, p95 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.server import start_gunicorn  # noqa: E402

PORT = 8711
DB_NAME = "bench_load"


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def scratch_database(env: dict[str, str]) -> None:
    """bench_load on the embedded cluster, with the demo loaded once."""
    from gis import pgcluster

    cluster = pgcluster.ensure_running()
    exists = pgcluster._psql(cluster, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'")  # noqa: S608
    if exists != "1":
        pgcluster._psql(cluster, f'CREATE DATABASE "{DB_NAME}"')
    manage(env, "migrate", "--no-input", "-v", "0")
    marker = cluster.var_dir / f".{DB_NAME}-demo"
    if not marker.exists():
        print("loading the demo province into", DB_NAME, "(once)…")
        started = time.perf_counter()
        manage(env, "load_demo", "-v", "0")
        print(f"  done in {time.perf_counter() - started:.0f} s")
        marker.touch()


def accounts_and_data(env: dict[str, str]) -> dict[str, str]:
    """A permit officer and a planner with fresh passwords; the demo's extent and parcels."""
    script = """
import secrets
from django.contrib.auth.models import Group, User
from layers.models import LandParcel
from tiles.seeding import data_extent
out = []
for name, role in (("bench_officer", "permit_officer"), ("bench_planner", "planner")):
    user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": True})
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    out.append(f"{name}:{password}")
ids = list(LandParcel.objects.order_by("?").values_list("pk", flat=True)[:300])
print("|".join(out))
print(",".join(str(v) for v in data_extent()))
print(",".join(str(v) for v in ids))
"""
    lines = manage(env, "shell", "-c", script).strip().splitlines()[-3:]
    officer, planner = lines[0].split("|")
    return {
        "BENCH_OFFICER": officer,
        "BENCH_PLANNER": planner,
        "BENCH_EXTENT": lines[1],
        "BENCH_PARCELS": lines[2],
    }


def report(prefix: Path) -> None:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    print(f"{'endpoint':<32} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6}")
    for row in rows:
        name = "ALL" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{name[:32]:<32} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>5}ms {row['95%']:>5}ms"
        )
    total = rows[-1]
    verdict = (
        "met" if int(total["Failure Count"]) == 0 and float(total["95%"]) <= 300 else "NOT met"
    )
    print(f"target (0 errors, p95 ≤ 300 ms): {verdict}")
    with open(f"{prefix}_failures.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            print(
                f"  failure: {row['Method']} {row['Name']}: {row['Error']} × {row['Occurrences']}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "QUYHOACH_DB_NAME": DB_NAME,
        "TILE_CACHE_DIR": str(work / "tiles"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
    scratch_database(env)
    env.update(accounts_and_data(env))
    # Idle connections kept longer than a locust user waits between tasks (≤ 5 s): with
    # gunicorn's 2 s default, the server closes a connection just as the client reuses it,
    # and that race shows up as resets (nginx in front avoids it in production).
    app = start_gunicorn(env, PORT, workers=args.workers, extra=["--keep-alive", "10"])
    try:
        prefix = work / "locust"
        print(f"{args.users} users for {args.seconds} s on loopback, gunicorn {args.workers}×4:")
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py")]
            + ["--headless", "-u", str(args.users), "-r", str(max(1, args.users // 10))]
            + ["-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{PORT}"]
            + ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        report(prefix)
    finally:
        app.terminate()
        app.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
