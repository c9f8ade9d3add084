"""The reference city-cloud server: the sync protocol's peer (docs/sync-protocol.md).

A city or district runs it on PostgreSQL behind TLS; SQLite is accepted only for a quick demo.
It never imports the desktop client: the protocol document is the only contract between them.
"""

PROTOCOL_VERSION = 1
