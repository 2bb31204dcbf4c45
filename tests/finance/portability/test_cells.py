import pytest

from finance.export import neutralise, unneutralise

NASTY = [
    "",
    "plain",
    "=1+2",
    "+44 20",
    "-meals",
    "@SUM(A1)",
    "'quoted already",
    "'=1+2",
    "''=x",
    "  =x",
    " 'x",
    "\t=x",
    "a;=b",
    "a;'=b",
    "a; \"'=b",
    "a,,=b|+c\n-d\r@e",
    "caf\u00e9 \u2014 \U0001f600",
    "it's fine",
    "x'",
]


@pytest.mark.parametrize("text", NASTY)
def test_text_round_trips_through_the_formula_guard(text):
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("text", ["=1+2", "'=1+2", "a;=b", "\t=x", "-meals"])
def test_no_guarded_piece_starts_a_formula(text):
    guarded = neutralise(text)
    for delimiter in ",;\t|\r\n":
        for piece in guarded.split(delimiter):
            assert not piece.lstrip(' "').startswith(("=", "+", "-", "@"))
