from assessment import psychometrics, scoring

RULE = scoring.ItemSpec("rule", "d", max_value=2, reverse=True, critical=True, scale=scoring.BREAKS_SCALE)
PRACTICES = tuple(scoring.ItemSpec(key, "d") for key in "abc")


def test_rule_break_counts_are_not_indicators_of_the_trait():
    """Everyone in an organization that keeps its rule answers "Never", whatever their practice:
    the count is left out of alpha and of the item-rest correlations."""
    instrument = scoring.Instrument((scoring.DimensionSpec("d"),), (*PRACTICES, RULE))
    rows = [{"a": v, "b": v, "c": min(4, v + 1), "rule": 0} for v in (0, 1, 2, 3, 4)]
    found = psychometrics.dimension_reliability(instrument, rows)[0]
    practices_only = psychometrics.dimension_reliability(
        scoring.Instrument((scoring.DimensionSpec("d"),), PRACTICES), rows
    )[0]
    assert found.alpha == practices_only.alpha
    assert set(found.item_rest) == {"a", "b", "c"}


def test_a_dimension_of_rule_breaks_only_is_not_reported():
    instrument = scoring.Instrument(
        (scoring.DimensionSpec("d"), scoring.DimensionSpec("e")), (RULE, *(scoring.ItemSpec(key, "e") for key in "ab"))
    )
    rows = [{"rule": 0, "a": v, "b": v} for v in range(5)]
    assert [found.key for found in psychometrics.dimension_reliability(instrument, rows)] == ["e"]
