"""Write docs/sync-openapi.json from the reference server (a test checks it is current)."""

import json
import sys
from pathlib import Path

from sqlalchemy import create_engine

from cloud.api import create_app
from cloud.database import Store

TARGET = Path(__file__).resolve().parent.parent / "docs" / "sync-openapi.json"


def document() -> str:
    app = create_app(Store(create_engine("sqlite://")))
    return json.dumps(app.openapi(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    TARGET.write_text(document(), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
