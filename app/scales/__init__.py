"""Scale definitions (data in resources/scales) and the scoring engine: pure Python, no Qt, no DB."""
