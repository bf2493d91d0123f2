"""A fake LLM vendor on 127.0.0.1: OpenAI Chat Completions, Anthropic Messages and Bedrock Runtime.

It answers as the vendors do (ids, dated models, usage objects, SSE and AWS event streams, error bodies
and retry headers) and writes one truth line per response it sends, failed attempts included. It runs in
the process of the app that calls it, so it knows which planned call and app context a request belongs to.
"""

from __future__ import annotations

import binascii
import json
import random
import string
import struct
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TextIO
from urllib.parse import unquote

from conformance.plan import AppContext, CallSpec, Provider

RESPONSE_MODELS = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
}
REASONING_MODELS = ("gpt-5-mini",)
FINGERPRINTS = {"gpt-4o-mini": "fp_560af6e559", "gpt-5-mini": None}
WORDS = [
    "the",
    "invoice",
    "total",
    "for",
    "march",
    "is",
    "within",
    "budget",
    "and",
    "the",
    "summary",
    "lists",
    "three",
    "open",
    "items",
    "to",
    "review",
]
ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Usage:
    """The billed tokens of one response, in the buckets that every provider is normalised to."""

    uncached: int
    cache_read: int
    cache_write_5m: int
    cache_write_1h: int
    output: int
    reasoning: int

    def buckets(self) -> dict[str, int]:
        return {
            "input_tokens_total": self.uncached
            + self.cache_read
            + self.cache_write_5m
            + self.cache_write_1h,
            "uncached_input_tokens": self.uncached,
            "cache_read_tokens": self.cache_read,
            "cache_write_5m_tokens": self.cache_write_5m,
            "cache_write_1h_tokens": self.cache_write_1h,
            "output_tokens": self.output,
            "reasoning_tokens": self.reasoning,
        }


@dataclass(frozen=True)
class CurrentCall:
    """The call that the app is making now, as the app declares it to the vendor before calling."""

    spec: CallSpec
    context: AppContext
    app_trace_id: str


@dataclass
class Reply:
    """One response to send, and what its truth line says about it."""

    status: int
    headers: dict[str, str]
    body: bytes | list[bytes]
    response_id: str | None = None
    request_id: str | None = None
    response_model: str | None = None
    usage: Usage | None = None
    raw_usage: dict[str, Any] | None = None
    service_tier: str | None = None
    body_id: str | None = None


class VendorState:
    """What the server shares with the app: the seeded generator, the current call and the truth file."""

    def __init__(
        self,
        scenario: str,
        service_name: str,
        environment: str,
        seed: int,
        truth: TextIO,
    ) -> None:
        self.scenario = scenario
        self.service_name = service_name
        self.environment = environment
        self.rng = random.Random(seed)
        self.truth = truth
        self.lock = threading.Lock()
        self.current: CurrentCall | None = None
        self.attempts: dict[str, int] = {}

    def token(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def text(self) -> list[str]:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(6, 14))]
        size = max(1, len(words) // self.rng.randint(2, 4))
        return [" ".join(words[i : i + size]) + " " for i in range(0, len(words), size)]

    def draw_usage(self, provider: Provider, spec: CallSpec) -> Usage:
        rng = self.rng
        reads = spec.cache in ("read", "read_write_5m")
        if provider == "openai":
            cache_read = 128 * rng.randint(8, 90) if reads else 0
        else:
            cache_read = rng.randint(4096, 24000) if reads else 0
        write_5m = (
            rng.randint(1024, 16000)
            if spec.cache in ("write_5m", "read_write_5m")
            else 0
        )
        write_1h = rng.randint(4096, 20000) if spec.cache == "write_1h" else 0
        uncached = (
            rng.randint(12, 600)
            if reads or write_5m or write_1h
            else rng.randint(150, 3200)
        )
        reasoning = 64 * rng.randint(1, 40) if spec.model in REASONING_MODELS else 0
        return Usage(
            uncached,
            cache_read,
            write_5m,
            write_1h,
            rng.randint(20, 700) + reasoning,
            reasoning,
        )

    def log(
        self,
        provider: Provider,
        spec: CallSpec,
        call: CurrentCall,
        attempt: int,
        reply: Reply,
    ) -> None:
        context = call.context
        record: dict[str, Any] = {
            "scenario": self.scenario,
            "provider": provider,
            "call_id": spec.call_id,
            "attempt": attempt,
            "http_status": reply.status,
            "response_id": reply.response_id,
            "request_id": reply.request_id,
            "body_id": reply.body_id,
            "request_model": spec.model,
            "response_model": reply.response_model,
            "streaming": spec.stream,
            "operation": spec.operation,
            "service_tier": reply.service_tier,
            "service_name": self.service_name,
            "environment": self.environment,
            "route": context.route,
            "url_path": context.url_path,
            "job_name": context.job_name,
            "team": context.team,
            "internal_span": context.internal_span,
            "context_propagated": not context.worker_thread,
            "app_trace_id": call.app_trace_id,
            "timestamp": datetime.now(UTC)
            .isoformat(timespec="microseconds")
            .replace("+00:00", "Z"),
        }
        buckets = (
            reply.usage.buckets()
            if reply.usage
            else dict.fromkeys(Usage(0, 0, 0, 0, 0, 0).buckets())
        )
        record.update(buckets)
        record["raw_usage"] = reply.raw_usage
        self.truth.write(json.dumps(record) + "\n")
        self.truth.flush()


def _json(
    status: int, payload: dict[str, Any], headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"content-type": "application/json", **headers},
        json.dumps(payload).encode(),
    )


def _sse(events: Sequence[tuple[str | None, str]]) -> list[bytes]:
    chunks = []
    for event, data in events:
        prefix = f"event: {event}\n" if event else ""
        chunks.append(f"{prefix}data: {data}\n\n".encode())
    return chunks


class OpenAIVendor:
    """`POST /v1/chat/completions`, with `stream_options.include_usage` for streams."""

    provider: Provider = "openai"

    def __init__(self, state: VendorState) -> None:
        self.state = state

    def error(self, status: int, model: str) -> Reply:
        request_id = "req_" + self.state.token("0123456789abcdef", 32)
        if status == 429:
            error = {
                "message": f"Rate limit reached for {model} in organization org-conformance on tokens per min (TPM): "
                "Limit 200000, Used 199210, Requested 1337. Please try again in 1ms.",
                "type": "tokens",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        else:
            error = {
                "message": "The server had an error while processing your request. Sorry about that!",
                "type": "server_error",
                "param": None,
                "code": None,
            }
        headers = {
            "x-request-id": request_id,
            "retry-after-ms": "1",
            "retry-after": "0",
        }
        status, headers, body = _json(status, {"error": error}, headers)
        return Reply(status, headers, body, request_id=request_id)

    def reply(self, spec: CallSpec, request: dict[str, Any]) -> Reply:
        state = self.state
        usage = state.draw_usage("openai", spec)
        completion_id = "chatcmpl-" + state.token(ALNUM, 29)
        request_id = "req_" + state.token("0123456789abcdef", 32)
        model = RESPONSE_MODELS[spec.model]
        tier = "flex" if request.get("service_tier") == "flex" else "default"
        raw_usage = {
            "prompt_tokens": usage.uncached + usage.cache_read,
            "completion_tokens": usage.output,
            "total_tokens": usage.uncached + usage.cache_read + usage.output,
            "prompt_tokens_details": {
                "cached_tokens": usage.cache_read,
                "audio_tokens": 0,
            },
            "completion_tokens_details": {
                "reasoning_tokens": usage.reasoning,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        created = int(time.time())
        base = {
            "id": completion_id,
            "created": created,
            "model": model,
            "service_tier": tier,
        }
        base["system_fingerprint"] = FINGERPRINTS[spec.model]
        headers = {
            "x-request-id": request_id,
            "openai-processing-ms": str(state.rng.randint(300, 4000)),
        }
        text = state.text()
        reply = Reply(
            200, headers, b"", completion_id, request_id, model, usage, raw_usage, tier
        )
        if not request.get("stream"):
            message: dict[str, Any] = {
                "role": "assistant",
                "content": "".join(text),
                "refusal": None,
                "annotations": [],
            }
            choice = {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "stop",
            }
            payload = {
                **base,
                "object": "chat.completion",
                "choices": [choice],
                "usage": raw_usage,
            }
            reply.status, reply.headers, reply.body = _json(200, payload, headers)
            return reply
        include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        chunk = {**base, "object": "chat.completion.chunk"}
        usage_field = {"usage": None} if include_usage else {}
        deltas = [{"role": "assistant", "content": "", "refusal": None}] + [
            {"content": part} for part in text
        ]
        events = [
            {
                **chunk,
                "choices": [
                    {
                        "index": 0,
                        "delta": delta,
                        "logprobs": None,
                        "finish_reason": None,
                    }
                ],
                **usage_field,
            }
            for delta in deltas
        ]
        events.append(
            {
                **chunk,
                "choices": [
                    {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
                ],
            }
        )
        events[-1].update(usage_field)
        if include_usage:
            events.append({**chunk, "choices": [], "usage": raw_usage})
        else:
            reply.raw_usage = None
        reply.headers = {"content-type": "text/event-stream; charset=utf-8", **headers}
        reply.body = _sse(
            [(None, json.dumps(event)) for event in events] + [(None, "[DONE]")]
        )
        return reply


class AnthropicVendor:
    """`POST /v1/messages`, with `message_start` / `message_delta` usage for streams."""

    provider: Provider = "anthropic"

    def __init__(self, state: VendorState) -> None:
        self.state = state

    def request_id(self) -> str:
        return "req_011C" + self.state.token(ALNUM, 20)

    def error(self, status: int, model: str) -> Reply:
        request_id = self.request_id()
        kind, message = (
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
        )
        if status != 429:
            kind, message = ("overloaded_error", "Overloaded")
        payload = {
            "type": "error",
            "error": {"type": kind, "message": message},
            "request_id": request_id,
        }
        headers = {
            "request-id": request_id,
            "retry-after-ms": "1",
            "retry-after": "0",
            "x-should-retry": "true",
        }
        status, headers, body = _json(status, payload, headers)
        return Reply(status, headers, body, request_id=request_id)

    def raw_usage(self, usage: Usage, output_tokens: int) -> dict[str, Any]:
        return {
            "input_tokens": usage.uncached,
            "cache_creation_input_tokens": usage.cache_write_5m + usage.cache_write_1h,
            "cache_read_input_tokens": usage.cache_read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": usage.cache_write_5m,
                "ephemeral_1h_input_tokens": usage.cache_write_1h,
            },
            "output_tokens": output_tokens,
            "service_tier": "standard",
        }

    def reply(self, spec: CallSpec, request: dict[str, Any]) -> Reply:
        state = self.state
        usage = state.draw_usage("anthropic", spec)
        message_id = "msg_01" + state.token(ALNUM, 22)
        request_id = self.request_id()
        model = RESPONSE_MODELS.get(spec.model, spec.model)
        headers = {
            "request-id": request_id,
            "anthropic-organization-id": "00000000-0000-4000-8000-00000000c0f1",
        }
        text = state.text()
        raw_usage = self.raw_usage(usage, usage.output)
        message = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": model,
        }
        reply = Reply(
            200,
            headers,
            b"",
            message_id,
            request_id,
            model,
            usage,
            raw_usage,
            "standard",
        )
        if not request.get("stream"):
            content = [{"type": "text", "text": "".join(text)}]
            payload = {
                **message,
                "content": content,
                "stop_reason": "end_turn",
                "stop_sequence": None,
            }
            reply.status, reply.headers, reply.body = _json(
                200, {**payload, "usage": raw_usage}, headers
            )
            return reply
        start: dict[str, Any] = {
            **message,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
        }
        start["usage"] = self.raw_usage(usage, 1)
        events: list[tuple[str | None, dict[str, Any]]] = [
            ("message_start", {"type": "message_start", "message": start}),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            ("ping", {"type": "ping"}),
        ]
        for part in text:
            delta = {"type": "text_delta", "text": part}
            events.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": 0, "delta": delta},
                )
            )
        events += [
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": usage.output},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
        reply.raw_usage = {
            "message_start": start["usage"],
            "message_delta": {"output_tokens": usage.output},
        }
        reply.headers = {"content-type": "text/event-stream; charset=utf-8", **headers}
        reply.body = _sse([(event, json.dumps(data)) for event, data in events])
        return reply


def _event_stream_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One message of the AWS event stream encoding (prelude, string headers, payload, two CRC32s)."""
    encoded = b"".join(
        bytes([len(name)])
        + name.encode()
        + b"\x07"
        + struct.pack(">H", len(value))
        + value.encode()
        for name, value in headers.items()
    )
    prelude = struct.pack(">II", 16 + len(encoded) + len(payload), len(encoded))
    message = prelude + struct.pack(">I", binascii.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", binascii.crc32(message))


def _event(event_type: str, payload: dict[str, Any]) -> bytes:
    headers = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return _event_stream_message(headers, json.dumps(payload).encode())


class BedrockVendor:
    """Bedrock Runtime: `/model/{modelId}/converse`, `/converse-stream` and `/invoke` (Nova and Claude bodies)."""

    provider: Provider = "aws_bedrock"

    def __init__(self, state: VendorState) -> None:
        self.state = state

    def request_id(self) -> str:
        hexa = self.state.token("0123456789abcdef", 32)
        return f"{hexa[:8]}-{hexa[8:12]}-4{hexa[13:16]}-a{hexa[17:20]}-{hexa[20:]}"

    def error(self, status: int, model: str) -> Reply:
        request_id = self.request_id()
        kind, message = (
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        )
        if status != 429:
            kind, message = (
                "ServiceUnavailableException",
                "Bedrock is unable to process your request.",
            )
        headers = {
            "x-amzn-requestid": request_id,
            "x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
        }
        status, headers, body = _json(status, {"message": message}, headers)
        return Reply(status, headers, body, request_id, request_id, model)

    def converse_usage(self, usage: Usage) -> dict[str, int]:
        raw = {
            "inputTokens": usage.uncached,
            "outputTokens": usage.output,
            "totalTokens": usage.uncached
            + usage.cache_read
            + usage.cache_write_5m
            + usage.output,
        }
        if usage.cache_read or usage.cache_write_5m:
            raw |= {
                "cacheReadInputTokens": usage.cache_read,
                "cacheWriteInputTokens": usage.cache_write_5m,
            }
        return raw

    def reply(self, spec: CallSpec, request: dict[str, Any], operation: str) -> Reply:
        state = self.state
        usage = state.draw_usage("aws_bedrock", spec)
        request_id = self.request_id()
        headers = {"x-amzn-requestid": request_id}
        text = state.text()
        latency = state.rng.randint(250, 3000)
        reply = Reply(200, headers, b"", request_id, request_id, spec.model, usage)
        if operation == "converse":
            message = {"role": "assistant", "content": [{"text": "".join(text)}]}
            reply.raw_usage = self.converse_usage(usage)
            payload: dict[str, Any] = {
                "output": {"message": message},
                "stopReason": "end_turn",
                "usage": reply.raw_usage,
            }
            reply.status, reply.headers, reply.body = _json(
                200, {**payload, "metrics": {"latencyMs": latency}}, headers
            )
            return reply
        if operation == "converse-stream":
            reply.raw_usage = self.converse_usage(usage)
            events = [_event("messageStart", {"role": "assistant"})]
            events += [
                _event(
                    "contentBlockDelta",
                    {"contentBlockIndex": 0, "delta": {"text": part}},
                )
                for part in text
            ]
            events += [
                _event("contentBlockStop", {"contentBlockIndex": 0}),
                _event("messageStop", {"stopReason": "end_turn"}),
                _event(
                    "metadata",
                    {"usage": reply.raw_usage, "metrics": {"latencyMs": latency}},
                ),
            ]
            reply.headers = {
                "content-type": "application/vnd.amazon.eventstream",
                **headers,
            }
            reply.body = events
            return reply
        headers |= {
            "x-amzn-bedrock-input-token-count": str(usage.uncached),
            "x-amzn-bedrock-output-token-count": str(usage.output),
            "x-amzn-bedrock-invocation-latency": str(latency),
            "x-amzn-bedrock-cache-read-input-token-count": str(usage.cache_read),
            "x-amzn-bedrock-cache-write-input-token-count": str(usage.cache_write_5m),
        }
        if "anthropic_version" in request:
            anthropic = AnthropicVendor(state)
            reply.raw_usage = anthropic.raw_usage(usage, usage.output)
            del reply.raw_usage["service_tier"]
            reply.body_id = "msg_bdrk_01" + state.token(ALNUM, 22)
            payload = {
                "id": reply.body_id,
                "type": "message",
                "role": "assistant",
                "model": RESPONSE_MODELS["claude-haiku-4-5"],
                "content": [{"type": "text", "text": "".join(text)}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": reply.raw_usage,
            }
        else:
            reply.raw_usage = {
                "inputTokens": usage.uncached,
                "outputTokens": usage.output,
                "totalTokens": usage.uncached
                + usage.cache_read
                + usage.cache_write_5m
                + usage.output,
                "cacheReadInputTokenCount": usage.cache_read,
                "cacheWriteInputTokenCount": usage.cache_write_5m,
            }
            message = {"content": [{"text": "".join(text)}], "role": "assistant"}
            payload = {
                "output": {"message": message},
                "stopReason": "end_turn",
                "usage": reply.raw_usage,
            }
        reply.status, reply.headers, reply.body = _json(200, payload, headers)
        return reply


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeVendorServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        state = self.server.state
        with state.lock:
            reply = self.answer(state, request)
        self.send(reply)

    def answer(self, state: VendorState, request: dict[str, Any]) -> Reply:
        call = state.current
        if call is None:
            raise RuntimeError(f"request to {self.path} outside any planned call")
        spec = call.spec
        attempt = state.attempts[spec.call_id] = state.attempts.get(spec.call_id, 0) + 1
        path = unquote(self.path.split("?")[0])
        vendor: OpenAIVendor | AnthropicVendor | BedrockVendor
        if path == "/v1/chat/completions":
            vendor = OpenAIVendor(state)
        elif path == "/v1/messages":
            vendor = AnthropicVendor(state)
        elif path.startswith("/model/"):
            vendor = BedrockVendor(state)
        else:
            raise RuntimeError(f"unknown path {path}")
        if attempt == 1 and spec.fail_first:
            reply = vendor.error(spec.fail_first, spec.model)
        elif isinstance(vendor, BedrockVendor):
            reply = vendor.reply(spec, request, path.rsplit("/", 1)[1])
        else:
            reply = vendor.reply(spec, request)
        state.log(vendor.provider, spec, call, attempt, reply)
        return reply

    def send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes):
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for chunk in reply.body:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


class FakeVendorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: VendorState) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops a kept-alive connection is no error; anything else is printed as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
