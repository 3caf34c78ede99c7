"""The public survey under concurrent and repeated submissions.

A submission key is the respondent's place: however many times, and however concurrently, the
same key is sent, one response (with one answer per question) is stored and submitted once;
distinct keys sent at the same time are all stored. The concurrent tests need a server database
(each thread has its own connection); the sequential ones run on SQLite too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from paqa.surveys.models import Answer, Response, Survey
from paqa.surveys.services import new_submission_key, survey_from_yaml

T = TypeVar("T")

needs_server_database = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs a server database for concurrent connections; CI runs it on PostgreSQL",
)
SAME_KEY_REQUESTS = 20
DISTINCT_KEYS = 500
DISTINCT_KEY_THREADS = 16


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    """The tests all come from one address: keep the per-address limit out of the way."""
    settings.PAQA_SURVEY_POSTS_PER_MINUTE = 1_000_000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey() -> Survey:
    today = timezone.localdate()
    return survey_from_yaml(
        f"""
series: concurrency
year: "2026"
title: Concurrency check
kind: anonymous
opens_on: {(today - timedelta(days=7)).isoformat()}
closes_on: {(today + timedelta(days=7)).isoformat()}
pages:
  - title: Safety
    questions:
      - code: feels-safe
        kind: yes_no
        text: Do the children you work with feel safe?
        required: true
"""
    )


def page_url(survey: Survey, key: str) -> str:
    return reverse("surveys:public-page", args=[survey.public_slug, key, 1])


def check_url(survey: Survey, key: str) -> str:
    return reverse("surveys:public-check", args=[survey.public_slug, key])


def submit(client: Client, survey: Survey, key: str, answer: str = "Yes") -> tuple[int, int]:
    """The essential posts of one submission: the page with its answer, then 'Send'."""
    answered = client.post(page_url(survey, key), {"feels-safe": answer})
    sent = client.post(check_url(survey, key))
    return answered.status_code, sent.status_code


def in_threads(work: Callable[[int], T], count: int, threads: int) -> list[T]:
    """Run work(0..count-1) from `threads` threads, each closing its own connection after."""
    start = threading.Barrier(min(threads, count))

    def worker(index: int) -> T:
        try:
            if index < start.parties:
                start.wait(timeout=30)  # the first wave all set off together
            return work(index)
        finally:
            connection.close()  # every request of this thread ran on this thread's connection

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(worker, range(count)))


def assert_redirects_only(statuses: Sequence[tuple[int, int]]) -> None:
    unexpected = [pair for pair in statuses if pair != (302, 302)]
    assert not unexpected, f"{len(unexpected)} submissions were not redirects: {unexpected[:5]}"


@pytest.mark.django_db
def test_the_same_key_sent_twenty_times_one_after_another_stores_one_response(survey):
    """Double clicks and resent forms: one response, one answer, submitted once."""
    key = new_submission_key()
    statuses = [submit(Client(), survey, key) for _ in range(SAME_KEY_REQUESTS)]

    assert_redirects_only(statuses)
    response = Response.objects.get(survey=survey)
    assert response.submission_key == key
    assert response.status == Response.Status.SUBMITTED
    assert Answer.objects.filter(response__survey=survey).count() == 1
    assert Answer.objects.get(response=response).value == "Yes"


@pytest.mark.django_db
def test_a_resent_page_after_sending_changes_nothing(survey):
    key = new_submission_key()
    client = Client()
    submit(client, survey, key, answer="Yes")

    resent = client.post(page_url(survey, key), {"feels-safe": "No"})

    assert resent.status_code == 302
    assert resent["Location"] == reverse("surveys:public-done", args=[survey.public_slug])
    assert Answer.objects.get(response__survey=survey).value == "Yes"


@needs_server_database
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submissions_with_the_same_key_store_one_response(survey):
    key = new_submission_key()

    statuses = in_threads(
        lambda _: submit(Client(), survey, key), SAME_KEY_REQUESTS, SAME_KEY_REQUESTS
    )

    assert_redirects_only(statuses)
    assert Response.objects.filter(survey=survey).count() == 1
    response = Response.objects.get(survey=survey)
    assert response.submission_key == key
    assert response.status == Response.Status.SUBMITTED
    assert Answer.objects.filter(response__survey=survey).count() == 1


@needs_server_database
@pytest.mark.django_db(transaction=True)
def test_five_hundred_concurrent_submissions_with_distinct_keys_store_five_hundred(survey):
    keys = [new_submission_key() for _ in range(DISTINCT_KEYS)]
    answers = ["Yes" if number % 2 else "No" for number in range(DISTINCT_KEYS)]
    clients = threading.local()

    def one(index: int) -> tuple[int, int]:
        if not hasattr(clients, "client"):
            clients.client = Client()  # one client per thread, as one browser per respondent
        return submit(clients.client, survey, keys[index], answers[index])

    statuses = in_threads(one, DISTINCT_KEYS, DISTINCT_KEY_THREADS)

    assert_redirects_only(statuses)
    stored = Response.objects.filter(survey=survey)
    assert stored.count() == DISTINCT_KEYS
    assert stored.filter(status=Response.Status.SUBMITTED).count() == DISTINCT_KEYS
    assert set(stored.values_list("submission_key", flat=True)) == set(keys)
    assert Answer.objects.filter(response__survey=survey).count() == DISTINCT_KEYS
    assert Answer.objects.filter(response__survey=survey, value="Yes").count() == answers.count(
        "Yes"
    )


@pytest.mark.django_db
def test_the_fourth_post_in_a_minute_from_one_address_is_refused_readably(survey, settings):
    settings.PAQA_SURVEY_POSTS_PER_MINUTE = 3
    key = new_submission_key()
    client = Client()

    allowed = [client.post(page_url(survey, key), {"feels-safe": "Yes"}) for _ in range(3)]
    refused = client.post(check_url(survey, key))

    assert [answer.status_code for answer in allowed] == [302, 302, 302]
    assert refused.status_code == 429
    assert "too many attempts" in refused.content.decode().lower()
    assert Response.objects.get(survey=survey).status == Response.Status.DRAFT
    assert client.get(check_url(survey, key)).status_code == 200  # reading is not limited
