"""The merge into canonical meetings as pure code: names, matching, ids, status, fields, retention.

Every name, place and outlet here is invented.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import permutations
from typing import Any

import orjson
import pytest

from stream.canonical import MatchRules, Merger, NameRules, load_name_rules
from stream.canonical.names import names_match

T0 = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
DATES_ONLY = MatchRules(timeless_held_joins_sole_meeting=False)
"""The default rules but a timeless held report's sole-meeting join, for tests of what dates allow."""


@pytest.fixture(scope="module")
def names() -> NameRules:
    return load_name_rules()


def _merger(names: NameRules, rules: MatchRules | None = None) -> Merger:
    return Merger(names, blocks={}, meetings={}, rules=rules)


def _person(name: str, country: str | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "title": None,
        "affiliation": None,
        "country": country,
        "mention": name,
        "span": [0, len(name)],
    }


def _event(
    event_id: str,
    people: list[str],
    *,
    day: str | None = "2031-03-03",
    place: str | None = "Velmora",
    status: str = "held",
    source: str = "Wire A",
    language: str = "en",
    confidence: float = 0.8,
    category: str = "politics",
    reported_on: str | None = "2031-03-03",
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "event_id": event_id,
        "item_id": f"item-{event_id}",
        "source": source,
        "url": None,
        "language": language,
        "status": status,
        "participants": [_person(p) for p in people],
        "location": None
        if place is None
        else {
            "name": place,
            "mention": place,
            "venue": None,
            "country": None,
            "geonames_id": None,
            "lat": None,
            "lon": None,
            "span": [0, len(place)],
        },
        "date": None if day is None else {"value": day, "precision": "day", "mention": day, "span": [0, 10]},
        "topic": {"category": category, "iptc": "medtop:11000000", "keywords": []},
        "evidence": {"text": "x", "span": [0, 1]},
        "confidence": confidence,
        "extractor": {"name": "meetwire", "version": "test"},
        "reported_on": reported_on,
    }


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Menteri Luar Negeri Sergei Valkorin", "Foreign Minister Sergey Valkorin"),
        ("Valkorin", "Sergey Valkorin"),
        ("Presiden Ardhana Wirasmoro", "Ardhana"),
        ("Dr. Zoë Lindqvåst", "Zoe Lindqvast"),
        ("Mustafa bin Harun", "Mustafa Harun"),
        ("Ardhana Bayu Wirasmoro", "Ardhana Wirasmoro"),
        ("Arwira", "Ardhana Wirasmoro"),
        ("Dmitriy Khorvald", "Dmitry Horvald"),
    ],
)
def test_names_match_variants(names: NameRules, a: str, b: str) -> None:
    assert names_match(names.fold(a), names.fold(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("Sergey Valkorin", "Sergey Duranov"), ("Ardhana Wirasmoro", "Bayu Wirasmoro"), ("Lin", "Lina Morvay")],
)
def test_names_match_rejects_other_people(names: NameRules, a: str, b: str) -> None:
    assert not names_match(names.fold(a), names.fold(b))


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_merge_reports_in_any_order_one_meeting_stable_id(names: NameRules, order: tuple[int, ...]) -> None:
    reports = [
        _event("e1", ["Menlu Ardhana Wirasmoro", "Sergei Valkorin"], source="Wire A", language="id"),
        _event("e2", ["Sergey Valkorin", "Ardhana Wirasmoro"], day="2031-03-04", source="Wire B"),
        _event("e3", ["Valkorin", "Ardhana"], day=None, place=None, source="Wire C", reported_on="2031-03-05"),
    ]
    merger = _merger(names)
    ids = set()
    decisions = []
    for i in order:
        outcome = merger.add(reports[i], T0)
        assert outcome.record is not None
        ids.add(outcome.record["meeting_id"])
        decisions.append(outcome.decision)
    assert len(ids) == 1
    assert decisions == ["created", "updated", "updated"]
    assert len(merger.meetings) == 1
    # the id is the first report's: the same first report gives the same id whatever follows
    first_alone = _merger(names).add(reports[order[0]], T0).record
    assert first_alone is not None
    assert ids == {first_alone["meeting_id"]}


@pytest.mark.parametrize("gap_days", [3])
def test_merge_follow_up_on_another_day_is_a_second_meeting(names: NameRules, gap_days: int) -> None:
    merger = _merger(names)
    first = merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"]), T0)
    later_day = (datetime(2031, 3, 3) + timedelta(days=gap_days)).date().isoformat()  # noqa: DTZ001 - a calendar day
    second = merger.add(_event("e2", ["Ardhana Wirasmoro", "Sergey Valkorin"], day=later_day), T0)
    assert second.decision == "created"
    assert first.record is not None and second.record is not None
    assert first.record["meeting_id"] != second.record["meeting_id"]
    assert second.rejected["date"] == 1


@pytest.mark.parametrize(("place_a", "place_b", "same"), [("Velmora", "Oskarth", False), ("Velmora", None, True)])
def test_merge_places_must_be_compatible(names: NameRules, place_a: str, place_b: str | None, same: bool) -> None:
    merger = _merger(names)
    merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"], place=place_a), T0)
    # the next day: within the day gap, but not the same day, which would override the place
    outcome = merger.add(_event("e2", ["Ardhana Wirasmoro", "Sergey Valkorin"], day="2031-03-04", place=place_b), T0)
    assert (outcome.decision == "updated") is same


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["planned", "held"], "held"),
        (["held", "planned"], "held"),
        (["planned", "cancelled"], "cancelled"),
        (["cancelled", "held"], "held"),
        (["planned", "planned"], "planned"),
    ],
)
def test_merge_status_by_evidence(names: NameRules, statuses: list[str], expected: str) -> None:
    merger = _merger(names)
    record = None
    for i, status in enumerate(statuses):
        record = merger.add(
            _event(f"e{i}", ["Ardhana Wirasmoro", "Sergey Valkorin"], status=status, source=f"W{i}"), T0
        ).record
    assert record is not None
    assert record["status"] == expected
    assert [r["status"] for r in record["reports"]] == statuses


@pytest.mark.parametrize("event_id", ["e1"])
def test_merge_duplicate_event_id_changes_nothing(names: NameRules, event_id: str) -> None:
    merger = _merger(names)
    published = merger.add(_event(event_id, ["Ardhana Wirasmoro", "Sergey Valkorin"]), T0).record
    before = (dict(merger.blocks), dict(merger.meetings))
    outcome = merger.add(_event(event_id, ["Ardhana Wirasmoro", "Sergey Valkorin"]), T0 + timedelta(hours=1))
    assert outcome.decision == "duplicate"
    assert outcome.record is None
    assert outcome.current == published  # what the agent re-sends: the same record
    assert (dict(merger.blocks), dict(merger.meetings)) == before


@pytest.mark.parametrize(("max_reports", "statuses"), [(3, ["planned"] * 9 + ["held"])])
def test_merge_reports_past_the_bound_are_counted_not_listed(
    names: NameRules, max_reports: int, statuses: list[str]
) -> None:
    merger = Merger(names, blocks={}, meetings={}, max_reports=max_reports)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    records = [merger.add(_event(f"e{i}", people, status=s, source=f"W{i}"), T0).record for i, s in enumerate(statuses)]
    last = records[-1]
    assert last is not None
    assert len({r["meeting_id"] for r in records if r}) == 1
    assert [r["event_id"] for r in last["reports"]] == ["e0", "e1", "e2"]
    assert last["reports_omitted"] == len(statuses) - max_reports
    assert last["support"]["reports"] == len(statuses)
    assert last["status"] == "held"  # the one held report came past the bound
    assert last["support"]["status"] == 1
    # A replay of a recent report past the bound is still recognised.
    replay = merger.add(_event(f"e{len(statuses) - 1}", people, status="held"), T0)
    assert replay.decision == "duplicate"
    assert replay.current == last


@pytest.mark.parametrize("reports", [3000])
def test_merge_record_and_table_value_stay_small_for_a_much_reported_meeting(names: NameRules, reports: int) -> None:
    merger = _merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    for i in range(reports):
        record = merger.add(_event(f"event-{i:06d}", people, source=f"Wire {i % 50}"), T0).record
    assert record is not None
    assert record["support"]["reports"] == reports
    (value,) = merger.meetings.values()
    assert len(value) < 300_000  # the broker's default message limit is 1 MB
    assert len(orjson.dumps(record)) < 100_000


@pytest.mark.parametrize("max_reports", [0])
def test_merge_bound_must_be_positive(names: NameRules, max_reports: int) -> None:
    with pytest.raises(ValueError, match="max_reports"):
        Merger(names, blocks={}, meetings={}, max_reports=max_reports)


@pytest.mark.parametrize("confidences", [(0.6, 0.5)])
def test_merge_confidence_grows_with_independent_sources_only(
    names: NameRules, confidences: tuple[float, float]
) -> None:
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    same_source = _merger(names)
    same_source.add(_event("e1", people, confidence=confidences[0], source="Wire A"), T0)
    one = same_source.add(_event("e2", people, confidence=confidences[1], source="Wire A"), T0).record
    two_sources = _merger(names)
    two_sources.add(_event("e1", people, confidence=confidences[0], source="Wire A"), T0)
    two = two_sources.add(_event("e2", people, confidence=confidences[1], source="Wire B"), T0).record
    assert one is not None and two is not None
    assert one["confidence"] == pytest.approx(confidences[0])
    assert two["confidence"] == pytest.approx(1 - (1 - confidences[0]) * (1 - confidences[1]))


@pytest.mark.parametrize("winner", ["Velmora"])
def test_merge_fields_by_agreement_with_counts(names: NameRules, winner: str) -> None:
    people = ["Ardhana Wirasmoro", "Sergey Valkorin", "Lina Morvay"]
    merger = _merger(names)
    merger.add(_event("e1", people[:2], place=winner, confidence=0.6, category="economy"), T0)
    merger.add(_event("e2", people, place=None, confidence=0.9, source="Wire B", category="politics"), T0)
    record = merger.add(_event("e3", people[:2], place=winner, confidence=0.5, source="Wire C"), T0).record
    assert record is not None
    assert record["location"]["name"] == winner
    assert record["topic"]["category"] == "politics"
    assert record["support"] == {
        "reports": 3,
        "status": 3,
        "participants": [3, 3, 1],
        "location": 2,
        "date": 3,
        "topic": 2,
    }
    assert [p["name"] for p in record["participants"]] == people


@pytest.mark.parametrize("retention_days", [30])
def test_merge_expire_drops_old_meetings_and_a_late_report_starts_afresh(names: NameRules, retention_days: int) -> None:
    merger = _merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    first = merger.add(_event("e1", people), T0).record
    merger.add(_event("e9", ["Lina Morvay", "Oskar Bendt"]), T0 + timedelta(days=retention_days))
    dropped = merger.expire(T0 + timedelta(days=retention_days, seconds=1), timedelta(days=retention_days))
    assert first is not None
    assert dropped == [first["meeting_id"]]
    assert len(merger.meetings) == 1
    assert all(first["meeting_id"].encode() not in raw for raw in merger.blocks.values())
    late = merger.add(_event("e2", people), T0 + timedelta(days=40))
    assert late.decision == "created"
    assert late.record is not None
    assert late.record["meeting_id"] != first["meeting_id"]  # the expired meeting's last record stays its own


@pytest.mark.parametrize("owned", [False])
def test_merge_expire_leaves_blocks_it_does_not_own(names: NameRules, owned: bool) -> None:
    merger = _merger(names)
    merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"]), T0)
    assert merger.expire(T0 + timedelta(days=99), timedelta(days=30), owns=lambda _block: owned) == []
    assert len(merger.meetings) == 1


@pytest.mark.parametrize(
    ("a", "b"), [("Sergei Valkorin", "Valkorin"), ("Menlu Ardhana Wirasmoro", "Ardhana Wirasmoro")]
)
def test_merge_blocking_key_survives_titles_and_spelling(names: NameRules, a: str, b: str) -> None:
    merger = _merger(names)
    assert merger.block_of(_event("e1", [a, "Zoltan Ybarra"])) == merger.block_of(_event("e2", [b, "Zoltan Ybarra"]))


@pytest.mark.parametrize("extra", [["Bayu Orvendel"], ["Lina Morvay"]])
def test_merge_reports_without_any_time_and_a_party_more_stay_apart(names: NameRules, extra: list[str]) -> None:
    merger = _merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day=None, reported_on=None), T0)
    assert merger.add(_event("e2", [*people, *extra], day=None, reported_on=None), T0).decision == "created"


@pytest.mark.parametrize(
    "second", [["Sergey Valkorin", "Ardhana Wirasmoro"], ["Valkorin", "Ardhana Wirasmoro", "Ardhana"]]
)
def test_merge_reports_without_any_time_and_the_same_parties_are_one_meeting_when_switched_on(
    names: NameRules, second: list[str]
) -> None:
    merger = _merger(names, MatchRules(timeless_same_parties=True))
    merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"], day=None, reported_on=None), T0)
    assert merger.add(_event("e2", second, day=None, reported_on=None), T0).decision == "updated"


@pytest.mark.parametrize("timeless_same_parties", [False])
def test_merge_timeless_same_parties_is_off_by_default(names: NameRules, timeless_same_parties: bool) -> None:
    assert MatchRules().timeless_same_parties is timeless_same_parties
    merger = _merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day=None, reported_on=None), T0)
    assert merger.add(_event("e2", people, day=None, reported_on=None), T0).decision == "created"


@pytest.mark.parametrize("first_day", ["2031-03-03", None])
def test_merge_report_without_any_time_does_not_join_a_dated_meeting(names: NameRules, first_day: str | None) -> None:
    merger = _merger(names, DATES_ONLY)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day=first_day, reported_on="2031-03-03"), T0)
    assert merger.add(_event("e2", people, day=None, reported_on=None), T0).decision == "created"


@pytest.mark.parametrize(
    ("local", "english"),
    [
        ("Stefanus Orvendel", "Stephen Orvendel"),
        ("Paus Yohanes Paulus Orvendel", "Pope John Paul Orvendel"),
        ("Johannes Orvendel", "John Orvendel"),
    ],
)
def test_names_fold_indonesian_given_names_to_english(names: NameRules, local: str, english: str) -> None:
    assert names.fold(local) == names.fold(english)


@pytest.mark.parametrize(("local", "english"), [("Paus Bartolomeus", "Pope Bartholomew"), ("Fransiskus", "Francis")])
def test_merge_blocking_key_survives_given_name_translation(names: NameRules, local: str, english: str) -> None:
    merger = _merger(names)
    assert merger.block_of(_event("e1", [local, "Zoltan Ybarra"], language="id")) == merger.block_of(
        _event("e2", [english, "Zoltan Ybarra"])
    )


@pytest.mark.parametrize("one_report_per_item", [True, False])
def test_merge_two_events_of_one_item_are_two_meetings(names: NameRules, one_report_per_item: bool) -> None:
    merger = _merger(names, MatchRules(one_report_per_item=one_report_per_item))
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add({**_event("e1", people), "item_id": "item-1"}, T0)
    second = merger.add({**_event("e2", people, day=None), "item_id": "item-1"}, T0)
    assert second.decision == ("created" if one_report_per_item else "updated")
    assert merger.add({**_event("e3", people), "item_id": "item-2"}, T0).decision == "updated"


@pytest.mark.parametrize(
    ("second", "day", "decision"),
    [
        (["Sergey Valkorin", "Ardhana Wirasmoro"], "2031-03-03", "updated"),
        (["Valkorin", "Ardhana"], "2031-03-03", "updated"),
        (["Sergey Valkorin", "Ardhana Wirasmoro", "Lina Morvay"], "2031-03-03", "created"),
        (["Sergey Valkorin", "Ardhana Wirasmoro"], "2031-03-04", "created"),
        (["Sergey Valkorin", "Ardhana Wirasmoro"], None, "created"),
    ],
)
def test_merge_same_parties_same_day_override_a_place_conflict(
    names: NameRules, second: list[str], day: str | None, decision: str
) -> None:
    merger = _merger(names)
    merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"], place="Velmora"), T0)
    outcome = merger.add(_event("e2", second, day=day, place="Ostrava Nova"), T0)
    assert outcome.decision == decision


@pytest.mark.parametrize("same_day_overrides_place", [False])
def test_merge_same_day_place_override_can_be_switched_off(names: NameRules, same_day_overrides_place: bool) -> None:
    merger = _merger(names, MatchRules(same_day_overrides_place=same_day_overrides_place))
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, place="Velmora"), T0)
    outcome = merger.add(_event("e2", people, place="Ostrava Nova"), T0)
    assert outcome.decision == "created"
    assert outcome.rejected["place"] == 1


def _with_evidence(event: dict[str, Any], text: str) -> dict[str, Any]:
    return {**event, "evidence": {"text": text, "span": [0, len(text)]}}


def _clue_merger(names: NameRules, rules: MatchRules | None = None) -> Merger:
    from stream.canonical import load_day_words

    return Merger(names, blocks={}, meetings={}, rules=rules, days=load_day_words())


@pytest.mark.parametrize(
    ("evidence", "decision"),
    [
        ("Ardhana Wirasmoro and Sergey Valkorin met on Monday.", "updated"),  # 2031-03-03 is a Monday
        ("Ardhana Wirasmoro and Sergey Valkorin met on Thursday.", "created"),
        ("Ardhana Wirasmoro bertemu Sergey Valkorin, Senin (3/3).", "updated"),
        ("Valkorin said on March 2 that he had met Ardhana Wirasmoro.", "updated"),
        ("Valkorin said on March 9 that he had met Ardhana Wirasmoro.", "created"),
        ("Ardhana Wirasmoro and Sergey Valkorin met.", "created"),  # nothing to compare
    ],
)
def test_merge_timeless_report_joins_a_dated_meeting_when_its_day_clue_fits(
    names: NameRules, evidence: str, decision: str
) -> None:
    merger = _clue_merger(names, DATES_ONLY)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day="2031-03-03"), T0)
    second = _with_evidence(_event("e2", people, day=None, reported_on=None), evidence)
    assert merger.add(second, T0).decision == decision


@pytest.mark.parametrize("day_clues", [False])
def test_merge_day_clues_can_be_switched_off(names: NameRules, day_clues: bool) -> None:
    merger = _clue_merger(names, MatchRules(day_clues=day_clues, timeless_held_joins_sole_meeting=False))
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day="2031-03-03"), T0)
    second = _with_evidence(_event("e2", people, day=None, reported_on=None), "They met on Monday.")
    assert merger.add(second, T0).decision == "created"


@pytest.mark.parametrize("merger_reads_clues", [False])
def test_merge_without_day_words_reads_no_clues(names: NameRules, merger_reads_clues: bool) -> None:
    merger = _merger(names, DATES_ONLY)
    assert (merger.days is not None) is merger_reads_clues
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day="2031-03-03"), T0)
    second = _with_evidence(_event("e2", people, day=None, reported_on=None), "They met on Monday.")
    assert merger.add(second, T0).decision == "created"


@pytest.mark.parametrize(("timeless_pairs_defer", "decision"), [(True, "updated"), (False, "created")])
def test_merge_timeless_reports_leave_the_date_to_the_meetings_dated_reports(
    names: NameRules, timeless_pairs_defer: bool, decision: str
) -> None:
    merger = _clue_merger(names, MatchRules(timeless_pairs_defer=timeless_pairs_defer))
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day="2031-03-03"), T0)
    monday = _with_evidence(_event("e2", people, day=None, reported_on=None), "They met on Monday.")
    assert merger.add(monday, T0).decision == "updated"
    # Nothing to compare with e2; e1's date agrees with its clue.
    march = _with_evidence(_event("e3", [*people, "Lina Morvay"], day=None, reported_on=None), "on March 3")
    assert merger.add(march, T0).decision == decision
    # A publication day within the window of e1's date; nothing to compare with the timeless ones.
    assert merger.add(_event("e4", people, day=None, reported_on="2031-03-05"), T0).decision == decision


@pytest.mark.parametrize("clue", ["They met on Friday.", "They met on 20 March."])
def test_merge_a_conflicting_clue_keeps_a_report_out_although_a_dated_report_agrees(
    names: NameRules, clue: str
) -> None:
    merger = _clue_merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_with_evidence(_event("e1", people, day=None, reported_on=None), "They met on Monday."), T0)
    # e2's date agrees with nothing it can be compared with: a dated report must agree first.
    assert merger.add(_event("e2", people, day="2031-03-03"), T0).decision == "updated"
    third = _with_evidence(_event("e3", people, day=None, reported_on=None), clue)
    outcome = merger.add(third, T0)
    assert outcome.decision == "created"
    assert outcome.rejected["date"] == 1


def _datelined(event: dict[str, Any], place: str, rest: str) -> dict[str, Any]:
    text = f"{place}{rest}"
    location = {**event["location"], "name": place, "mention": place, "span": [100, 100 + len(place)]}
    return {**event, "location": location, "evidence": {"text": text, "span": [100, 100 + len(text)]}}


@pytest.mark.parametrize(
    ("rest", "decision"),
    [
        (", Wire B - Ardhana Wirasmoro met Sergey Valkorin.", "updated"),
        (" (3/3) \u2013 Ardhana Wirasmoro met Sergey Valkorin.", "updated"),
        (": Ardhana Wirasmoro met Sergey Valkorin.", "updated"),
        (" hosted Ardhana Wirasmoro and Sergey Valkorin.", "created"),  # the place of the sentence
    ],
)
def test_merge_a_dateline_place_is_compatible_with_any_place(names: NameRules, rest: str, decision: str) -> None:
    merger = _merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day="2031-03-03", place="Velmora"), T0)
    # One party more, so the same-day override does not apply: only the dateline rule can.
    second = _datelined(_event("e2", [*people, "Lina Morvay"], day="2031-03-03"), "Ostrava Nova", rest)
    assert merger.add(second, T0).decision == decision


@pytest.mark.parametrize("dateline_place_is_weak", [False])
def test_merge_dateline_rule_can_be_switched_off(names: NameRules, dateline_place_is_weak: bool) -> None:
    merger = _merger(names, MatchRules(dateline_place_is_weak=dateline_place_is_weak))
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day="2031-03-03", place="Velmora"), T0)
    second = _datelined(_event("e2", [*people, "Lina Morvay"]), "Ostrava Nova", ", Wire B - They met.")
    assert merger.add(second, T0).decision == "created"


@pytest.mark.parametrize(("stored_day", "joins"), [("2031-03-03", True), ("2031-05-20", False)])
def test_canonical_merge_compares_with_the_stored_meeting_not_an_older_decoding(
    names: NameRules, stored_day: str, joins: bool
) -> None:
    """Decoded meetings are reused only while the table holds the bytes they came from: a
    meeting rewritten in the table (by another worker, a restore) is read again."""
    meetings: dict[str, bytes] = {}
    merger = Merger(names, blocks={}, meetings=meetings)
    first = merger.add(_event("r1", ["Ardhana Wirasmoro", "Sergei Valkorin"]), T0).record
    assert first is not None
    meeting_id = first["meeting_id"]
    stored = orjson.loads(meetings[meeting_id])
    for report in stored["reports"]:
        report["date"]["value"] = stored_day
        report["reported_on"] = stored_day
    meetings[meeting_id] = orjson.dumps(stored)
    second = merger.add(_event("r2", ["Ardhana Wirasmoro", "Sergei Valkorin"]), T0)
    assert (second.decision == "updated") is joins
    assert second.record is not None and (second.record["meeting_id"] == meeting_id) is joins


class _CountingMeetings(dict[str, bytes]):
    """The meetings map, counting the meetings the merge reads."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.read.append(key)
        return super().get(key, default)


@pytest.mark.parametrize("gap_days", [8, 40])
def test_merge_never_reads_meetings_far_from_the_reports_day(names: NameRules, gap_days: int) -> None:
    """A party's name key lists all their meetings of the retention: one that many days away
    is rejected by date from the index alone, and its replay is still recognised."""
    meetings = _CountingMeetings()
    merger = Merger(names, blocks={}, meetings=meetings)
    far = (datetime(2031, 3, 3) + timedelta(days=gap_days)).date().isoformat()  # noqa: DTZ001 - a calendar day
    first = merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"]), T0)
    assert first.record is not None
    meetings.read.clear()
    second = merger.add(_event("e2", ["Ardhana Wirasmoro", "Sergey Valkorin"], day=far, reported_on=far), T0)
    assert second.decision == "created"
    assert second.rejected["date"] == 1
    assert first.record["meeting_id"] not in meetings.read
    replay = merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"]), T0)
    assert replay.decision == "duplicate"


@pytest.mark.parametrize("reported_on", ["2031-03-05", None])
def test_merge_reads_undated_and_nearby_meetings_whatever_the_index_says(
    names: NameRules, reported_on: str | None
) -> None:
    """Within the window, or with no whole day to compare, a meeting is compared as before."""
    merger = _merger(names, DATES_ONLY)
    first = merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"]), T0)
    second = merger.add(
        _event("e2", ["Ardhana Wirasmoro", "Sergey Valkorin"], day=None, reported_on=reported_on, source="Wire B"), T0
    )
    assert first.record is not None and second.record is not None
    joined = second.decision == "updated"
    assert joined == (reported_on is not None)  # an undated, timeless report joins no dated meeting
    assert second.rejected.get("date", 0) == (0 if joined else 1)


@pytest.mark.parametrize("people", [["Ardhana Wirasmoro", "Sergey Valkorin"]])
def test_merge_reads_an_index_written_before_day_spans(names: NameRules, people: list[str]) -> None:
    """A table restored from a changelog written by an earlier version lists bare meeting ids:
    those meetings have no known days and are always compared."""
    merger = _merger(names)
    first = merger.add(_event("e1", people), T0)
    assert first.record is not None
    for key, raw in list(merger.blocks.items()):
        merger.blocks[key] = orjson.dumps([entry[0] for entry in orjson.loads(raw)])
    second = merger.add(_event("e2", people, source="Wire B"), T0)
    assert second.decision == "updated"
    assert second.record is not None and second.record["meeting_id"] == first.record["meeting_id"]
    far = merger.add(_event("e3", people, day="2031-05-01", reported_on="2031-05-01"), T0)
    assert far.decision == "created"


@pytest.mark.parametrize("bound", [3])
def test_merge_name_key_lists_at_most_its_bound_oldest_out(names: NameRules, bound: int) -> None:
    """One party meeting many others: their shared key keeps the newest ``bound`` meetings, and
    the one just written always; the oldest are still found through their other party's key."""
    merger = Merger(names, blocks={}, meetings={}, max_meetings_per_key=bound)
    guests = ["Ardhana Wirasmoro", "Sergey Valkorin", "Lintang Pradipta", "Osric Delmane", "Tamsin Yarrow"]
    records = []
    for n, guest in enumerate(guests):
        outcome = merger.add(_event(f"e{n}", ["Kemal Orsavi", guest]), T0)
        assert outcome.record is not None
        records.append(outcome.record["meeting_id"])
    shared = orjson.loads(merger.blocks["orsavi"])
    assert [entry[0] for entry in shared] == records[-bound:]
    again = merger.add(_event("e0-again", ["Kemal Orsavi", guests[0]], source="Wire B"), T0)
    assert again.decision == "updated"
    assert again.record is not None and again.record["meeting_id"] == records[0]


@pytest.mark.parametrize("bound", [0])
def test_merge_name_key_bound_must_be_positive(names: NameRules, bound: int) -> None:
    with pytest.raises(ValueError, match="max_meetings_per_key"):
        Merger(names, blocks={}, meetings={}, max_meetings_per_key=bound)


@pytest.mark.parametrize(
    ("second_people", "second_status", "decision"),
    [
        (["Sergey Valkorin", "Ardhana Wirasmoro"], "held", "updated"),
        (["Sergey Valkorin", "Ardhana Wirasmoro"], "planned", "created"),  # a plan may be for any later day
        (["Ardhana Wirasmoro", "Sergey Valkorin", "Mirela Tosk"], "held", "created"),  # not the same parties
    ],
)
def test_merge_timeless_held_report_joins_the_sole_dated_meeting_of_its_parties(
    names: NameRules, second_people: list[str], second_status: str, decision: str
) -> None:
    merger = _merger(names)
    merger.add(_event("e1", ["Ardhana Wirasmoro", "Sergey Valkorin"], day="2031-03-03"), T0)
    second = _event("e2", second_people, day=None, reported_on=None, status=second_status, source="Wire B")
    assert merger.add(second, T0).decision == decision


@pytest.mark.parametrize("days", [("2031-03-03", "2031-05-20")])
def test_merge_timeless_held_report_joins_no_meeting_when_its_parties_met_twice(
    names: NameRules, days: tuple[str, str]
) -> None:
    merger = _merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    for number, day in enumerate(days):
        merger.add(_event(f"e{number}", people, day=day, reported_on=day), T0)
    assert merger.add(_event("timeless", people, day=None, reported_on=None, source="Wire B"), T0).decision == "created"


@pytest.mark.parametrize("first_day", [None])
def test_merge_timeless_held_report_needs_a_dated_report_to_join(names: NameRules, first_day: str | None) -> None:
    merger = _merger(names)
    people = ["Ardhana Wirasmoro", "Sergey Valkorin"]
    merger.add(_event("e1", people, day=first_day, reported_on=None), T0)
    assert merger.add(_event("e2", people, day=None, reported_on=None, source="Wire B"), T0).decision == "created"
