"""The published OpenAPI document is the server's own, not a stale copy."""

from pathlib import Path

from scripts.export_openapi import TARGET, document


def test_docs_sync_openapi_json_is_current():
    assert Path(TARGET).read_text(encoding="utf-8") == document(), "run scripts/export_openapi.py"
