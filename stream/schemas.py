"""Validators for the JSON Schemas in ``schemas/``: the contract downstream teams check.

They ship in the package as ``stream/data/schemas`` (a link to the repository's ``schemas/``
in a checkout, the files themselves in a wheel), so an installed meetwire finds them too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "schemas"
SCHEMA_FILES = {
    "wire_item": "wire_item.schema.json",
    "meeting_event": "meeting_event.v1.schema.json",
    "dead_letter": "dead_letter.schema.json",
    "canonical_meeting": "canonical_meeting.v1.schema.json",
}


def load_validator(name: str) -> Draft202012Validator:
    """The validator for one of ``SCHEMA_FILES``' records."""
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / SCHEMA_FILES[name]).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
