"""Framing cues: lexicon syntax, longest match, negation, the two axes, and the seed editorial."""
from __future__ import annotations

import gzip
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import re2

from pipeline import framing as framing_module
from pipeline.framing import (
    DEFAULT_FRAMING_PATH,
    FRAMES,
    SENTENCE_COLUMNS,
    SHRINKAGE_CUES,
    FramingScorer,
    framing_axes,
    paragraph_openings,
    read_framing_lexicon,
)
from pipeline.text import normalize_text, split_sentences

FRAME_COLUMNS = [f"frame_{frame}" for frame in FRAMES]


@pytest.fixture(scope="module")
def scorer() -> FramingScorer:
    return FramingScorer()


def make_scorer(tmp_path: Path, rows: list[tuple[str, str, float]]) -> FramingScorer:
    """A scorer over a small lexicon written for the test (frame, term, weight)."""
    path = tmp_path / "lexicon.csv"
    lines = ["# test lexicon", "frame,term,weight,rationale"]
    lines += [f'{frame},"{term}",{weight},test entry' for frame, term, weight in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return FramingScorer(path)


def only(frame: str, scores: dict[str, float]) -> bool:
    """True when ``frame`` scored and no other frame did."""
    return scores[frame] > 0 and all(value == 0 for name, value in scores.items() if name != frame)


# --- the shipped lexicon ---------------------------------------------------------------------------------------------

def test_default_path_is_the_repository_data_file() -> None:
    assert DEFAULT_FRAMING_PATH == Path(__file__).resolve().parents[1] / "data" / "framing_lexicon.csv"
    assert DEFAULT_FRAMING_PATH.is_file()


def test_default_lexicon_has_cues_for_every_frame_and_a_rationale_per_entry() -> None:
    entries = read_framing_lexicon()
    for frame in FRAMES:
        assert sum(entry.frame == frame and entry.weight > 0 for entry in entries) >= 5, frame
    assert all(entry.rationale for entry in entries)


@pytest.mark.parametrize("frame, phrase", [
    ("all_at_once", "a big deal"), ("all_at_once", "CVID"), ("all_at_once", "FFVD"),
    ("all_at_once", "complete dismantlement"), ("all_at_once", "a grand bargain"),
    ("all_at_once", "complete, verifiable and irreversible denuclearization"),
    ("all_at_once", "final, fully verified denuclearization"), ("all_at_once", "a comprehensive deal"),
    ("all_at_once", "the Libya model"), ("all_at_once", "full denuclearization first"),
    ("step_by_step", "a phased approach"), ("step_by_step", "action for action"),
    ("step_by_step", "corresponding measures"), ("step_by_step", "a freeze"),
    ("step_by_step", "sanctions relief in return"), ("step_by_step", "arms control"),
    ("step_by_step", "an incremental approach"), ("step_by_step", "going step by step"),
    ("step_by_step", "a partial deal"), ("step_by_step", "a small deal"),
    ("engagement", "dialogue"), ("engagement", "a summit"), ("engagement", "talks"),
    ("engagement", "negotiations"), ("engagement", "diplomacy"), ("engagement", "engagement"),
    ("pressure", "maximum pressure"), ("pressure", "sanctions"), ("pressure", "military options"),
    ("pressure", "strategic patience"), ("pressure", "deterrence"), ("pressure", "isolation"),
])
def test_issue_phrases_score_their_frame_only(scorer: FramingScorer, frame: str, phrase: str) -> None:
    assert only(frame, scorer.score(f"The envoy spoke about {phrase} at length."))


def test_sentence_without_cues_scores_zero_everywhere(scorer: FramingScorer) -> None:
    assert scorer.score("The weather in Pyongyang was mild on Tuesday.") == dict.fromkeys(FRAMES, 0.0)
    assert scorer.cues("The weather in Pyongyang was mild on Tuesday.") == []


def test_colloquial_big_deal_is_not_the_all_at_once_deal(scorer: FramingScorer) -> None:
    assert scorer.cues("Honestly, this summit is a big deal for the region.") == [("engagement", "summit", False)]
    assert scorer.cues("He said it isn’t a big deal.") == []
    assert scorer.score("Washington wanted a big deal in Hanoi.")["all_at_once"] > 0


def test_asset_freeze_is_pressure_not_a_step(scorer: FramingScorer) -> None:
    assert only("pressure", scorer.score("Treasury ordered an asset freeze on the bank."))
    assert only("step_by_step", scorer.score("Pyongyang offered a freeze of its tests."))


# --- term syntax -----------------------------------------------------------------------------------------------------

def test_optional_ending_matches_both_forms_and_nothing_longer(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("pressure", "sanction(s)", 1)])
    assert scorer.score("One sanction and two sanctions.")["pressure"] == 2
    assert scorer.cues("A sanctioning body met.") == []


def test_star_matches_any_further_letters(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("engagement", "negotiat*", 1)])
    assert [text for _, text, _ in scorer.cues("Negotiators will negotiate the negotiations.")] == [
        "Negotiators", "negotiate", "negotiations"]


def test_bracket_requires_one_of_the_words(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("step_by_step", "[small|partial] deal", 1)])
    assert scorer.score("A small deal, then a partial deal.")["step_by_step"] == 2
    assert scorer.cues("A deal and a big deal.") == []


def test_gap_stands_for_up_to_three_words(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("step_by_step", "lift ... sanctions", 1)])
    assert scorer.cues("They may lift sanctions.") == [("step_by_step", "lift sanctions", False)]
    assert scorer.cues("They may lift some of the sanctions.") == [("step_by_step", "lift some of the sanctions", False)]
    assert scorer.cues("They may lift only some of the sanctions.") == []


def test_space_matches_hyphen_and_hyphen_matches_space_or_nothing(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("step_by_step", "step by step", 1), ("pressure", "pre-emptive strike", 1)])
    assert scorer.score("A step-by-step plan, taken step  by step.")["step_by_step"] == 2
    assert scorer.score("A pre-emptive strike, a preemptive strike, a pre emptive strike.")["pressure"] == 3


def test_matching_ignores_case_and_keeps_whole_words(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("engagement", "talks", 1)])
    assert scorer.cues("TALKS resumed; the Talks went well.") == [("engagement", "TALKS", False), ("engagement", "Talks", False)]
    assert scorer.cues("The heron stalks fish; talksmiths write.") == []


def test_matching_sees_cues_after_punctuation_and_typographic_quotes(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("all_at_once", "big deal", 1), ("engagement", "summit", 1)])
    assert scorer.score("He wanted a “big deal,” and a post-summit deal (summit).") == {
        "all_at_once": 1.0, "step_by_step": 0.0, "engagement": 2.0, "pressure": 0.0}


def test_apostrophe_in_a_term_matches_the_typographic_one(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("engagement", "kim's summit", 1)])
    assert scorer.score("Kim’s summit and Kim's summit.")["engagement"] == 2


@pytest.mark.parametrize("content, message", [
    ("frame,term,weight,rationale\nhope,talks,1,x\n", "frame must be one of"),
    ("frame,term,weight,rationale\nengagement,talks,-1,x\n", "weight must be >= 0"),
    ("frame,term,weight,rationale\nengagement,talks,lots,x\n", "weight is not a number"),
    ("frame,term,weight,rationale\nengagement,talks,1,\n", "rationale is empty"),
    ("frame,term,weight,rationale\nengagement,talks,1,x\npressure,Talks,1,y\n", "term listed twice"),
    ("frame,term,weight,rationale\nengagement,... talks,1,x\n", "only between words"),
    ("frame,term,weight,rationale\nengagement,talk(s,1,x\n", "cannot read"),
    ("frame,term,weight,rationale\nengagement,-talks,1,x\n", "must start with a letter"),
    ("frame,term,weight\nengagement,talks,1\n", "expected the columns"),
])
def test_malformed_lexicon_fails_loudly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        FramingScorer(path)


# --- longest match ---------------------------------------------------------------------------------------------------

def test_sanctions_relief_is_step_by_step_not_pressure(scorer: FramingScorer) -> None:
    assert only("step_by_step", scorer.score("Pyongyang wants sanctions relief first."))
    assert scorer.cues("Pyongyang wants sanctions relief first.") == [("step_by_step", "sanctions relief", False)]


def test_longest_phrase_wins_and_its_words_count_once(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("pressure", "pressure", 1), ("pressure", "maximum pressure", 2)])
    assert scorer.score("They returned to maximum pressure.")["pressure"] == 2
    assert scorer.cues("They returned to maximum pressure.") == [("pressure", "maximum pressure", False)]


def test_longest_wins_whatever_the_lexicon_order(tmp_path: Path) -> None:
    first = make_scorer(tmp_path, [("pressure", "sanctions", 1), ("step_by_step", "sanctions relief", 1)])
    assert only("step_by_step", first.score("They discussed sanctions relief."))


def test_guard_uses_up_its_words_without_scoring(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("pressure", "pressure", 1), ("pressure", "blood pressure", 0)])
    assert scorer.cues("His blood pressure rose.") == []
    assert scorer.score("His blood pressure rose under pressure.")["pressure"] == 1


# --- negation --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, frame, cue", [
    ("There will be no talks this year.", "engagement", "talks"),
    ("It is not a freeze.", "step_by_step", "freeze"),
    ("North Korea refused dialogue.", "engagement", "dialogue"),
    ("Nothing moves without sanctions relief.", "step_by_step", "sanctions relief"),
    ("Washington rejected a phased approach.", "step_by_step", "phased"),
    ("Pyongyang didn’t want a summit.", "engagement", "summit"),
    ("They chose a freeze rather than a big deal.", "all_at_once", "big deal"),
    ("Trump called off the summit.", "engagement", "summit"),
])
def test_negated_cue_is_reported_and_counts_zero(scorer: FramingScorer, sentence: str, frame: str, cue: str) -> None:
    assert (frame, cue, True) in scorer.cues(sentence)
    assert scorer.score(sentence)[frame] == 0


def test_negation_counts_zero_not_against_the_frame_or_for_the_other(scorer: FramingScorer) -> None:
    scores = scorer.score("Washington rejected a phased approach.")
    assert scores == dict.fromkeys(FRAMES, 0.0)


def test_negation_reaches_four_words_back_and_no_further(tmp_path: Path) -> None:
    scorer = make_scorer(tmp_path, [("engagement", "talks", 1)])
    assert scorer.cues("They refused to hold formal bilateral talks.")[0][2] is True
    assert scorer.cues("They refused to hold any formal bilateral talks.")[0][2] is False


@pytest.mark.parametrize("sentence", [
    "Without sanctions, talks will fail.",
    "There was no deal but talks continue.",
    "Seoul said no -- talks are going ahead.",
])
def test_negation_stops_at_a_clause_break(tmp_path: Path, sentence: str) -> None:
    scorer = make_scorer(tmp_path, [("engagement", "talks", 1)])
    assert scorer.cues(sentence) == [("engagement", "talks", False)]


@pytest.mark.parametrize("sentence", [
    "They want not only talks but also a summit.",
    "Nobody knows whether or not talks will resume.",
    "Seoul will not rule out talks.",
    "Seoul chose not to rule out talks.",
])
def test_phrases_that_merely_contain_a_negator_do_not_negate(tmp_path: Path, sentence: str) -> None:
    scorer = make_scorer(tmp_path, [("engagement", "talks", 1)])
    assert scorer.cues(sentence)[0] == ("engagement", "talks", False)


def test_negation_applies_to_the_cue_only_not_to_later_cues(scorer: FramingScorer) -> None:
    cues = scorer.cues("Without sanctions relief, talks will fail.")
    assert cues == [("step_by_step", "sanctions relief", True), ("engagement", "talks", False)]


# --- score_many ------------------------------------------------------------------------------------------------------

def test_score_many_rows_agree_with_score(scorer: FramingScorer) -> None:
    sentences = ["The summit ended.", "They refused dialogue.", "Sanctions relief in return for a freeze.", ""]
    frame = scorer.score_many(sentences)
    assert list(frame.columns) == FRAME_COLUMNS
    assert len(frame) == len(sentences)
    assert all(dtype == "float64" for dtype in frame.dtypes)
    for row, sentence in enumerate(sentences):
        assert frame.iloc[row].tolist() == list(scorer.score(sentence).values())


def test_score_many_keeps_a_series_index_and_scores_missing_as_zero(scorer: FramingScorer) -> None:
    sentences = pd.Series(["Talks resumed.", None, pd.NA], index=[10, 20, 30], dtype="object")
    frame = scorer.score_many(sentences)
    assert frame.index.tolist() == [10, 20, 30]
    assert frame.loc[10, "frame_engagement"] > 0
    assert frame.loc[[20, 30]].to_numpy().sum() == 0


def test_score_many_does_not_carry_a_negator_into_the_next_sentence(scorer: FramingScorer) -> None:
    frame = scorer.score_many(["The answer was no", "talks resumed on Monday."])
    assert frame.loc[1, "frame_engagement"] > 0


def test_score_many_of_nothing_is_an_empty_frame_with_the_columns(scorer: FramingScorer) -> None:
    frame = scorer.score_many([])
    assert frame.empty and list(frame.columns) == FRAME_COLUMNS


# --- the axes --------------------------------------------------------------------------------------------------------

def test_axes_are_shrunk_differences_and_nan_without_cues() -> None:
    counts = pd.DataFrame({"frame_all_at_once": [3.0, 0.0, 0.0], "frame_step_by_step": [1.0, 2.0, 0.0],
                           "frame_engagement": [0.0, 1.0, 1.0], "frame_pressure": [0.0, 1.0, 3.0]})
    axes = framing_axes(counts)
    k = SHRINKAGE_CUES
    assert axes["deal_axis"].tolist()[:2] == pytest.approx([2 / (4 + k), -2 / (2 + k)]) and math.isnan(axes["deal_axis"].iloc[2])
    assert math.isnan(axes["posture_axis"].iloc[0]) and axes["posture_axis"].tolist()[1:] == pytest.approx([0.0, -2 / (4 + k)])


def test_one_cue_is_not_a_full_stance_and_many_cues_approach_one() -> None:
    counts = pd.DataFrame({"frame_all_at_once": [0.0, 0.0], "frame_step_by_step": [0.0, 0.0],
                           "frame_engagement": [0.0, 0.0], "frame_pressure": [1.0, 40.0]})
    posture = framing_axes(counts)["posture_axis"]
    assert -1 < posture.iloc[1] < posture.iloc[0] < 0
    assert posture.iloc[0] == pytest.approx(-0.5) and posture.iloc[1] < -0.95


def test_axes_keep_other_columns_and_the_index_and_leave_the_input_alone() -> None:
    counts = pd.DataFrame({"frame_all_at_once": [1], "frame_step_by_step": [0], "frame_engagement": [0],
                           "frame_pressure": [2], "n_sentences": [7]}, index=["article-1"])
    axes = framing_axes(counts)
    assert axes.loc["article-1", "n_sentences"] == 7
    assert axes.loc["article-1", "deal_axis"] > 0 and axes.loc["article-1", "posture_axis"] < axes.loc["article-1", "deal_axis"] * -1
    assert "deal_axis" not in counts.columns


def test_axes_of_an_article_come_from_its_summed_sentences(scorer: FramingScorer) -> None:
    sentences = ["Seoul wants a big deal.", "Pyongyang wants a phased deal.", "Pyongyang wants a freeze for now."]
    per_article = scorer.score_many(sentences).sum().to_frame().T
    axes = framing_axes(per_article)
    all_at_once, step_by_step = per_article.loc[0, "frame_all_at_once"], per_article.loc[0, "frame_step_by_step"]
    assert axes.loc[0, "deal_axis"] == pytest.approx((all_at_once - step_by_step) / (all_at_once + step_by_step + SHRINKAGE_CUES))
    assert axes.loc[0, "deal_axis"] < 0


def test_axes_name_the_missing_columns() -> None:
    with pytest.raises(ValueError, match="frame_pressure"):
        framing_axes(pd.DataFrame({"frame_all_at_once": [1], "frame_step_by_step": [0], "frame_engagement": [0]}))


# --- context: paragraphs, the Korea rule, the deterrent owner (issue 13) -------------------------------------------

def test_paragraph_openings_mark_the_first_sentence_after_each_line_break() -> None:
    text = "Talks began. They went well.\nA second paragraph starts. It goes on.\n\nA third."
    assert paragraph_openings(text, split_sentences(text)) == [True, False, True, False, True]


def test_paragraph_openings_refuse_a_sentence_that_is_not_in_the_text() -> None:
    with pytest.raises(ValueError, match="not found"):
        paragraph_openings("Talks began.", ["Something else."])


@pytest.mark.parametrize("sentence", [
    "North Korea fired a missile.", "The DPRK said so.", "South Korea's president spoke.", "Officials in Pyongyang agreed.",
    "Seoul responded.", "Tension rose on the peninsula.", "Denuclearization is the goal.", "Inter-Korean ties froze.",
    "The ROK and the U.S. met.", "The KPA held a parade.",
])
def test_a_sentence_naming_the_koreas_is_about_korea(scorer: FramingScorer, sentence: str) -> None:
    assert scorer.names_korea(sentence)
    assert scorer.about_korea(sentence)


@pytest.mark.parametrize("sentence", ["Iran rejected the offer.", "The Senate passed the bill.", "He spoke at length."])
def test_a_sentence_naming_no_korea_is_not(scorer: FramingScorer, sentence: str) -> None:
    assert not scorer.names_korea(sentence)
    assert not scorer.about_korea(sentence)


def test_a_korean_actor_makes_a_sentence_about_korea_by_the_actor_country() -> None:
    scorer = FramingScorer(actor_countries={"leader-a": "KP", "leader-b": "KR", "leader-c": "US"})
    assert scorer.about_korea("The leader spoke of talks.", ["leader-a"])
    assert scorer.about_korea("The leader spoke of talks.", ["leader-b"])
    assert not scorer.about_korea("The leader spoke of talks.", ["leader-c"])


def test_the_previous_sentence_of_the_paragraph_gives_the_context(scorer: FramingScorer) -> None:
    assert scorer.about_korea("Talks resume on Monday.", previous="North Korea agreed to meet.")
    assert not scorer.about_korea("Talks resume on Monday.", previous="The weather was fine.")
    assert not scorer.about_korea("Talks resume on Monday.", previous=None)  # it opens a paragraph


@pytest.mark.parametrize("sentence", [
    "Sanctions on Iran were tightened.", "The reconciliation package passed.", "Talks on Ukraine stalled.",
    "New tariffs hit the trade talks.", "The budget negotiations continue.", "Israel agreed to a settlement freeze.",
])
def test_another_subject_in_the_sentence_breaks_the_context(scorer: FramingScorer, sentence: str) -> None:
    assert not scorer.about_korea(sentence, previous="North Korea was discussed earlier.")


def test_a_sentence_naming_korea_counts_even_beside_another_subject(scorer: FramingScorer) -> None:
    assert scorer.about_korea("Sanctions on Iran and North Korea were tightened.")


def test_score_in_context_counts_only_cues_about_korea(scorer: FramingScorer) -> None:
    sentences = ["North Korea returned to the table.", "Talks resumed on Monday.", "Talks on Iran stalled.",
                 "Talks resumed elsewhere."]
    frame = scorer.score_in_context(sentences, [[], [], [], []], [True, False, False, True])
    assert list(frame.columns) == list(SENTENCE_COLUMNS)
    assert frame["frame_engagement"].tolist() == [0.0, 1.0, 0.0, 0.0]
    assert frame["frame_off_topic"].tolist() == [0.0, 0.0, 1.0, 1.0]


def test_score_in_context_takes_no_context_across_articles(scorer: FramingScorer) -> None:
    # Two one-sentence-per-paragraph articles back to back: each first sentence opens a paragraph.
    frame = scorer.score_in_context(["Pyongyang spoke.", "Talks resumed."], [[], []], [True, True])
    assert frame.loc[1, "frame_engagement"] == 0 and frame.loc[1, "frame_off_topic"] == 1


def test_score_in_context_needs_parallel_sequences(scorer: FramingScorer) -> None:
    with pytest.raises(ValueError, match="one length"):
        scorer.score_in_context(["Talks."], [], [True])


def test_budget_reconciliation_is_off_topic_and_inter_korean_reconciliation_counts(scorer: FramingScorer) -> None:
    frame = scorer.score_in_context(
        ["North Korea fired a missile.", "The reconciliation bill passed.", "Inter-Korean reconciliation advanced."],
        [[], [], []], [True, False, True])
    assert frame["frame_engagement"].tolist() == [0.0, 0.0, 0.5]
    assert frame.loc[1, "frame_off_topic"] == 0.5


def test_a_government_named_for_reconciliation_is_not_a_cue(scorer: FramingScorer) -> None:
    assert scorer.score("The Government of Reconciliation and National Unity sent greetings to Pyongyang.")["engagement"] == 0


def test_negated_cues_are_neither_counted_nor_off_topic(scorer: FramingScorer) -> None:
    cues = scorer.explain("They refused talks.", relevant=False)
    assert [cue.status for cue in cues] == ["negated"]


@pytest.mark.parametrize("sentence, owner", [
    ("The DPRK will bolster its war deterrent.", "dprk"),
    ("The army has a reliable self-defensive nuclear deterrent.", "dprk"),
    ("The nuclear deterrent of the DPRK is ready.", "dprk"),
    ("Washington and Seoul will strengthen deterrence.", "allies"),
    ("The allies discussed tailored deterrence.", "allies"),
    ("The hostile forces boast of deterrence.", "allies"),
    ("We will strengthen deterrence against North Korea.", "target"),
    ("China modernises its deterrent.", "other"),
    ("Deterrence matters.", "unknown"),
])
def test_deterrent_owner_is_read_from_the_sentence(scorer: FramingScorer, sentence: str, owner: str) -> None:
    cue = next(cue for cue in scorer.explain(sentence) if cue.owner is not None)
    assert cue.owner == owner


def test_deterrent_owner_falls_back_to_the_actors_country() -> None:
    scorer = FramingScorer(actor_countries={"leader-a": "KP", "leader-c": "US"})
    assert scorer.explain("He praised the deterrent.", ["leader-a"])[0].owner == "dprk"
    assert scorer.explain("He praised the deterrent.", ["leader-c"])[0].owner == "allies"


def test_the_dprk_deterrent_is_not_pressure_and_the_allies_deterrence_is(scorer: FramingScorer) -> None:
    sentences = ["The DPRK will bolster its war deterrent.", "Seoul and Washington will strengthen deterrence on the peninsula.",
                 "The allies reaffirmed extended deterrence for South Korea.", "China modernises its deterrent near Korea."]
    frame = scorer.score_in_context(sentences, [[]] * 4, [True] * 4)
    assert frame["frame_pressure"].tolist() == [0.0, 0.75, 1.0, 0.0]
    assert frame["frame_dprk_deterrent"].tolist() == [0.75, 0.0, 0.0, 0.0]
    assert frame["frame_off_topic"].tolist() == [0.0, 0.0, 0.0, 0.75]


def test_score_alone_applies_the_deterrent_rule_but_not_the_korea_rule(scorer: FramingScorer) -> None:
    assert scorer.score("The DPRK will bolster its war deterrent.")["pressure"] == 0
    assert scorer.score("Sanctions on Iran were tightened.")["pressure"] == 1


def test_explain_gives_the_span_of_each_cue(scorer: FramingScorer) -> None:
    sentence = "Pyongyang wants talks, not sanctions."
    cues = scorer.explain(sentence)
    assert [(sentence[cue.start:cue.end], cue.frame, cue.status) for cue in cues] == [
        ("talks", "engagement", "counted"), ("sanctions", "pressure", "negated")]


def test_the_build_scores_framing_in_context() -> None:
    import datetime as dt

    from pipeline.build import analyse_articles

    text = "North Korea agreed to meet. Talks resume on Monday.\nTalks on Iran stalled. The DPRK showed its war deterrent."
    sentences, _, _ = analyse_articles([("a1", dt.date(2019, 4, 28), text)])
    assert sentences["frame_engagement"] == [0.0, 1.0, 0.0, 0.0]
    assert sentences["frame_off_topic"] == [0.0, 0.0, 1.0, 0.0]
    assert sentences["frame_dprk_deterrent"] == [0.0, 0.0, 0.0, 0.75]
    assert sentences["frame_pressure"] == [0.0] * 4


# --- the seed editorial (read in place, never copied) ----------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_sentences(corpus_dir: Path) -> list[str]:
    text = (corpus_dir / "seed" / "korea_herald_2019-04-28_no_end_in_sight.txt").read_text(encoding="utf-8")
    return [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+", text) if sentence.strip()]


def _the_sentence_with(phrase: str, sentences: list[str]) -> str:
    found = [sentence for sentence in sentences if phrase in sentence]
    assert len(found) == 1, f"expected one sentence with {phrase!r}, found {len(found)}"
    return found[0]


@pytest.mark.corpus
def test_seed_big_deal_sentence_frames_the_all_at_once_demand(scorer: FramingScorer, seed_sentences: list[str]) -> None:
    # The sentence reports the US demand for a "big deal" (full dismantlement before sanctions are lifted).
    scores = scorer.score(_the_sentence_with("big deal", seed_sentences))
    assert scores["all_at_once"] > 0
    assert scores["all_at_once"] > scores["step_by_step"]
    assert scores["pressure"] == 0  # lifting sanctions is relief, not pressure


@pytest.mark.corpus
def test_seed_phased_sentence_frames_the_step_by_step_demand(scorer: FramingScorer, seed_sentences: list[str]) -> None:
    # The sentence reports the North's demand: phased disarmament, some sanctions removed per corresponding action.
    sentence = _the_sentence_with("phased", seed_sentences)
    scores = scorer.score(sentence)
    assert scores["step_by_step"] > 0
    assert scores["all_at_once"] == 0
    assert scores["pressure"] == 0  # the sanctions here are being removed
    assert not any(negated for _, _, negated in scorer.cues(sentence))


# --- the RE2 screen: a sentence it turns away must be one without a cue --------------------------------------------


def test_the_screen_reads_separators_as_the_pattern_does() -> None:
    ascii_chars = [chr(code) for code in range(128)]
    assert [char for char in ascii_chars if re2.fullmatch(framing_module._SEPARATOR_CLASS_RE2, char)] == [
        char for char in ascii_chars if re.fullmatch(framing_module._SEPARATOR_CLASS, char)
    ]


def test_the_screen_finds_cues_across_any_separator(scorer: FramingScorer) -> None:
    assert scorer.cues("They want a step\x0bby-step deal.") == [("step_by_step", "step\x0bby-step", False)]
    assert scorer.cues("The weather was fine and the harvest was good.") == []


@pytest.mark.corpus
@pytest.mark.parametrize("corpus", ["kcna_2024.jsonl.gz", "whitehouse_nk_2021_2026.jsonl.gz"])
def test_the_screen_keeps_every_sentence_with_a_cue(scorer: FramingScorer, corpus_dir: Path, corpus: str) -> None:
    with_cue = turned_away = 0
    with gzip.open(corpus_dir / corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for sentence in split_sentences(normalize_text(f"{record.get('title') or ''}\n{record.get('body') or ''}")):
                lowered = " " + sentence.lower()
                screened = scorer._screen.search(lowered) is not None
                cue = any(scorer.entries[scorer._group_entry[m.lastgroup]].weight > 0 for m in scorer._pattern.finditer(lowered))
                assert screened or not cue, sentence
                with_cue += cue
                turned_away += not screened
    assert with_cue > 200 and turned_away > 1000
