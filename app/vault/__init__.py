"""Key material: the data key, the key slots that wrap it, and unlock policy. No database here."""
