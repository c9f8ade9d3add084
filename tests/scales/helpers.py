"""Build answer sheets that reach an exact item-score total, whatever the reverse keying."""

from app.scales.definition import ScaleDefinition


def answers_for_total(
    defn: ScaleDefinition, total: int, items: list[int] | None = None
) -> list[int]:
    """Answers (as printed on the form) whose scored items sum to `total`; others at minimum."""
    items = items or defn.scored_items
    answers = [min(defn.allowed_values(i)) for i in range(1, defn.item_count + 1)]
    scores = {i: min(defn.allowed_values(i)) for i in items}
    remaining = total - sum(scores.values())
    assert remaining >= 0, "total below the minimum"
    for i in items:
        top = max(defn.allowed_values(i))
        step = min(top - scores[i], remaining)
        scores[i] += step
        remaining -= step
    assert remaining == 0, "total above the maximum"
    for i in range(1, defn.item_count + 1):
        if i in scores:
            values = defn.allowed_values(i)
            s = scores[i]
            answers[i - 1] = min(values) + max(values) - s if i in defn.reverse_items else s
        elif i in defn.reverse_items:
            values = defn.allowed_values(i)
            answers[i - 1] = max(values)  # item score at its minimum
    return answers
