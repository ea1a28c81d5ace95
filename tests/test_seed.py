"""The seed's fingerprints catch a copied run of words, and only a copied one."""

from tests.seed import copied_runs

# Ten words of the guide's opening line, quoted here to show the check finds them.
QUOTED = "upholding and promoting human rights justice and access for migrant sex workers"


def test_a_run_of_the_seeds_words_is_found_in_any_case_and_punctuation():
    assert copied_runs(f"Our aim: {QUOTED.upper()}!") == [
        "upholding and promoting human rights justice and access",
        "and promoting human rights justice and access for",
        "promoting human rights justice and access for migrant",
        "human rights justice and access for migrant sex",
        "rights justice and access for migrant sex workers",
    ]
    assert copied_runs(QUOTED, length=10)


def test_our_own_words_are_not_found():
    ours = "Nobody here calls the police about a person unless that person has clearly agreed to it."
    assert copied_runs(ours) == [] and copied_runs(ours, length=10) == []
