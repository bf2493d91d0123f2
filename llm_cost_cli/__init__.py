"""`llm-cost`: audit a telemetry or invoice sample in one command (see README, "Try it on a sample first")."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
