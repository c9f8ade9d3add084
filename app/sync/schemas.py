"""What a server may answer. Anything else is a protocol violation and changes nothing here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sync.transport import ProtocolViolation

if TYPE_CHECKING:
    import jsonschema

_ORG = {
    "type": "object",
    "required": ["id", "code", "name"],
    "properties": {
        "id": {"type": "string"},
        "code": {"type": "string"},
        "name": {"type": "string"},
    },
}
_DIGEST = {
    "type": "object",
    "required": ["count", "sha256"],
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "stream": {"type": ["string", "null"]},
    },
    "additionalProperties": False,
}
_RECEIPT = {
    "type": "object",
    "required": ["submission_id", "server_seq", "received_at", "payload_sha256"],
    "properties": {
        "submission_id": {"type": "string"},
        "server_seq": {"type": "integer"},
        "received_at": {"type": "string", "maxLength": 40},
        "payload_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
    "additionalProperties": False,
}
SCHEMAS = {
    "enroll_check": {
        "type": "object",
        "required": ["school"],
        "properties": {"school": _ORG},
    },
    "enroll": {
        "type": "object",
        "required": ["device_id", "token", "school", "student_key_secret"],
        "properties": {
            "device_id": {"type": "string", "maxLength": 64},
            "token": {"type": "string", "maxLength": 200},
            "student_key_secret": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "school": _ORG,
            "district": {"anyOf": [_ORG, {"type": "null"}]},
            "city": {"anyOf": [_ORG, {"type": "null"}]},
        },
    },
    "health": {
        "type": "object",
        "required": ["status", "protocol_version", "min_client_version", "server_time", "school"],
        "properties": {
            "status": {"const": "ok"},
            "protocol_version": {"type": "integer"},
            "min_client_version": {"type": "string"},
            "server_time": {"type": "string"},
            "school": _ORG,
            "student_key_secret": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
    },
    "page": {
        "type": "object",
        "required": ["stream", "items", "next_cursor", "has_more"],
        "additionalProperties": False,
        "properties": {
            "stream": {"type": "string"},
            "next_cursor": {"type": "string", "minLength": 1, "maxLength": 512},
            "has_more": {"type": "boolean"},
            "items": {
                "type": "array",
                "maxItems": 2000,
                "items": {
                    "type": "object",
                    "required": ["id", "version", "deleted", "payload"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string", "minLength": 1, "maxLength": 64},
                        "version": {"type": "integer", "minimum": 1},
                        "deleted": {"type": "boolean"},
                        "payload": {"type": ["object", "null"]},
                    },
                },
            },
        },
    },
    "digest": _DIGEST,
    "audit_head": {
        "type": "object",
        "required": ["head"],
        "additionalProperties": False,
        "properties": {
            "head": {
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["seq", "hash", "received_at"],
                        "additionalProperties": False,
                        "properties": {
                            "seq": {"type": "integer", "minimum": 1, "maximum": 2**53},
                            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            "received_at": {"type": "string", "maxLength": 40},
                        },
                    },
                ]
            }
        },
    },
    "batch": {
        "type": "object",
        "required": ["results"],
        "additionalProperties": False,
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["submission_id", "status"],
                    "additionalProperties": False,
                    "properties": {
                        "submission_id": {"type": "string"},
                        "status": {"type": "integer"},
                        "receipt": _RECEIPT,
                        "error": {"type": "string", "maxLength": 500},
                    },
                },
            }
        },
    },
}

ROSTER_ITEM = {
    "type": "object",
    "required": ["student_no", "name"],
    "additionalProperties": False,
    "properties": {
        "student_no": {"type": "string", "minLength": 1, "maxLength": 32},
        "name": {"type": "string", "minLength": 1, "maxLength": 60},
        "gender": {"enum": ["M", "F", None]},
        "birth_date": {"type": ["string", "null"], "format": "date"},
        "grade_level": {"type": ["integer", "null"], "minimum": 1, "maximum": 12},
        "class_number": {"type": ["integer", "null"], "minimum": 1, "maximum": 99},
        "status": {"enum": ["enrolled", "transferred", "graduated", "suspended"]},
    },
}
PLAN_ITEM = {
    "type": "object",
    "required": ["id", "name", "scale_ids", "starts_on", "ends_on"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "scale_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "classes": {
            "anyOf": [
                {"const": "all"},
                {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "items": {"type": "integer"},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            ]
        },
        "starts_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date"},
    },
}
RULES_ITEM = {
    "type": "object",
    "required": ["rules"],
    "additionalProperties": False,
    "properties": {"rules": {"type": "object", "required": ["rules"]}},
}
TRANSFER_ITEM = {
    "type": "object",
    "required": ["student_no", "results", "warnings"],
    "properties": {
        "student_no": {"type": "string"},
        "name": {"type": ["string", "null"]},
        "from_school": {"type": ["string", "null"]},
        "results": {"type": "array"},
        "warnings": {"type": "array"},
    },
}


_validators: dict[int, jsonschema.Draft202012Validator] = {}


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    """Schemas are module constants, so their identity is a safe cache key."""
    import jsonschema  # loaded with the first document checked, not with the window

    v = _validators.get(id(schema))
    if v is None:
        v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        _validators[id(schema)] = v
    return v


def check(name_or_schema, doc) -> None:
    schema = SCHEMAS[name_or_schema] if isinstance(name_or_schema, str) else name_or_schema
    validator = _validator(schema)
    if validator.is_valid(doc):
        return
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(doc))
    path = "/".join(str(p) for p in error.absolute_path)
    raise ProtocolViolation(f"{path or 'response'}: {error.message[:160]}")
