"""The city-cloud sync client (docs/sync-protocol.md). Qt-free; the UI adapts it in app/ui/sync_page.

Offline is the normal state: nothing here is needed to use the archive, and a sync only moves
what the sync policy allows, from an outbox written in the same transaction as the data.
"""

CLIENT_PROTOCOL = 1
STREAMS = ("roster", "scales", "plans", "rules", "transfers")
