"""Reading school rosters: files in, validated rows out. No database here."""
