"""How the app calls each vendor through its real SDK, given a planned call."""

from __future__ import annotations

import json
from typing import Any, Protocol

from conformance.plan import CallSpec, Provider

API_KEY = "sk-test-conformance-5f1c0a9e2b7d4c38"
SYSTEM_PROMPT = (
    "You are the assistant of an internal finance tool. Answer in two sentences."
)
USER_PROMPT = "Summarise the open items of the March invoice run."
MAX_RETRIES = 2


class Caller(Protocol):
    def __call__(self, spec: CallSpec) -> None: ...


def redirecting_transport(vendor_url: str) -> Any:
    """An httpx2 transport that sends every request to the fake vendor, whatever host the SDK aims at.

    The SDK keeps its real base URL (`https://api.openai.com/v1`, `https://api.anthropic.com`), so what
    instrumentations derive from it (server address, API base, the provider inferred from the host) is
    what a real app records; only the connection goes to 127.0.0.1, over plain HTTP.
    """
    import httpx2

    target = httpx2.URL(vendor_url)

    class Redirect(httpx2.HTTPTransport):
        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            request.url = request.url.copy_with(
                scheme=target.scheme, host=target.host, port=target.port
            )
            return super().handle_request(request)

    return Redirect()


def openai_caller(base_url: str) -> Caller:
    import openai

    http_client = openai.DefaultHttpxClient(transport=redirecting_transport(base_url))
    client = openai.OpenAI(
        api_key=API_KEY, max_retries=MAX_RETRIES, http_client=http_client
    )

    def call(spec: CallSpec) -> None:
        kwargs: dict[str, Any] = {
            "model": spec.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": USER_PROMPT},
            ],
            "max_completion_tokens": 4096,
        }
        if spec.model.startswith("gpt-5"):
            kwargs["reasoning_effort"] = "low"
        else:
            kwargs["temperature"] = 0.2
        if spec.cache != "none":
            kwargs["prompt_cache_key"] = "finance-assistant-v3"
        if spec.service_tier:
            kwargs["service_tier"] = spec.service_tier
        if not spec.stream:
            client.chat.completions.create(**kwargs)
            return
        for _ in client.chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True}
        ):
            pass

    return call


def anthropic_caller(base_url: str) -> Caller:
    import anthropic

    http_client = anthropic.DefaultHttpxClient(
        transport=redirecting_transport(base_url)
    )
    client = anthropic.Anthropic(
        api_key=API_KEY, max_retries=MAX_RETRIES, http_client=http_client
    )

    def call(spec: CallSpec) -> None:
        system: dict[str, Any] = {"type": "text", "text": SYSTEM_PROMPT}
        if spec.cache == "write_1h":
            system["cache_control"] = {"type": "ephemeral", "ttl": "1h"}
        elif spec.cache != "none":
            system["cache_control"] = {"type": "ephemeral"}
        kwargs: dict[str, Any] = {
            "model": spec.model,
            "max_tokens": 1024,
            "system": [system],
            "messages": [{"role": "user", "content": USER_PROMPT}],
        }
        if spec.operation == "chat_stream_helper":
            with client.messages.stream(**kwargs) as stream:
                for _ in stream.text_stream:
                    pass
        elif spec.stream:
            for _ in client.messages.create(**kwargs, stream=True):
                pass
        else:
            client.messages.create(**kwargs)

    return call


def bedrock_caller(base_url: str) -> Caller:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=base_url,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=Config(retries={"max_attempts": MAX_RETRIES + 1, "mode": "standard"}),
    )

    def call(spec: CallSpec) -> None:
        if spec.operation == "invoke_model":
            client.invoke_model(
                modelId=spec.model, body=json.dumps(_invoke_body(spec))
            ).get("body").read()
            return
        system: list[dict[str, Any]] = [{"text": SYSTEM_PROMPT}]
        if spec.cache != "none":
            system.append({"cachePoint": {"type": "default"}})
        kwargs: dict[str, Any] = {
            "modelId": spec.model,
            "system": system,
            "messages": [{"role": "user", "content": [{"text": USER_PROMPT}]}],
            "inferenceConfig": {"maxTokens": 1024, "temperature": 0.2},
        }
        if spec.operation == "converse_stream":
            for _ in client.converse_stream(**kwargs)["stream"]:
                pass
        else:
            client.converse(**kwargs)

    return call


def _invoke_body(spec: CallSpec) -> dict[str, Any]:
    if "anthropic." in spec.model:
        return {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 1024,
            "system": SYSTEM_PROMPT,
            "messages": [{"role": "user", "content": USER_PROMPT}],
        }
    return {
        "schemaVersion": "messages-v1",
        "system": [{"text": SYSTEM_PROMPT}],
        "messages": [{"role": "user", "content": [{"text": USER_PROMPT}]}],
        "inferenceConfig": {"maxTokens": 1024},
    }


CALLERS = {
    "openai": openai_caller,
    "anthropic": anthropic_caller,
    "aws_bedrock": bedrock_caller,
}


def make_caller(provider: Provider, base_url: str) -> Caller:
    return CALLERS[provider](base_url)
