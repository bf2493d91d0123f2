"""The seeded plan of one scenario: which app requests run, and which LLM calls each makes.

The plan is drawn from `random.Random` seeded with the run's seed and the scenario's name, so one seed
always gives the same calls, contexts and token counts. Every plan covers the same ground whatever the
seed (non-streaming and streaming, each cache kind of its provider, a reasoning model, a 429 and a 5xx
that the SDK retries, server requests with and without `team.id`, an INTERNAL span in between, a batch
job); the seed varies the models, the extra calls, the paths, the teams and the token counts.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Literal

Provider = Literal["openai", "anthropic", "aws_bedrock"]
CacheKind = Literal["none", "read", "write_5m", "write_1h", "read_write_5m"]

NOVA = "amazon.nova-lite-v1:0"
CLAUDE = "anthropic.claude-haiku-4-5-20251001-v1:0"
CLAUDE_US = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
TEAMS = ("team-search", "team-support", "team-growth", "team-platform")


@dataclass(frozen=True)
class CallSpec:
    """One logical LLM call: what the app asks for and how the fake vendor answers it."""

    call_id: str
    model: str
    stream: bool
    cache: CacheKind
    operation: str
    fail_first: int | None = None
    service_tier: str | None = None


@dataclass(frozen=True)
class AppContext:
    """What the app around a call sets: a SERVER span for an HTTP request, or a root INTERNAL span of a job."""

    route: str | None = None
    url_path: str | None = None
    method: str | None = None
    job_name: str | None = None
    team: str | None = None
    internal_span: str | None = None
    worker_thread: bool = False
    """The job hands its call to a worker thread without copying the trace context into it."""


@dataclass
class AppRequest:
    """One unit of app work (an HTTP request or one job run), with the LLM calls it makes in order."""

    context: AppContext
    calls: list[CallSpec] = field(default_factory=list)


@dataclass(frozen=True)
class ProviderMenu:
    """The calls that every plan of a provider must contain, and what the extra calls are drawn from."""

    required: tuple[tuple[str, bool, CacheKind, str, str | None], ...]
    models: tuple[str, ...]
    operations: tuple[str, ...]
    caches: tuple[CacheKind, ...]
    server_error: int


MENUS: dict[Provider, ProviderMenu] = {
    "openai": ProviderMenu(
        required=(
            ("gpt-4o-mini", False, "none", "chat", None),
            ("gpt-4o-mini", True, "none", "chat", None),
            ("gpt-4o-mini", False, "read", "chat", None),
            ("gpt-4o-mini", True, "read", "chat", None),
            ("gpt-5-mini", False, "none", "chat", None),
            ("gpt-5-mini", True, "read", "chat", None),
            ("gpt-5-mini", False, "read", "chat", "flex"),
        ),
        models=("gpt-4o-mini", "gpt-5-mini"),
        operations=("chat",),
        caches=("none", "read"),
        server_error=500,
    ),
    "anthropic": ProviderMenu(
        required=(
            ("claude-sonnet-4-5", False, "none", "chat", None),
            ("claude-sonnet-4-5", True, "none", "chat", None),
            ("claude-sonnet-4-5", False, "write_5m", "chat", None),
            ("claude-sonnet-4-5", False, "read", "chat", None),
            ("claude-sonnet-4-5", True, "write_1h", "chat", None),
            ("claude-haiku-4-5", False, "write_1h", "chat", None),
            ("claude-haiku-4-5", True, "read", "chat_stream_helper", None),
            ("claude-haiku-4-5", False, "read_write_5m", "chat", None),
            ("claude-sonnet-4-5", True, "read_write_5m", "chat", None),
        ),
        models=("claude-sonnet-4-5", "claude-haiku-4-5"),
        operations=("chat", "chat_stream_helper"),
        caches=("none", "read", "write_5m", "write_1h", "read_write_5m"),
        server_error=529,
    ),
    "aws_bedrock": ProviderMenu(
        required=(
            (NOVA, False, "none", "converse", None),
            (NOVA, True, "none", "converse_stream", None),
            (NOVA, False, "read", "converse", None),
            (CLAUDE_US, False, "write_5m", "converse", None),
            (CLAUDE_US, True, "read", "converse_stream", None),
            (CLAUDE, False, "read", "invoke_model", None),
            (NOVA, False, "none", "invoke_model", None),
            (NOVA, False, "write_5m", "invoke_model", None),
        ),
        models=(NOVA, CLAUDE_US),
        operations=("converse", "converse_stream"),
        caches=("none", "read", "write_5m"),
        server_error=503,
    ),
}

SERVER_ROUTES: tuple[tuple[str, str, str], ...] = (
    ("/api/chat", "POST", "/api/chat"),
    ("/api/summarize/{doc_id}", "POST", "/api/summarize/{id}"),
    ("/api/tickets/{ticket_id}/reply", "POST", "/api/tickets/{id}/reply"),
)
AGENT_ROUTE = ("/api/agent/run", "POST", "/api/agent/run")
RAG_ROUTE = ("/api/ask", "POST", "/api/ask")
STREAMING_OPERATIONS = ("chat_stream_helper", "converse_stream")
JOBS = ("nightly-digest", "ticket-triage-batch")


def scenario_rng(scenario: str, seed: int) -> random.Random:
    """A generator that depends only on the scenario's name and the seed (not on Python's hash salt)."""
    return random.Random(zlib.crc32(scenario.encode()) * 1_000_003 + seed)


def _url_path(rng: random.Random, pattern: str) -> str:
    return pattern.replace(
        "{id}",
        f"{rng.randrange(16**8):08x}"
        if rng.random() < 0.5
        else str(rng.randint(10, 99999)),
    )


def _server_context(
    rng: random.Random, route: tuple[str, str, str], internal: str | None
) -> AppContext:
    template, method, path = route
    team = rng.choice(TEAMS) if rng.random() < 0.6 else None
    return AppContext(
        route=template,
        url_path=_url_path(rng, path),
        method=method,
        team=team,
        internal_span=internal,
    )


def build_plan(scenario: str, provider: Provider, seed: int) -> list[AppRequest]:
    """The app requests of one scenario, in the order they run."""
    rng = scenario_rng(scenario, seed)
    menu = MENUS[provider]
    specs: list[tuple[str, bool, CacheKind, str, str | None]] = list(menu.required)
    for _ in range(rng.randint(10, 14)):
        operation = rng.choice(menu.operations)
        stream = operation in STREAMING_OPERATIONS or (
            operation == "chat" and rng.random() < 0.35
        )
        specs.append(
            (rng.choice(menu.models), stream, rng.choice(menu.caches), operation, None)
        )
    rng.shuffle(specs)
    failing = rng.sample(range(len(specs)), 2)
    calls = [
        CallSpec(
            call_id=f"c{i + 1:02d}",
            model=model,
            stream=stream,
            cache=cache,
            operation=operation,
            fail_first=429
            if i == failing[0]
            else menu.server_error
            if i == failing[1]
            else None,
            service_tier=tier,
        )
        for i, (model, stream, cache, operation, tier) in enumerate(specs)
    ]
    return _group_into_requests(rng, calls)


def _group_into_requests(rng: random.Random, calls: list[CallSpec]) -> list[AppRequest]:
    """Hands out the calls to app requests: plain routes, an agent (two steps), a RAG pipeline and jobs."""
    requests: list[AppRequest] = [
        AppRequest(AppContext(job_name=JOBS[0])),
        AppRequest(_server_context(rng, AGENT_ROUTE, "agent.step")),
        AppRequest(_server_context(rng, RAG_ROUTE, "rag.pipeline")),
        AppRequest(
            AppContext(
                route="/api/chat", url_path="/api/chat", method="POST", team=TEAMS[0]
            )
        ),
        AppRequest(AppContext(route="/api/chat", url_path="/api/chat", method="POST")),
        AppRequest(AppContext(job_name=JOBS[1], worker_thread=True)),
    ]
    requests[1].calls.extend(calls[0:2])
    requests[0].calls.append(calls[2])
    requests[2].calls.append(calls[3])
    requests[3].calls.append(calls[4])
    requests[4].calls.append(calls[5])
    requests[5].calls.append(calls[6])
    for call in calls[7:]:
        roll = rng.random()
        if roll < 0.15:
            requests.append(AppRequest(AppContext(job_name=rng.choice(JOBS)), [call]))
        elif roll < 0.25:
            requests.append(
                AppRequest(_server_context(rng, RAG_ROUTE, "rag.pipeline"), [call])
            )
        else:
            requests.append(
                AppRequest(
                    _server_context(rng, rng.choice(SERVER_ROUTES), None), [call]
                )
            )
    rng.shuffle(requests)
    return requests
