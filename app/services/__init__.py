"""Use cases: plain functions that the CLI, the UI and the tests call the same way."""
