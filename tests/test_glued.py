"""Glued-name repair (issue 12): names and titles that lost their spaces are set apart, ordinary words are not.

Strings are written for these tests; the real corpus figures are in bench/bench_keyword_events.py.
"""

from __future__ import annotations

import pytest

from pipeline.clean import clean_body
from pipeline.glued import GluedNames, repair_glued_names
from pipeline.terms import terms
from tests.test_hostile_patterns import KB, PROSE, _check


@pytest.mark.parametrize(
    ("glued", "repaired"),
    [
        ("The respected ComradeKim Jong Unexamined the plant.", "The respected Comrade Kim Jong Un examined the plant."),
        ("wreaths to PresidentKim Il Sungand ChairmanKim Jong Il.", "wreaths to President Kim Il Sung and Chairman Kim Jong Il."),
        ("General SecretaryKim Jong Unsent a message", "General Secretary Kim Jong Un sent a message"),
        ("a visit ofKim Jong Un", "a visit of Kim Jong Un"),
        ("ComradesKim Il SungandKim Jong Il", "Comrades Kim Il Sung and Kim Jong Il"),
        ("the Kim Il SungUniversity campus", "the Kim Il Sung University campus"),
        ("Kim Jong Unto the front", "Kim Jong Un to the front"),
        ("Kim Jong-unsaid", "Kim Jong-un said"),
        ("ChairmanKim said", "Chairman Kim said"),
        ("where MarshalKim, smiling", "where Marshal Kim, smiling"),
        ("the messageVladimir Putin sent", "the message Vladimir Putin sent"),
    ],
)
def test_glued_names_are_set_apart(glued: str, repaired: str) -> None:
    assert repair_glued_names(glued) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "Kimchi and kimbap were served.",  # a surname followed by lower case is another word
        "the Sungari river",  # a name's last syllable alone is not a name
        "Putinism and Trumpism",  # never after a bare surname
        "McKim and MacKim wrote",  # surname prefixes
        "Kim Jong Ung met the delegates",  # name + tail that is one syllable: maybe another person
        "Kim Jong Ilia in bloom",  # the flower Kimjongilia
        "visit KamalaHarris.com today",  # a web address
        "Ri is a surname; bRi and eNo are not split",  # short surnames alone never split
        "Comrade Kim Jong Un sent",  # already right
        "",
    ],
)
def test_ordinary_words_are_left_alone(text: str) -> None:
    assert repair_glued_names(text) == text


def test_names_and_titles_come_from_the_arguments() -> None:
    repairer = GluedNames(names=["Jane Roe-smith"], surnames=["Roe"], titles=["Envoy"])
    assert repairer.repair("theEnvoy met Jane Roe Smithtoday") == "the Envoy met Jane Roe Smith today"
    assert repairer.repair("sawRoe") == "saw Roe"
    assert repairer.repair("ChairmanKim") == "ChairmanKim"  # not in this repairer's lists


def test_clean_up_repairs_the_body_so_terms_see_the_name() -> None:
    body = clean_body("Pyongyang, May 2 (KCNA) -- The respected ComradeKim Jong Unsent greetings to PresidentKim Il Sungand others.").text
    assert body == "The respected Comrade Kim Jong Un sent greetings to President Kim Il Sung and others."
    counted = terms(body)
    assert "kim-jong-un" in counted and "kim-il-sung" in counted
    assert not {"comradekim", "unsent", "sungand", "presidentkim"} & set(counted)


@pytest.mark.parametrize("unit", ["aKim", "ComradeKim ", "Kim Jong Un", "Kim Jong Unx", "aKim Jong Una", "aComrade", "Mc", "Kim Il Sung"])
def test_repair_is_linear(unit: str) -> None:
    _check(repair_glued_names, unit, size=128 * KB, plain_unit=PROSE)

