"""The NENA EIDO OpenAPI schema as a real validator: $refs into NIEMComponents resolved."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import SHARED_DATA

EIDO_DIR = SHARED_DATA / "eido"
SCHEMA = EIDO_DIR / "Schema" / "openapi.yaml"
SAMPLES = EIDO_DIR / "Samples"


_COUNTS = frozenset({"minItems", "maxItems", "minLength", "maxLength"})


def _repair(node: Any) -> Any:
    """Fix the one typo of the published schema: ``minItems: 1,`` (AgentType's
    agentRoleRegistryText) reads as the string '1,' and breaks every validator."""
    if isinstance(node, dict):
        return {k: int(str(v).rstrip(",")) if k in _COUNTS and isinstance(v, str)
                else _repair(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_repair(v) for v in node]
    return node


def _retrieve(uri: str) -> Resource:
    path = Path(uri.removeprefix("file://"))
    with path.open(encoding="utf-8") as f:
        return Resource.from_contents(_repair(yaml.safe_load(f)), default_specification=DRAFT4)


@functools.cache
def eido_validator() -> OAS30Validator:
    """Validator of ``EmergencyIncidentDataObjectType`` (the whole EIDO document)."""
    base = SCHEMA.resolve().as_uri()
    registry: Registry = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    schema: dict[str, Any] = {
        "$ref": f"{base}#/components/schemas/EmergencyIncidentDataObjectType"}
    return OAS30Validator(schema, registry=registry, format_checker=oas30_format_checker)


def eido_errors(document: Any) -> list[str]:
    """Every schema violation in ``document`` as 'path: message' (empty when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in eido_validator().iter_errors(document)]
