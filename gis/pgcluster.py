"""The project's own PostgreSQL + PostGIS cluster under ``var/`` (Unix socket only).

Used when ``DATABASE_URL`` is not set: ``manage.py``, the WSGI app and the test run call
``ensure_running()``, which creates the cluster on first use and starts it when it is down.
When invoked as root the server runs as the ``postgres`` system user (PostgreSQL refuses
to run as root); otherwise as the invoking user.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "quyhoach"
DB_USER = "quyhoach"
# Linux limits a socket path to 107 bytes; fall back to a short folder in /tmp.
_MAX_SOCKET_DIR = 80


class ClusterError(RuntimeError):
    """The embedded cluster could not be created or started."""


@dataclass(frozen=True)
class Cluster:
    var_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.var_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        return self.var_dir / "log" / "postgresql.log"

    @property
    def socket_dir(self) -> Path:
        preferred = self.var_dir / "run"
        if len(str(preferred)) <= _MAX_SOCKET_DIR:
            return preferred
        digest = hashlib.sha1(str(self.var_dir).encode(), usedforsecurity=False).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"quyhoach-{digest}"

    def settings(self) -> dict[str, str]:
        """Django DATABASES entry parts for this cluster."""
        # QUYHOACH_DB_NAME: another database on the same cluster (a child process of the
        # test run uses the test database this way).
        name = os.environ.get("QUYHOACH_DB_NAME", DB_NAME)
        return {"HOST": str(self.socket_dir), "NAME": name, "USER": DB_USER}


def default_cluster() -> Cluster:
    return Cluster(Path(os.environ.get("QUYHOACH_VAR_DIR", BASE_DIR / "var")).resolve())


def _bin_dir() -> Path:
    """The Debian PostgreSQL server binaries (postgresql-15; newer majors also accepted)."""
    for major in ("15", "16", "17"):
        candidate = Path(f"/usr/lib/postgresql/{major}/bin")
        if (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise ClusterError(
        "PostgreSQL server binaries not found: install postgresql-15 and "
        "postgresql-15-postgis-3 (make does this), or set DATABASE_URL."
    )


def _server_user() -> str | None:
    """The system user the server runs as: None means the current user."""
    if os.geteuid() != 0:
        return None
    return "postgres"


def _run(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    user = _server_user()
    if user:
        args = ["runuser", "-u", user, "--", *args]
    return subprocess.run(args, check=check, capture_output=True, text=True)  # noqa: S603


def _chown_for_server(*paths: Path) -> None:
    user = _server_user()
    if not user:
        return
    entry = pwd.getpwnam(user)
    for path in paths:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _ensure_traversable(path: Path) -> None:
    """The server user must be able to reach var/ (it is not the owner when we are root)."""
    if not _server_user():
        return
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)


def is_running(cluster: Cluster) -> bool:
    if not (cluster.data_dir / "PG_VERSION").exists():
        return False
    result = _run([str(_bin_dir() / "pg_ctl"), "status", "-D", str(cluster.data_dir)], check=False)
    return result.returncode == 0


def _initdb(cluster: Cluster) -> None:
    cluster.var_dir.mkdir(parents=True, exist_ok=True)
    _ensure_traversable(cluster.var_dir)
    for path in (cluster.data_dir, cluster.log_file.parent, cluster.socket_dir):
        path.mkdir(parents=True, exist_ok=True)
        _chown_for_server(path)
    os.chmod(cluster.data_dir, 0o700)
    _run(
        [
            str(_bin_dir() / "initdb"),
            "-D",
            str(cluster.data_dir),
            "-U",
            DB_USER,
            "--auth=trust",  # socket only, in a folder only the owner (and root) can enter
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
    )
    conf = cluster.data_dir / "postgresql.auto.conf"
    with conf.open("a") as fh:
        fh.write(
            "listen_addresses = ''\n"
            f"unix_socket_directories = '{cluster.socket_dir}'\n"
            "unix_socket_permissions = 0700\n"
            "max_connections = 200\n"
            "shared_buffers = '512MB'\n"
            "work_mem = '32MB'\n"
            "maintenance_work_mem = '256MB'\n"
            "fsync = on\n"
            "synchronous_commit = off\n"
            "jit = off\n"
        )
    _chown_for_server(conf)


def _start(cluster: Cluster) -> None:
    for path in (cluster.socket_dir, cluster.log_file.parent):
        path.mkdir(parents=True, exist_ok=True)
        _chown_for_server(path)
    os.chmod(cluster.socket_dir, 0o700)
    result = _run(
        [
            str(_bin_dir() / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(cluster.data_dir),
            "-l",
            str(cluster.log_file),
            "-o",
            f"-k {cluster.socket_dir}",
        ],
        check=False,
    )
    if result.returncode != 0:
        tail = (
            cluster.log_file.read_text(errors="replace")[-2000:]
            if cluster.log_file.exists()
            else ""
        )
        raise ClusterError(f"pg_ctl start failed: {result.stderr.strip()}\n{tail}")


def _psql(cluster: Cluster, sql: str, dbname: str = "postgres") -> str:
    psql = _bin_dir() / "psql"
    result = subprocess.run(  # noqa: S603
        [str(psql), "-h", str(cluster.socket_dir), "-U", DB_USER, "-d", dbname, "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def _ensure_database(cluster: Cluster) -> None:
    exists = _psql(cluster, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'")  # noqa: S608
    if exists != "1":
        _psql(cluster, f'CREATE DATABASE "{DB_NAME}"')


def ensure_running(cluster: Cluster | None = None) -> Cluster:
    """Create and start the cluster if needed; safe to call from several processes at once."""
    cluster = cluster or default_cluster()
    if _serving(cluster):
        return cluster
    cluster.var_dir.mkdir(parents=True, exist_ok=True)
    with open(cluster.var_dir / ".pgcluster.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cluster.data_dir / "PG_VERSION").exists():
            _initdb(cluster)
        if not is_running(cluster):
            _start(cluster)
        _wait_ready(cluster)
        _ensure_database(cluster)
    return cluster


def _serving(cluster: Cluster) -> bool:
    """The cluster is up and has its database: one connection, where checking it with
    pg_ctl, pg_isready and psql (three processes, 70-90 ms) would delay every command."""
    if not any(cluster.socket_dir.glob(".s.PGSQL.*")):
        return False
    import psycopg

    try:
        psycopg.connect(
            host=str(cluster.socket_dir), dbname=DB_NAME, user=DB_USER, connect_timeout=5
        ).close()
    except psycopg.Error:
        return False  # down, starting, or without its database: the full path sees to it
    return True


def _wait_ready(cluster: Cluster, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    pg_isready = _bin_dir() / "pg_isready"
    while True:
        result = subprocess.run(  # noqa: S603
            [str(pg_isready), "-q", "-h", str(cluster.socket_dir), "-U", DB_USER],
            check=False,
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise ClusterError(f"PostgreSQL did not become ready in {timeout_s:.0f} s")
        time.sleep(0.2)


def stop(cluster: Cluster | None = None, mode: str = "fast") -> None:
    cluster = cluster or default_cluster()
    if is_running(cluster):
        _run([str(_bin_dir() / "pg_ctl"), "stop", "-w", "-m", mode, "-D", str(cluster.data_dir)])


def uses_embedded_cluster() -> bool:
    return not os.environ.get("DATABASE_URL")


def main(argv: list[str]) -> int:
    """``python -m gis.pgcluster start|stop|status``."""
    command = argv[1] if len(argv) > 1 else "start"
    cluster = default_cluster()
    if command == "start":
        ensure_running(cluster)
        sys.stdout.write(f"PostGIS cluster running, socket in {cluster.socket_dir}\n")
    elif command == "stop":
        stop(cluster)
    elif command == "status":
        running = is_running(cluster)
        sys.stdout.write("running\n" if running else "stopped\n")
        return 0 if running else 3
    else:
        sys.stderr.write("usage: python -m gis.pgcluster start|stop|status\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
