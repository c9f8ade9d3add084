"""The sync's crash points, in the order a session passes them (tests kill the client at each)."""

POINTS = (
    "push.before_send",
    "push.after_send",
    "push.after_receipt",
    "pull.after_page",
    "pull.after_apply",
)
