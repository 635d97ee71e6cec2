"""The deadline surge: 2,000 learners whose players send a heartbeat every 30 seconds, and 50 reviewers
working through their queues, against gunicorn on 127.0.0.1 (never another host).

Run by tests/load/surge.sh, which prepares the signed-in sessions (tests/load/prepare.py) and passes
them in LOAD_SESSIONS. Each learner opens a study session for the lesson it was in the middle of, as
the player does, then beats every 30 s, its claimed position advancing 30 s a beat. Each reviewer opens
its queue's first page (the review workflow's page once it exists, LOAD_QUEUE_PATH; until then the
pages a reviewer works from today), then waits 3-8 s, as a person reading a claim would.
"""

from __future__ import annotations

import itertools
import json
import os
import threading

from locust import HttpUser, between, constant_pacing, events, task

_SESSIONS = json.loads(open(os.environ["LOAD_SESSIONS"], encoding="utf-8").read())  # noqa: SIM115
_LEARNERS = itertools.cycle(_SESSIONS["learners"])
_REVIEWERS = itertools.cycle(_SESSIONS["reviewers"])
_LOCK = threading.Lock()
QUEUE_PATH = os.environ.get("LOAD_QUEUE_PATH", "")
HEARTBEAT_SECONDS = float(os.environ.get("LOAD_HEARTBEAT_SECONDS", "30"))


def _sign_in(user: HttpUser, entry: dict) -> None:
    user.client.cookies.set("sessionid", entry["session"], domain="127.0.0.1")
    user.client.cookies.set("csrftoken", entry["csrf"], domain="127.0.0.1")
    user.csrf = entry["csrf"]


class Learner(HttpUser):
    wait_time = constant_pacing(HEARTBEAT_SECONDS)

    def on_start(self) -> None:
        with _LOCK:
            self.entry = next(_LEARNERS)
        _sign_in(self, self.entry)
        self.position = float(self.entry.get("position", 0))
        self.token = ""
        self._open()

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.csrf, "Referer": f"{self.host}/"}

    def _open(self) -> None:
        with self.client.post(
            f"/api/learning/lessons/{self.entry['lesson']}/sessions/",
            headers=self._headers(),
            name="/api/learning/lessons/[id]/sessions/",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                data = response.json()
                self.token = data["token"]
                self.position = float(data.get("position") or 0)
                response.success()
            else:
                response.failure(f"open session: {response.status_code}")

    @task
    def heartbeat(self) -> None:
        if not self.token:
            self._open()
            return
        self.position += HEARTBEAT_SECONDS
        with self.client.post(
            "/api/learning/heartbeats/",
            json={"token": self.token, "position": self.position},
            headers=self._headers(),
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                data = response.json()
                if data.get("lesson_completed"):
                    self.position = 0  # the player moves to the next lesson; keep beating on this one
                response.success()
            else:
                response.failure(f"heartbeat: {response.status_code}")


class Reviewer(HttpUser):
    fixed_count = int(os.environ.get("LOAD_REVIEWERS", "50"))
    wait_time = between(3, 8)

    def on_start(self) -> None:
        with _LOCK:
            self.entry = next(_REVIEWERS)
        _sign_in(self, self.entry)
        self.pages = [QUEUE_PATH] if QUEUE_PATH else self.entry["pages"]
        self.turn = 0

    @task
    def work_the_queue(self) -> None:
        path = self.pages[self.turn % len(self.pages)]
        self.turn += 1
        with self.client.get(path, name=f"reviewer {path}", catch_response=True) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(f"{path}: {response.status_code}")


@events.init_command_line_parser.add_listener
def _options(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument("--surge-note", default="", help="free text recorded with the run")
