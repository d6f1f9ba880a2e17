"""The content format: model, YAML loader with positions, JSON Schema, validator rules."""

from __future__ import annotations
