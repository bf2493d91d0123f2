"""The app around the calls of one scenario: HTTP handlers and batch jobs that call the SDK.

Runs in a fresh process per scenario (instrumentors patch SDK modules for the whole process).
"""

from __future__ import annotations

import importlib.metadata
import platform
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Tracer, format_trace_id

from conformance.clients import Caller, make_caller
from conformance.otlp import BatchWriter, setup_tracing
from conformance.plan import AppRequest, build_plan, scenario_rng
from conformance.scenarios import BY_NAME, COMMON_PACKAGES, Scenario
from conformance.vendor import CurrentCall, FakeVendorServer, VendorState


def run_request(
    tracer: Tracer, state: VendorState, call: Caller, request: AppRequest
) -> None:
    """One HTTP request (a SERVER span) or one job run (a root INTERNAL span) and the LLM calls it makes."""
    context = request.context
    with ExitStack() as stack:
        if context.job_name:
            root = stack.enter_context(
                tracer.start_as_current_span(
                    context.job_name,
                    kind=SpanKind.INTERNAL,
                    attributes={"job.name": context.job_name},
                )
            )
        else:
            attributes: dict[str, Any] = {
                "http.request.method": context.method or "POST",
                "http.route": context.route or "",
                "url.path": context.url_path or "",
                "url.scheme": "https",
                "server.address": "app.internal.example.com",
            }
            if context.team:
                attributes["team.id"] = context.team
            root = stack.enter_context(
                tracer.start_as_current_span(
                    f"{context.method} {context.route}",
                    kind=SpanKind.SERVER,
                    attributes=attributes,
                )
            )
        trace_id = format_trace_id(root.get_span_context().trace_id)
        if context.internal_span == "rag.pipeline":
            stack.enter_context(tracer.start_as_current_span("rag.pipeline"))
            with tracer.start_as_current_span(
                "rag.retrieve", attributes={"rag.documents.count": 4}
            ):
                pass
        for step, spec in enumerate(request.calls, start=1):
            with ExitStack() as step_stack:
                if context.internal_span == "agent.step":
                    step_stack.enter_context(
                        tracer.start_as_current_span(
                            "agent.step", attributes={"agent.step.number": step}
                        )
                    )
                state.current = CurrentCall(spec, context, trace_id)
                if context.worker_thread:
                    with ThreadPoolExecutor(max_workers=1) as pool:
                        pool.submit(call, spec).result()
                else:
                    call(spec)
                state.current = None
        if not context.job_name:
            root.set_attribute("http.response.status_code", 200)


def versions(scenario: Scenario) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in scenario.packages + COMMON_PACKAGES:
        found[package] = importlib.metadata.version(package)
    return found


def record(name: str, seed: int, out_dir: Path) -> dict[str, Any]:
    """Records one scenario into `out_dir` (raw/traces/otlp/ and truth/) and says what it recorded."""
    scenario = BY_NAME[name]
    rng = scenario_rng(name, seed)
    resource = {
        "service.name": scenario.service_name,
        "service.version": "1.4.2",
        "service.instance.id": f"{rng.getrandbits(32):08x}",
        scenario.environment_key: scenario.environment,
    }
    provider, exporter = setup_tracing(resource, rng.getrandbits(64))
    scenario.instrument(provider)
    plan = build_plan(name, scenario.provider, seed)
    traces_path = out_dir / "raw" / "traces" / "otlp" / f"{name}.jsonl"
    truth_path = out_dir / "truth" / f"{name}.jsonl"
    traces_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    with traces_path.open("w") as traces_out, truth_path.open("w") as truth_out:
        state = VendorState(
            name,
            scenario.service_name,
            scenario.environment,
            rng.getrandbits(64),
            truth_out,
        )
        writer = BatchWriter(exporter, traces_out)
        tracer = trace.get_tracer("conformance.app", "1.4.2")
        with FakeVendorServer(state) as server:
            call = make_caller(scenario.provider, server.url)
            pending = 0
            for request in plan:
                run_request(tracer, state, call, request)
                pending += 1
                if pending >= rng.randint(1, 3):
                    writer.flush()
                    pending = 0
            provider.force_flush()
            writer.flush()
    return {
        "scenario": name,
        "description": scenario.description,
        "service_name": scenario.service_name,
        "app_requests": len(plan),
        "calls": sum(len(request.calls) for request in plan),
        "responses": sum(state.attempts.values()),
        "spans": writer.spans_written,
        "versions": versions(scenario),
    }
