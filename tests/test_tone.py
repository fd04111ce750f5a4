"""Tone: fidelity to VADER, the diplomacy adaptation, explanations, aggregation and the human benchmarks."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, normalize

from pipeline import stance
from pipeline.actors import ActorMatcher, load_gazetteer
from pipeline.build import analyse_articles
from pipeline.ingest import ingest
from pipeline.stance import MENTIONS_COLUMN, split_sentence_actors, tone_toward
from pipeline.text import split_with_starts
from pipeline.tone import (
    DEFAULT_LEXICON_PATH,
    ToneScorer,
    article_tone,
    is_held_out,
    read_domain_lexicon,
    read_ratings,
    tone_class,
    tone_summary,
)

REPO = Path(__file__).resolve().parents[1]
NYT_RATINGS = REPO.parent / "shared" / "benchmarks" / "nyt_editorial_sentences_ratings.tsv"
DIPLOMACY_SENTENCES = REPO / "tests" / "data" / "diplomacy_sentences.csv"
LEXICON = read_domain_lexicon(DEFAULT_LEXICON_PATH)


@pytest.fixture(scope="module")
def domain() -> ToneScorer:
    return ToneScorer()


@pytest.fixture(scope="module")
def plain() -> ToneScorer:
    return ToneScorer(lexicon_path=None)


@pytest.fixture(scope="module")
def vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def nyt() -> pd.DataFrame:
    assert NYT_RATINGS.is_file(), f"the NYT ratings are expected at {NYT_RATINGS}"
    return read_ratings(NYT_RATINGS)


@pytest.fixture(scope="module")
def diplomacy() -> pd.DataFrame:
    return pd.read_csv(DIPLOMACY_SENTENCES, dtype={"id": str, "label": int, "sentence": str})


# --- fidelity to vaderSentiment (domain lexicon disabled) ------------------------------

VADER_RULE_CASES = [
    "The talks were good.",
    "The talks were not good.",
    "The talks weren't good at all.",
    "The envoy was very happy with the outcome.",
    "The envoy was only kind of happy.",
    "The offer was sort of generous, officials said.",
    "The summit was GOOD, officials said.",
    "THE SUMMIT WAS GOOD.",
    "The summit was good!!!",
    "Was the summit good?? Was it fair??",
    "The plan was good, but the execution was terrible.",
    "There was no progress and no hope.",
    "No one expected progress.",
    "It was never so good between them.",
    "Without a doubt the deal was good.",
    "It was the least successful round of talks.",
    "At least the talks were friendly.",
    "They said the new missile was the bomb.",
    "The deal was hardly fair and barely honest.",
    "",
    "   ",
    ":) the talks went well",
]


@pytest.mark.parametrize("sentence", VADER_RULE_CASES)
def test_plain_scorer_reproduces_vader_rule_by_rule(plain: ToneScorer, vader: SentimentIntensityAnalyzer, sentence: str) -> None:
    assert plain.score(sentence) == pytest.approx(vader.polarity_scores(sentence)["compound"], abs=1e-4)


def test_plain_scorer_agrees_with_vader_on_nyt_sentences(plain: ToneScorer, vader: SentimentIntensityAnalyzer, nyt: pd.DataFrame) -> None:
    ours = np.array(plain.score_many(nyt["sentence"]))
    reference = np.array([vader.polarity_scores(sentence)["compound"] for sentence in nyt["sentence"]])
    difference = np.abs(ours - reference)
    assert (difference < 0.05).mean() >= 0.99
    assert (difference < 1e-4).mean() >= 0.999  # only VADER's "but" quirk may differ


# --- the domain lexicon file -------------------------------------------------------


def test_lexicon_file_has_the_documented_columns_and_valid_rows() -> None:
    assert list(LEXICON.columns) == ["term", "valence", "rationale"]
    assert LEXICON["valence"].between(-4, 4).all()
    assert LEXICON["rationale"].str.strip().str.len().gt(0).all()
    assert not LEXICON["term"].duplicated().any()


@pytest.mark.parametrize("term", LEXICON.loc[LEXICON["valence"] == 0, "term"].tolist())
def test_every_neutralised_term_scores_zero(domain: ToneScorer, term: str) -> None:
    assert domain.score(f"They mentioned {term} today.") == 0.0


@pytest.mark.parametrize(("term", "valence"), list(LEXICON.loc[LEXICON["valence"] != 0, ["term", "valence"]].itertuples(index=False)))
def test_every_scored_term_moves_the_sentence_its_way(domain: ToneScorer, term: str, valence: float) -> None:
    assert math.copysign(1, domain.score(f"They mentioned {term} today.")) == math.copysign(1, valence)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("term,valence\nstalemate,-1\n", "missing columns"),
        ("term,valence,rationale\nUnited Nations,0,a name\n", "must be written as"),
        ("term,valence,rationale\ntalks.,1,x\n", "must be written as"),
        ("term,valence,rationale\nstalemate,-5,too strong\n", "outside"),
        ("term,valence,rationale\nstalemate,-1,\n", "no rationale"),
        ("term,valence,rationale\nstalemate,-1,a\nstalemate,-2,b\n", "listed twice"),
    ],
)
def test_malformed_lexicon_is_rejected_with_the_reason(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "lexicon.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        ToneScorer(path)


def test_custom_lexicon_overrides_vader(tmp_path: Path, plain: ToneScorer) -> None:
    path = tmp_path / "lexicon.csv"
    path.write_text("term,valence,rationale\ngood,-2,test override\n", encoding="utf-8")
    assert plain.score("The talks were good.") > 0
    assert ToneScorer(path).score("The talks were good.") < 0


# --- diplomacy adaptation --------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The missile test went ahead on Sunday.",
        "They are preparing a nuclear test.",
        "The North blew up the liaison office.",
        "The stalemate drags on.",
        "The talks may collapse.",
        "Seoul called it a provocation.",
        "Kim vowed to bolster the nuclear deterrent.",
    ],
)
def test_escalation_reads_negative(domain: ToneScorer, sentence: str) -> None:
    assert tone_class(domain.score(sentence)) == -1


@pytest.mark.parametrize(
    "sentence",
    [
        "Negotiators reported a breakthrough.",
        "It was a goodwill gesture.",
        "Both delegations called the meeting constructive.",
        "The two sides will reopen the hotline.",
        "Family reunions will take place in August.",
    ],
)
def test_conciliation_reads_positive(domain: ToneScorer, sentence: str) -> None:
    assert tone_class(domain.score(sentence)) == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Trump met Kim in Singapore.",
        "Trump's envoy arrived on Monday.",
        "The Supreme Leader inspected a factory.",
        "The allies met in Seoul.",
        "The defense minister spoke to reporters.",
        "The United Nations Security Council met.",
        "The United States sent an envoy.",
        "The Dear Leader visited a farm.",
        "The glorious Workers' Party held a meeting.",
        "The respected Comrade toured a plant.",
    ],
)
def test_names_titles_and_institutions_are_neutral(domain: ToneScorer, sentence: str) -> None:
    assert domain.score(sentence) == 0.0


def test_phrase_is_scored_once_as_a_unit(domain: ToneScorer) -> None:
    terms = [term for term, _ in domain.explain("The missile test ended the truce.")]
    assert "missile test" in terms
    assert "missile" not in terms and "test" not in terms


def test_longest_phrase_wins(domain: ToneScorer) -> None:
    assert domain.score("Inspectors visited the nuclear test site.") == 0.0
    assert domain.score("Inspectors expected the nuclear test.") < 0


def test_phrase_matches_through_possessive_and_punctuation(domain: ToneScorer) -> None:
    assert domain.score("The Great Leader's portrait hung there.") == 0.0
    assert domain.score("It was the nuclear test, the sixth.") < 0


def test_negation_reaches_a_phrase(domain: ToneScorer) -> None:
    assert domain.score("The release was a goodwill gesture.") > 0
    assert domain.score("The release was not a goodwill gesture.") < 0


@pytest.mark.parametrize(
    "sentence",
    [
        "Both sides will repatriate the remains of prisoners of war.",
        "A prisoner of war was finally identified.",
        "Teams will search for soldiers missing in action.",
        "The North asked for sanctions relief.",
        "Pyongyang wanted relief from sanctions before any step.",
        "The envoy discussed partial relief for the North.",
        "The DPRK reported a successful test-fire on Sunday.",
        "The agency said the satellite was successfully launched.",
        "Veterans marked the great victory with a parade.",
        "Analysts wrote about Cold War habits on both sides.",
    ],
)
def test_diplomacy_senses_that_are_not_hostility_or_feeling(domain: ToneScorer, sentence: str) -> None:
    """Prisoners of war, sanctions relief, KCNA's own launch reports: the negotiation or report, not a feeling."""
    assert abs(domain.score(sentence)) < 0.05, domain.explain(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Seoul's prospects for talks are the bleakest in years.",
        "The outlook looks bleak.",
        "The North blew it up on Tuesday afternoon.",
        "Pyongyang blows up the liaison office.",
        "The office was reduced to rubble.",
    ],
)
def test_destruction_and_gloom_read_negative(domain: ToneScorer, sentence: str) -> None:
    assert tone_class(domain.score(sentence)) == -1


def test_war_games_are_mildly_hostile_not_war(domain: ToneScorer, plain: ToneScorer) -> None:
    sentence = "The allies held war games near the border."
    assert -0.3 < domain.score(sentence) < 0
    assert plain.score(sentence) < domain.score(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "North Korea halted its nuclear tests last year.",
        "Trump said he would stop war games with South Korea.",
        "Both leaders want to avoid war.",
        "The agreement ended the shelling.",
        "The North suspended missile launches during the talks.",
    ],
)
def test_stopping_something_bad_reads_positive(domain: ToneScorer, plain: ToneScorer, sentence: str) -> None:
    assert tone_class(domain.score(sentence)) == 1
    assert plain.score(sentence) < domain.score(sentence)
    assert any("(halts it)" in term for term, _ in domain.explain(sentence))


def test_halting_rule_needs_a_bad_thing_in_the_same_clause(domain: ToneScorer) -> None:
    assert domain.score("The North did not stop its provocations.") < 0  # negation undoes the halt
    assert domain.score("The tests stopped, then threats resumed.") < 0  # the verb is in another clause
    assert domain.score("They ended the meeting with a smile.") > 0  # nothing bad was stopped: no flip
    assert not any("(halts it)" in term for term, _ in domain.explain("They ended the meeting with a smile."))


def test_curly_apostrophes_negate_like_straight_ones(plain: ToneScorer) -> None:
    assert plain.score("They don\u2019t like the deal.") == plain.score("They don't like the deal.") < 0


def test_em_dash_does_not_glue_words(plain: ToneScorer) -> None:
    assert plain.score("The talks\u2014good ones\u2014ended.") == plain.score("The talks - good ones - ended.") > 0


# --- score and explain --------------------------------------------------------------


def test_scores_stay_within_minus_one_and_one(domain: ToneScorer) -> None:
    extremes = ["WAR! WAR! Horrible terrible catastrophic disaster war war war!!!!", "Wonderful great superb excellent love love!!!!"]
    assert all(-1.0 <= score <= 1.0 for score in domain.score_many(extremes))
    assert domain.score(extremes[0]) < -0.9 and domain.score(extremes[1]) > 0.9


def test_score_many_matches_score_in_order(domain: ToneScorer) -> None:
    sentences = ["A breakthrough.", "A provocation.", "The envoy arrived."]
    assert domain.score_many(sentences) == [domain.score(sentence) for sentence in sentences]
    assert domain.score_many(iter(sentences)) == domain.score_many(sentences)


@pytest.mark.parametrize(
    "sentence",
    [
        "The talks were not constructive, but the mood was very friendly!",
        "NO progress was made and the stalemate drags on.",
        "Kim vowed to bolster the nuclear deterrent.",
    ],
)
def test_explanation_adds_up_to_the_score_largest_first(domain: ToneScorer, sentence: str) -> None:
    explanation = domain.explain(sentence)
    assert sum(value for _, value in explanation) == pytest.approx(domain.score(sentence), abs=1e-3)
    magnitudes = [abs(value) for _, value in explanation]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_explanation_names_the_rules(domain: ToneScorer) -> None:
    assert dict(domain.explain("The talks were not constructive."))["not (negation)"] < 0
    assert dict(domain.explain("The talks were very constructive."))["very (intensifier)"] > 0
    assert dict(domain.explain("The talks were constructive, officials SAID, and GOOD."))["GOOD (caps)"] > 0
    assert dict(domain.explain("A breakthrough!"))["!/? (punctuation)"] > 0
    contrast = dict(domain.explain("The venue was good, but the talks were a failure."))
    assert contrast["but (contrast)"] < 0  # the good part is halved and the failure weighted up


def test_neutral_sentence_has_nothing_to_explain(domain: ToneScorer) -> None:
    assert domain.explain("The envoy arrived in Beijing on Monday.") == []


# --- article tone ----------------------------------------------------------------------


def test_article_tone_is_the_mean_of_non_neutral_sentences() -> None:
    assert article_tone([0.5, 0.0, -0.1, 0.02]) == pytest.approx(0.2)


@pytest.mark.parametrize("tones", [[], [0.0, 0.0], [0.04, -0.049]])
def test_article_without_opinion_is_neutral(tones: list[float]) -> None:
    assert article_tone(tones) == 0.0


def test_article_tone_accepts_arrays_and_returns_a_float() -> None:
    tone = article_tone(np.array([0.6, -0.2]))
    assert isinstance(tone, float) and tone == pytest.approx(0.2)


def test_long_mixed_article_does_not_saturate_like_whole_text_vader(domain: ToneScorer, vader: SentimentIntensityAnalyzer) -> None:
    sentences = [
        "The envoy hoped for progress.",
        "The meeting ended without agreement.",
        "Officials called the mood friendly.",
        "Analysts warned of a long stalemate.",
        "Seoul welcomed the offer of aid.",
        "The North rejected it the next day.",
    ] * 5
    whole_text = vader.polarity_scores(" ".join(sentences))["compound"]
    assert abs(whole_text) > 0.9
    assert abs(article_tone(domain.score_many(sentences))) < 0.3


# --- tone per group with uncertainty --------------------------------------------------------


def test_summary_interval_is_the_student_t_interval() -> None:
    frame = pd.DataFrame({"actor": ["kim"] * 4, "tone": [0.2, 0.4, 0.6, 0.8]})
    row = tone_summary(frame, by=["actor"]).iloc[0]
    values = frame["tone"]
    low, high = stats.t.interval(0.95, df=3, loc=values.mean(), scale=stats.sem(values))
    assert row["n"] == 4 and row["mean"] == pytest.approx(0.5) and row["se"] == pytest.approx(stats.sem(values))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))


def test_summary_has_one_row_per_group_and_the_documented_columns() -> None:
    frame = pd.DataFrame(
        {"actor": ["kim", "kim", "moon", "kim"], "month": ["2019-01", "2019-01", "2019-01", "2019-02"], "tone": [0.1, 0.3, -0.2, 0.0]}
    )
    summary = tone_summary(frame, by=["actor", "month"])
    assert list(summary.columns) == ["actor", "month", "n", "mean", "se", "ci_low", "ci_high"]
    assert summary[["actor", "month", "n"]].values.tolist() == [["kim", "2019-01", 2], ["kim", "2019-02", 1], ["moon", "2019-01", 1]]


def test_single_value_gets_no_standard_error_and_the_full_range() -> None:
    row = tone_summary(pd.DataFrame({"g": ["a"], "tone": [0.7]}), by=["g"]).iloc[0]
    assert math.isnan(row["se"])
    assert (row["ci_low"], row["ci_high"]) == (-1.0, 1.0)


def test_interval_is_clipped_to_the_scale() -> None:
    row = tone_summary(pd.DataFrame({"g": ["a"] * 3, "tone": [0.9, 1.0, 0.2]}), by=["g"]).iloc[0]
    assert row["ci_high"] == 1.0 and -1.0 <= row["ci_low"] < row["mean"]


def test_fewer_values_give_a_wider_band() -> None:
    few = pd.DataFrame({"g": ["a"] * 3, "tone": [0.1, 0.3, 0.5]})
    many = pd.DataFrame({"g": ["a"] * 30, "tone": [0.1, 0.3, 0.5] * 10})
    width = {name: tone_summary(frame, by=["g"]).eval("ci_high - ci_low").iloc[0] for name, frame in [("few", few), ("many", many)]}
    assert width["few"] > 3 * width["many"]


def test_missing_values_are_not_counted() -> None:
    row = tone_summary(pd.DataFrame({"g": ["a"] * 3, "tone": [0.2, None, 0.4]}), by=["g"]).iloc[0]
    assert row["n"] == 2 and row["mean"] == pytest.approx(0.3)


def test_empty_frame_gives_empty_summary() -> None:
    summary = tone_summary(pd.DataFrame({"g": pd.Series(dtype=str), "tone": pd.Series(dtype=float)}), by=["g"])
    assert summary.empty and {"n", "mean", "se", "ci_low", "ci_high"} <= set(summary.columns)


# --- evaluation helpers and the human benchmarks -------------------------------------------


def test_tone_class_uses_the_neutral_band() -> None:
    assert [tone_class(score) for score in (0.05, 0.049, 0.0, -0.049, -0.05)] == [1, 0, 0, 0, -1]


def test_held_out_split_is_fixed_and_about_thirty_percent(nyt: pd.DataFrame) -> None:
    held_out = nyt["id"].map(is_held_out)
    assert 0.27 < held_out.mean() < 0.33
    assert held_out.tolist() == nyt["id"].iloc[::-1].map(is_held_out).iloc[::-1].tolist()


def test_nyt_ratings_are_read_whole(nyt: pd.DataFrame) -> None:
    assert len(nyt) == 5190 and nyt["id"].is_unique
    assert nyt["rating"].between(-4, 4).all()
    assert not nyt["sentence"].str.contains("\r").any()


def test_held_out_nyt_correlation_is_not_below_plain_vader(
    domain: ToneScorer, vader: SentimentIntensityAnalyzer, nyt: pd.DataFrame
) -> None:
    held_out = nyt[nyt["id"].map(is_held_out)]
    ours = np.corrcoef(domain.score_many(held_out["sentence"]), held_out["rating"])[0, 1]
    reference = np.corrcoef([vader.polarity_scores(s)["compound"] for s in held_out["sentence"]], held_out["rating"])[0, 1]
    assert ours >= reference


def test_diplomacy_set_is_large_and_balanced(diplomacy: pd.DataFrame) -> None:
    assert len(diplomacy) >= 40 and diplomacy["id"].is_unique
    assert diplomacy["label"].value_counts().reindex([-1, 0, 1]).ge(10).all()


def test_diplomacy_sign_accuracy_is_clearly_better_than_plain_vader(domain: ToneScorer, plain: ToneScorer, diplomacy: pd.DataFrame) -> None:
    def accuracy(scorer: ToneScorer, rows: pd.DataFrame) -> float:
        return float(np.mean([tone_class(score) == label for score, label in zip(scorer.score_many(rows["sentence"]), rows["label"])]))

    assert accuracy(domain, diplomacy) >= max(0.8, accuracy(plain, diplomacy) + 0.25)
    held_out = diplomacy[diplomacy["id"].map(is_held_out)]
    assert accuracy(domain, held_out) > accuracy(plain, held_out)


# --- tone toward each person (pipeline.stance) ------------------------------------------


@pytest.fixture(scope="module")
def matcher() -> ActorMatcher:
    return ActorMatcher(load_gazetteer())


def toward(matcher: ActorMatcher, scorer: ToneScorer, sentence: str, day: dt.date = dt.date(2023, 6, 1)) -> dict[str, float]:
    mentions = matcher.match_article_spans([sentence], day)[0]
    return {mention.actor_id: tone for mention, tone in zip(mentions, tone_toward(sentence, mentions, scorer), strict=True)}


def test_praise_and_condemnation_go_to_their_targets(matcher: ActorMatcher, domain: ToneScorer) -> None:
    got = toward(matcher, domain, "The agency praised Vladimir Putin and denounced Joe Biden.")
    assert got["vladimir-putin"] > 0.05 and got["joe-biden"] < -0.05


def test_friendly_words_count_for_sender_and_recipient(matcher: ActorMatcher, domain: ToneScorer) -> None:
    got = toward(matcher, domain, "Kim Jong Un thanked Vladimir Putin for the support.")
    assert got["kim-jong-un"] > 0.05 and got["vladimir-putin"] > 0.05


def test_denouncing_someone_is_not_being_denounced(matcher: ActorMatcher, domain: ToneScorer) -> None:
    got = toward(matcher, domain, "Kim Jong Un denounced Joe Biden.")
    assert got["kim-jong-un"] == 0.0 and got["joe-biden"] < -0.05


def test_a_speakers_hostile_words_are_not_against_the_speaker(matcher: ActorMatcher, domain: ToneScorer) -> None:
    got = toward(matcher, domain, "Kim Jong Un said the reckless drills were a grave provocation.")
    assert got["kim-jong-un"] == 0.0
    assert toward(matcher, domain, "Kim Jong Un said he hoped for lasting peace.")["kim-jong-un"] > 0.05  # a friendly message counts


def test_each_clause_bears_on_the_people_it_names(matcher: ActorMatcher, domain: ToneScorer) -> None:
    got = toward(matcher, domain, "Joe Biden welcomed the talks, but Vladimir Putin's invasion was condemned.")
    assert got["joe-biden"] > 0.05 and got["vladimir-putin"] < -0.05


def test_a_clause_naming_nobody_bears_on_everyone(matcher: ActorMatcher, domain: ToneScorer) -> None:
    sentence = "Donald Trump met Kim Jong Un; the talks collapsed."
    got = toward(matcher, domain, sentence)
    assert got["donald-trump"] == got["kim-jong-un"] == domain.score(sentence) < 0


def test_words_inside_a_name_are_not_counted(matcher: ActorMatcher, domain: ToneScorer) -> None:
    assert toward(matcher, domain, "The Great Leader Kim Il Sung visited.", dt.date(1990, 1, 1)) == {"kim-il-sung": 0.0}


def test_every_mention_of_a_person_shares_one_tone(matcher: ActorMatcher, domain: ToneScorer) -> None:
    sentence = "Joe Biden praised the deal, and Biden thanked Congress."
    mentions = matcher.match_article_spans([sentence], dt.date(2023, 6, 1))[0]
    tones = tone_toward(sentence, mentions, domain)
    assert len(mentions) == 2 and tones[0] == tones[1] > 0


def test_no_mentions_no_tones(domain: ToneScorer) -> None:
    assert tone_toward("Nobody is named here, sadly.", [], domain) == []


@pytest.mark.parametrize(
    "sentence",
    ["Talks: yes; however, BUT (not) [x] -- here - there -- Yet whereas\x0b-\x1cthough", "butter, yeti, awhile,however", "a\t-\x1fb\x0c--\rc"],
)
def test_ascii_clause_breaks_are_the_ones_re_finds(sentence: str) -> None:
    found = [match.start() for match in stance._ASCII_CLAUSE_BREAK.finditer(sentence.encode())]
    assert found == [match.start() for match in stance.CLAUSE_BREAK.finditer(sentence)] and found


def test_word_valences_with_the_callers_pieces_are_the_same(domain: ToneScorer) -> None:
    for sentence in ("Seoul welcomed the breakthrough but condemned the \"missile test\"!", "Pyongyang\u2014angrily\u2014rejected the talks."):
        assert domain.word_valences(sentence, split_with_starts(sentence)) == domain.word_valences(sentence) != []


def test_word_valences_sum_to_the_sentence_score(domain: ToneScorer) -> None:
    sentence = "Seoul welcomed the breakthrough but condemned the missile test."
    spans = domain.word_valences(sentence)
    assert [sentence[start:end] for start, end, _ in spans] == ["welcomed", "breakthrough", "condemned", "missile test"]
    assert normalize(sum(valence for _, _, valence in spans), 15) == pytest.approx(domain.score(sentence), abs=1e-4)


def test_split_sentence_actors_makes_one_row_per_mention() -> None:
    sentences = pd.DataFrame({"article_id": ["a", "a"], "sentence_idx": [0, 1], "text": ["x", "y"],
                              MENTIONS_COLUMN: [[("kim-jong-un", 0, 3, "surname", 0.5)], []]})
    kept, table = split_sentence_actors(sentences)
    assert MENTIONS_COLUMN not in kept and len(kept) == 2
    assert table.to_dict("records") == [{"article_id": "a", "sentence_idx": 0, "actor_id": "kim-jong-un", "tone": 0.5,
                                         "start": 0, "end": 3, "kind": "surname"}]


# --- the demo corpus: the events the issue names -------------------------------------------

DEMO = REPO / "data" / "demo"
EVENT_WINDOWS = {  # first and last day of each event's coverage
    "singapore": ("2018-06-12", "2018-06-20"),
    "hanoi": ("2019-02-28", "2019-03-15"),
    "liaison office": ("2020-06-16", "2020-06-25"),
}


@pytest.fixture(scope="module")
def demo_event_tone() -> dict[str, float]:
    """Mean article tone of the demo's coverage of each event, analysed as the build analyses it."""
    articles = ingest([DEMO]).articles
    _, _, aggregates = analyse_articles([(a.article_id, a.date, a.text) for a in articles])[:3]
    tone = dict(zip(aggregates["article_id"], aggregates["tone"], strict=True))
    means = {}
    for event, (first, last) in EVENT_WINDOWS.items():
        chosen = [tone[a.article_id] for a in articles if dt.date.fromisoformat(first) <= a.date <= dt.date.fromisoformat(last)]
        assert len(chosen) >= 3, f"the demo should cover {event}"
        means[event] = float(np.mean(chosen))
    return means


def test_demo_singapore_reads_warmer_than_the_hanoi_collapse(demo_event_tone: dict[str, float]) -> None:
    assert demo_event_tone["singapore"] > demo_event_tone["hanoi"]


def test_demo_liaison_office_demolition_reads_negative(demo_event_tone: dict[str, float]) -> None:
    assert demo_event_tone["liaison office"] < -0.05
