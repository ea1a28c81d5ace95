"""How well the instrument measures: reliability over pooled responses. Pure: no Django.

Cronbach's alpha from one organization's 7 to 40 respondents is noise, so it is never shown in
an organization's report; over every closed staff survey's responses pooled, it says whether
the items of a dimension hang together.

Items on the ``breaks`` scale are left out: they count how often a rule was seen broken, an event
in the organization, not a person's practice, so they are not indicators of one trait (in an
organization that keeps its rules every answer is "Never", whatever the person's practice).
"""

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assessment import scoring


@dataclass(frozen=True)
class DimensionReliability:
    key: str
    n: int  # responses that scored every item of the dimension
    alpha: float | None
    item_rest: dict[str, float | None]  # item key -> correlation with the rest of the dimension


def _complete_rows(
    instrument: scoring.Instrument, key: str, answer_sets: Iterable[Mapping[str, scoring.Answer]]
) -> list[list[float]]:
    items = instrument.items_of(key)
    rows = []
    for answers in answer_sets:
        row = [score for item in items if (score := scoring.item_score(item, answers.get(item.key))) is not None]
        if len(row) == len(items):
            rows.append(row)
    return rows


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3:
        return None
    try:
        return statistics.correlation(xs, ys)
    except statistics.StatisticsError:  # no variation on one side
        return None


def dimension_reliability(
    instrument: scoring.Instrument, answer_sets: Iterable[Mapping[str, scoring.Answer]]
) -> list[DimensionReliability]:
    """Return, per dimension, Cronbach's alpha and each item's correlation with the rest of its dimension.

    >>> spec = scoring.Instrument((scoring.DimensionSpec("d"),), tuple(scoring.ItemSpec(k, "d") for k in "abc"))
    >>> rows = [{"a": v, "b": v, "c": min(4, v + 1)} for v in (0, 1, 2, 3, 4)]
    >>> result = dimension_reliability(spec, rows)[0]
    >>> result.n, round(result.alpha, 2), round(result.item_rest["a"], 2)
    (5, 0.99, 0.99)
    """
    answer_sets = list(answer_sets)
    instrument = scoring.Instrument(
        instrument.dimensions, tuple(item for item in instrument.items if item.scale != scoring.BREAKS_SCALE)
    )
    found = []
    for dimension in instrument.dimensions:
        items = instrument.items_of(dimension.key)
        if not items:
            continue
        rows = _complete_rows(instrument, dimension.key, answer_sets)
        item_rest = {}
        for index, item in enumerate(items):
            own = [row[index] for row in rows]
            rest = [sum(row) - row[index] for row in rows]
            item_rest[item.key] = _correlation(own, rest) if len(items) > 1 else None
        found.append(
            DimensionReliability(
                key=dimension.key,
                n=len(rows),
                alpha=scoring.cronbach_alpha(instrument, dimension.key, answer_sets),
                item_rest=item_rest,
            )
        )
    return found
