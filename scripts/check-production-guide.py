#!/usr/bin/env python3
"""Run every command of docs/production.md, in order, against a throwaway database.

The guide's `sh` blocks are run line by line; each `ExecStart=` of its `ini` blocks (the
systemd services) is started in the background and stopped at the end. The guide's `.env`
block gives the environment, with what cannot be real here replaced: a random secret key, the
throwaway database, a temporary data folder, mail printed instead of sent, and a free port
instead of 8000. Paths under /srv/paqa are this checkout.

    python scripts/check-production-guide.py --database sqlite
    python scripts/check-production-guide.py --database postgres \
        --postgres-url postgres://postgres@127.0.0.1:5432/postgres

Prints each command and its outcome; exits 1 at the first command that fails.

Most of the guide is `paqa` commands, and most of each one's time was Python and Django starting
up (about 1.5 s a command, half the run). So `paqa` here is a small stand-in, first on the PATH,
that hands its arguments, environment, working directory and standard streams to a process that
has set Django up once with the guide's settings; it forks, and the child runs the command
exactly as `paqa` would (`paqa.cli.main`), with the same exit code. A command given any other
environment runs as a process of its own. The services (`ExecStart`) are real processes.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "production.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND_TIMEOUT = 300
# What the shell sets by itself: the same command may differ in these and still be the same.
VOLATILE = ("_", "PWD", "OLDPWD", "SHLVL")

# The server: Django set up with the guide's settings, then one fork per `paqa` command.
SERVER = r"""
import json, os, socket, struct, sys, threading, traceback

import django
from django.core import checks
from django.db import connections

VOLATILE = set(sys.argv[2].split(","))
# As started: settings add what a .env file holds to os.environ; the commands' shells would not.
STARTED = {k: v for k, v in os.environ.items() if k not in VOLATILE}


def same(environment):
    return {k: v for k, v in environment.items() if k not in VOLATILE} == STARTED


django.setup()
checks.run_checks()  # imports every URLconf, view and the libraries they use
connections.close_all()
warm = threading.active_count() == 1  # forking a process with threads is unsafe
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
listener.listen(1)
while True:
    client, _ = listener.accept()
    data, fds, _flags, _address = socket.recv_fds(client, 1 << 16, 3)
    (size,) = struct.unpack("!I", data[:4])
    data = data[4:]
    while len(data) < size:
        data += client.recv(1 << 16)
    request = json.loads(data)
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        listener.close()
        client.close()
        for number, fd in enumerate(fds):
            os.dup2(fd, number)
            os.close(fd)
        os.chdir(request["cwd"])
        if not (warm and same(request["env"])):
            command = [sys.executable, "-m", "paqa", *request["argv"]]
            os.execve(sys.executable, command, request["env"])
        os.environ.clear()
        os.environ.update(request["env"])
        code = 0
        try:
            from paqa.cli import main

            code = main(request["argv"])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if not isinstance(stop.code, (int, type(None))):
                print(stop.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    for fd in fds:
        os.close(fd)
    _pid, status = os.waitpid(child, 0)
    client.sendall(str(os.waitstatus_to_exitcode(status)).encode())
    client.close()
"""

# The stand-in for `paqa`: only the standard library, so it starts in milliseconds.
SHIM = r"""#!{python} -IS
import json, os, socket, struct, sys

request = json.dumps(
    {{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}
).encode()
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.connect({socket_path!r})
message = struct.pack("!I", len(request)) + request
sent = socket.send_fds(server, [message], [0, 1, 2])
server.sendall(message[sent:])
answer = b""
while chunk := server.recv(64):
    answer += chunk
code = int(answer or b"1")
sys.exit(code if code >= 0 else 128 - code)
"""


def blocks(text: str) -> list[tuple[str, str]]:
    return [(match.group(1), match.group(2)) for match in FENCE.finditer(text)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(
    guide_blocks: list[tuple[str, str]], database_url: str, var_dir: Path
) -> dict[str, str]:
    settings_block = next(
        body for kind, body in guide_blocks if kind == "ini" and "DJANGO_SETTINGS_MODULE" in body
    )
    # Only the guide's settings: nothing of the caller's Django or PAQA environment (a test
    # process may have set some) leaks into what a new server would have.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PAQA_")) and key not in ("DATABASE_URL", "CACHE_URL")
    }
    for line in settings_block.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=database_url,
        PAQA_VAR_DIR=str(var_dir),
        DJANGO_ALLOWED_HOSTS=env["DJANGO_ALLOWED_HOSTS"] + ",127.0.0.1,localhost",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PATH=f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def localised(command: str, var_dir: Path, port: int) -> str:
    return (
        command.replace("/srv/paqa/var", str(var_dir))
        .replace("/srv/paqa", str(REPO))
        .replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    )


class CommandServer:
    """The process `paqa` commands are forked from (see the module's docstring)."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.socket_path = workdir / "paqa.sock"
        bin_dir = workdir / "bin"
        bin_dir.mkdir()
        shim = bin_dir / "paqa"
        shim.write_text(SHIM.format(python=sys.executable, socket_path=str(self.socket_path)))
        shim.chmod(0o755)
        self.env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}
        self.process = subprocess.Popen(  # noqa: S603 (our own code)
            [sys.executable, "-c", SERVER, str(self.socket_path), ",".join(VOLATILE)],
            cwd=REPO,
            env=self.env,
            start_new_session=True,
        )

    def wait_until_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not self.socket_path.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"the command server stopped (exit {self.process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the command server did not start within {seconds:.0f} s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz",
                headers={"X-Forwarded-Proto": "https", "Host": "paqa.example.org"},
            )
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 (local)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app did not answer on port {port} within {seconds:.0f} s")


def run(database: str, postgres_url: str) -> int:
    text = GUIDE.read_text(encoding="utf-8")
    guide_blocks = blocks(text)
    workdir = Path(tempfile.mkdtemp(prefix="paqa-guide-"))
    var_dir = workdir / "var"
    var_dir.mkdir()
    created_database = ""
    if database == "sqlite":
        database_url = f"sqlite:///{workdir / 'paqa.sqlite3'}"
    else:
        import psycopg

        created_database = f"paqa_guide_{os.getpid()}"
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{created_database}"')
        database_url = postgres_url.rsplit("/", 1)[0] + f"/{created_database}"
    env = environment(guide_blocks, database_url, var_dir)
    port = free_port()
    services: list[subprocess.Popen[bytes]] = []
    ran = 0
    server = CommandServer(workdir, env)
    web_is_up = True
    try:
        server.wait_until_ready()
        for kind, body in guide_blocks:
            if kind == "ini":
                for line in body.splitlines():
                    if line.startswith("ExecStart="):
                        command = localised(line.removeprefix("ExecStart="), var_dir, port)
                        print(f"$ {command} &", flush=True)
                        services.append(
                            subprocess.Popen(  # noqa: S603 (the guide's own command)
                                shlex.split(command),
                                cwd=REPO,
                                env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True,
                            )
                        )
                        ran += 1
                        # Waited for before the next command, so the services start together.
                        web_is_up = web_is_up and "gunicorn" not in command
                continue
            if kind != "sh":
                continue
            if not web_is_up:
                wait_until_up(port)
                web_is_up = True
            for line in body.splitlines():
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                command = localised(line, var_dir, port)
                print(f"$ {command}", flush=True)
                result = subprocess.run(  # noqa: S602 (the guide's own commands, as a user types them)
                    command,
                    shell=True,
                    cwd=REPO,
                    env=server.env,
                    capture_output=True,
                    text=True,
                    timeout=COMMAND_TIMEOUT,
                    check=False,
                )
                output = (result.stdout + result.stderr).strip()
                if output:
                    print("  " + output[-1500:].replace("\n", "\n  "), flush=True)
                if result.returncode != 0:
                    print(f"FAILED (exit {result.returncode}): {command}", flush=True)
                    return 1
                ran += 1
        for service in services:
            if service.poll() is not None:
                print(f"FAILED: a service stopped early (exit {service.returncode})", flush=True)
                return 1
        print(f"Every command of {GUIDE.relative_to(REPO)} ran: {ran} commands", flush=True)
        return 0
    finally:
        server.stop()
        for service in services:
            if service.poll() is None:
                os.killpg(service.pid, signal.SIGTERM)
        for service in services:
            try:
                service.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(service.pid, signal.SIGKILL)
        if created_database:
            import psycopg

            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{created_database}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a database to connect to for creating and dropping the throwaway one",
    )
    arguments = parser.parse_args()
    return run(arguments.database, arguments.postgres_url)


if __name__ == "__main__":
    sys.exit(main())
