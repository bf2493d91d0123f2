"""The recorded scenarios: one SDK, the instrumentation around it, and the environment it runs with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from opentelemetry.sdk.trace import TracerProvider

from conformance.plan import Provider

COMMON_PACKAGES = (
    "opentelemetry-api",
    "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-proto-common",
    "protobuf",
)
NO_CONTENT = {
    "TRACELOOP_TRACE_CONTENT": "false",
    "OPENINFERENCE_HIDE_INPUTS": "true",
    "OPENINFERENCE_HIDE_OUTPUTS": "true",
}


def _openai_v2(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

    OpenAIInstrumentor().instrument(tracer_provider=provider)


def _openllmetry_openai(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.openai import OpenAIInstrumentor

    OpenAIInstrumentor().instrument(tracer_provider=provider)


def _openinference_openai(provider: TracerProvider) -> None:
    from openinference.instrumentation.openai import OpenAIInstrumentor

    OpenAIInstrumentor().instrument(tracer_provider=provider)


def _no_instrumentation(provider: TracerProvider) -> None:
    return None


def _openllmetry_anthropic(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor

    AnthropicInstrumentor().instrument(tracer_provider=provider)


def _openinference_anthropic(provider: TracerProvider) -> None:
    from openinference.instrumentation.anthropic import AnthropicInstrumentor

    AnthropicInstrumentor().instrument(tracer_provider=provider)


def _openllmetry_bedrock(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.bedrock import BedrockInstrumentor

    BedrockInstrumentor().instrument(tracer_provider=provider)


@dataclass(frozen=True)
class Scenario:
    name: str
    provider: Provider
    description: str
    instrument: Callable[[TracerProvider], None]
    packages: tuple[str, ...]
    environment_key: str
    environment: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def service_name(self) -> str:
        return f"conf-{self.name}"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "openai-v2-default",
        "openai",
        "openai SDK + opentelemetry-instrumentation-openai-v2, default semantic conventions",
        _openai_v2,
        (
            "openai",
            "opentelemetry-instrumentation-openai-v2",
            "opentelemetry-util-genai",
            "httpx",
        ),
        "deployment.environment.name",
        "production",
        {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "false"},
    ),
    Scenario(
        "openai-v2-latest-experimental",
        "openai",
        "openai SDK + opentelemetry-instrumentation-openai-v2, "
        "OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental",
        _openai_v2,
        (
            "openai",
            "opentelemetry-instrumentation-openai-v2",
            "opentelemetry-util-genai",
            "httpx",
        ),
        "deployment.environment",
        "prod",
        {
            "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "NO_CONTENT",
        },
    ),
    Scenario(
        "openai-openllmetry",
        "openai",
        "openai SDK + OpenLLMetry opentelemetry-instrumentation-openai",
        _openllmetry_openai,
        (
            "openai",
            "opentelemetry-instrumentation-openai",
            "opentelemetry-semantic-conventions-ai",
        ),
        "deployment.environment.name",
        "staging",
    ),
    Scenario(
        "openai-openinference",
        "openai",
        "openai SDK + OpenInference openinference-instrumentation-openai",
        _openinference_openai,
        (
            "openai",
            "openinference-instrumentation-openai",
            "openinference-instrumentation",
            "openinference-semantic-conventions",
        ),
        "deployment.environment",
        "production",
    ),
    Scenario(
        "anthropic-sdk",
        "anthropic",
        "anthropic SDK alone with a tracer provider (the SDK's own spans)",
        _no_instrumentation,
        ("anthropic",),
        "deployment.environment.name",
        "production",
    ),
    Scenario(
        "anthropic-openllmetry",
        "anthropic",
        "anthropic SDK (its own spans) + OpenLLMetry opentelemetry-instrumentation-anthropic",
        _openllmetry_anthropic,
        (
            "anthropic",
            "opentelemetry-instrumentation-anthropic",
            "opentelemetry-semantic-conventions-ai",
        ),
        "deployment.environment",
        "production",
    ),
    Scenario(
        "anthropic-openinference",
        "anthropic",
        "anthropic SDK (its own spans) + OpenInference openinference-instrumentation-anthropic",
        _openinference_anthropic,
        (
            "anthropic",
            "openinference-instrumentation-anthropic",
            "openinference-instrumentation",
            "openinference-semantic-conventions",
        ),
        "deployment.environment.name",
        "staging",
    ),
    Scenario(
        "bedrock-openllmetry",
        "aws_bedrock",
        "boto3 bedrock-runtime + OpenLLMetry opentelemetry-instrumentation-bedrock",
        _openllmetry_bedrock,
        (
            "boto3",
            "botocore",
            "opentelemetry-instrumentation-bedrock",
            "opentelemetry-semantic-conventions-ai",
        ),
        "deployment.environment.name",
        "production",
    ),
)

BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
