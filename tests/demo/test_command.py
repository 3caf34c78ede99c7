"""`paqa demo --scale N [--seed S] --no-serve`: the command line of the scale generator."""

import io

import pytest
from django.core.management import CommandError, call_command

from paqa.demo.scale import scaled_copies


@pytest.mark.parametrize("scale", ["0", "-2", "ten", "2.5"])
def test_a_bad_scale_is_refused_with_a_clear_message_before_anything_is_loaded(scale):
    with pytest.raises(CommandError, match="whole number of 1 or more, like 10"):
        call_command("demo", "--no-serve", "--scale", scale)


@pytest.mark.django_db
def test_the_command_scales_says_what_it_added_and_adds_nothing_twice(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.VAR_DIR = tmp_path / "var"
    out = io.StringIO()
    call_command("demo", "--no-serve", "--scale", "2", "--seed", "5", stdout=out)
    printed = out.getvalue()
    assert "Scaled the demonstration partnership to 2× (seed 5): made-up copies 2," in printed
    assert "14 agencies" in printed
    assert "checksum of the rows added: " in printed
    assert scaled_copies() == ([2], 5)

    out = io.StringIO()
    call_command("demo", "--no-serve", "--scale", "2", stdout=out)  # the seed used before
    assert "already holds 2× the demonstration data (seed 5): nothing added." in out.getvalue()
    with pytest.raises(CommandError, match="scaled with seed 5: add to it with --seed 5"):
        call_command("demo", "--no-serve", "--scale", "3", "--seed", "6", stdout=io.StringIO())
    assert scaled_copies() == ([2], 5)
