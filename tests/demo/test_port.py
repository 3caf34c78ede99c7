"""`PORT=8010 make demo` (and `PORT=8010 paqa demo`) serves on 127.0.0.1:8010 and says so;
without PORT it stays 127.0.0.1:8000, and `--addrport` wins over both. Nothing is served here:
the address runserver would be given is caught instead."""

import io

import pytest
from django.core.management import CommandError, call_command

from paqa.demo.management.commands import demo as demo_command
from paqa.demo.management.commands.demo import demo_addrport


@pytest.mark.parametrize(
    ("addrport", "environ", "expected"),
    [
        (None, {}, "127.0.0.1:8000"),
        (None, {"PORT": ""}, "127.0.0.1:8000"),
        (None, {"PORT": "8010"}, "127.0.0.1:8010"),
        (None, {"PORT": " 9000 "}, "127.0.0.1:9000"),
        ("0.0.0.0:8123", {"PORT": "8010"}, "0.0.0.0:8123"),
    ],
)
def test_the_address_comes_from_addrport_then_port_then_8000(addrport, environ, expected):
    assert demo_addrport(addrport, environ) == expected


@pytest.mark.parametrize("port", ["http", "80a", "0", "65536", "-1"])
def test_a_port_that_is_not_a_port_number_is_refused_naming_it(port):
    with pytest.raises(CommandError, match=f"PORT must be a port number .* not '{port}'"):
        demo_addrport(None, {"PORT": port})


@pytest.fixture
def served(monkeypatch, settings, tmp_path):
    """Run `paqa demo` with the loading stubbed out and runserver caught: returns what it
    printed and the address runserver was called with."""
    settings.VAR_DIR = tmp_path / "var"
    calls: list[tuple[str, tuple, dict]] = []

    def fake_call_command(name, *args, **kwargs):
        calls.append((name, args, kwargs))

    monkeypatch.setattr(demo_command, "call_command", fake_call_command)
    monkeypatch.setattr(demo_command, "demo_everything_load", lambda: "Demo partnership")
    monkeypatch.setattr(demo_command, "demo_returns_write", lambda folder: folder)
    monkeypatch.setattr(demo_command, "open_public_surveys", lambda: [])

    def run(*args: str) -> tuple[str, list[str]]:
        out = io.StringIO()
        call_command("demo", *args, stdout=out)
        runserver = [args[0] for name, args, _ in calls if name == "runserver"]
        return out.getvalue(), runserver

    return run


def test_the_demo_serves_on_the_port_in_port_and_prints_that_url(monkeypatch, served):
    monkeypatch.setenv("PORT", "8010")
    printed, runserver = served()
    assert runserver == ["127.0.0.1:8010"]
    assert "PAQA is at http://127.0.0.1:8010/" in printed


def test_without_port_the_demo_serves_on_8000(monkeypatch, served):
    monkeypatch.delenv("PORT", raising=False)
    printed, runserver = served()
    assert runserver == ["127.0.0.1:8000"]
    assert "PAQA is at http://127.0.0.1:8000/" in printed
    assert "A tour of the demo" in printed


def test_addrport_wins_over_port_and_no_serve_serves_nothing(monkeypatch, served):
    monkeypatch.setenv("PORT", "8010")
    printed, runserver = served("--addrport", "127.0.0.1:8123")
    assert runserver == ["127.0.0.1:8123"]
    assert "PAQA is at http://127.0.0.1:8123/" in printed
    printed, runserver = served("--no-serve")
    assert runserver == ["127.0.0.1:8123"]  # only the first run served
    assert "PAQA is at http://127.0.0.1:8010/" in printed
