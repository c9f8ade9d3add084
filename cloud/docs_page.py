"""`/docs`: the protocol's routes and schemas as one plain HTML page, with nothing fetched from
elsewhere (FastAPI's default page loads Swagger UI from a public CDN, which a district's network
may block and which would tell a third party who reads the docs)."""

from __future__ import annotations

import html
import json


def _schema_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def docs_html(spec: dict) -> str:
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(spec['info']['title'])}</title>",
        "<style>body{font:14px/1.5 sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "code,pre{background:#f4f4f4;padding:0 .2em}pre{padding:.5em;overflow:auto}"
        "h3{margin-bottom:.2em}</style></head><body>",
        f"<h1>{html.escape(spec['info']['title'])} (protocol {spec['info']['version']})</h1>",
        f"<p>{html.escape(spec['info'].get('description', ''))} "
        "The machine-readable form is <a href='/openapi.json'>/openapi.json</a>.</p>",
        "<h2>Routes</h2>",
    ]
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            out.append(f"<h3><code>{method.upper()} {html.escape(path)}</code></h3>")
            if op.get("description") or op.get("summary"):
                text = op.get("description") or op.get("summary")
                out.append(f"<p>{html.escape(text)}</p>")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "$ref" in body.get("schema", {}):
                name = _schema_name(body["schema"]["$ref"])
                out.append(f"<p>Body: <a href='#{name}'>{name}</a></p>")
            answers = ", ".join(
                f"{code}" + (f" <a href='#{n}'>{n}</a>" if (n := _answer_schema(r)) else "")
                for code, r in op.get("responses", {}).items()
            )
            out.append(f"<p>Answers: {answers}</p>")
    out.append("<h2>Schemas</h2>")
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        out.append(f"<h3 id='{html.escape(name)}'>{html.escape(name)}</h3>")
        out.append(f"<pre>{html.escape(json.dumps(schema, indent=1, ensure_ascii=False))}</pre>")
    out.append("</body></html>")
    return "\n".join(out)


def _answer_schema(response: dict) -> str | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return _schema_name(schema["$ref"]) if "$ref" in schema else None
