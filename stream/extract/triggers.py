"""Meeting triggers ("bertemu", "held talks", "menerima kunjungan") with their status.

Patterns are data (``stream/data/meeting_triggers.json``); status comes from cue words in a
short window before the trigger ("akan bertemu", "is expected to meet") or anywhere in the
sentence for cancellations ("batal", "called off").
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from stream.extract.lexicon import Lexicon, Strength
from stream.extract.pipeline import Sentence
from stream.records import Status

GROUP_LEAD_MAX = 3
"""Lead words ("a", "sejumlah", a number) a group side may stand after its trigger."""
GROUP_MAX = 6
"""Tokens of a group side's name (head and description)."""
SUBJECT_GAP = 2
"""Lower-case words an organisation side may stand before its trigger ("X juga menggelar pertemuan")."""
PLANNED_WINDOW = 10
"""Tokens before a trigger searched for a planned-status cue (within one clause)."""
ATTENDANCE_WINDOW = 4
"""Tokens an attendance verb may stand before the meeting noun it governs ("attended the first meeting")."""

_CLAUSE_BREAK = frozenset({".", ";", ":", "!", "?"})
_IN_PERSON = {"en": ("face-to-face", "face to face", "in person", "in-person"), "id": ("tatap muka", "empat mata")}
"""Words that say a meeting was held in person: a call or letter beside it leaves it a meeting."""
_SIGNING_EN = frozenset({"signed"})
"""English signing triggers that, as a past participle after a noun, name a document rather than report a signing."""
_BE_EN = frozenset({"was", "were", "is", "are", "be", "been", "being", "get", "got", "had", "has", "have"})
_AGENT_OR_PLACE_EN = frozenset({"by", "in", "on", "at"})
_CLOSING_QUOTES = frozenset({'"', "\u201d", "\u2019", "'", ")"})
_COUNTED = "counted"
"""Matcher label of the group nouns that are a side only after a lead word or number."""
_NOT_TRIGGER = "not_trigger"
"""Matcher label of the phrases that hold a trigger word but are no trigger."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """One meeting trigger in a sentence."""

    start: int
    end: int
    strength: Strength
    status: Status
    text: str


class TriggerFinder:
    """Finds meeting triggers in one language; built once per language."""

    def __init__(self, nlp: Language, language: str, lexicon: Lexicon) -> None:
        self.language = language
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for strength, phrases in lexicon.triggers[language].items():
            self.matcher.add(strength, [nlp.make_doc(p) for p in phrases])
        # longer than the trigger word they hold, so ``filter_spans`` keeps them and drops the trigger
        self.matcher.add(_NOT_TRIGGER, [nlp.make_doc(p) for p in lexicon.not_triggers.get(language, ())])
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        for cue, phrases in lexicon.status_cues[language].items():
            self.cues.add(cue, [nlp.make_doc(p) for p in phrases])
        self.exclusions = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.exclusions.add("X", [nlp.make_doc(p) for p in lexicon.exclusions[language]])
        self.pairs = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.pairs.add("P", [nlp.make_doc(p) for p in lexicon.pair_references[language]])
        self.bilateral_cues = tuple(c.casefold() for c in lexicon.bilateral_cues[language])
        self.separate_cues = tuple(c.casefold() for c in lexicon.separate_cues.get(language, ()))
        self.subject_pronouns = lexicon.subject_pronouns[language]
        self.separate_meetings = lexicon.separate_meetings[language]
        self.trip_verbs = lexicon.trip_verbs[language]
        self.looking_back = lexicon.looking_back[language]
        self.planned_openers = lexicon.planned_openers.get(language, frozenset())
        self.attendance_words = lexicon.attendance_words.get(language, frozenset())
        self.held_forms = lexicon.held_forms.get(language, frozenset())
        self.future_markers = lexicon.future_markers.get(language, frozenset())
        self.held_markers = lexicon.held_markers.get(language, frozenset())
        self.welcome_words = frozenset(lexicon.arrival_welcome[language]["welcome"])
        self.arrivals = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.arrivals.add("ARRIVAL", [nlp.make_doc(p) for p in lexicon.arrival_welcome[language]["arrival"]])
        groups = lexicon.group_sides.get(language, {})
        self.group_heads = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.group_heads.add("GROUP", [nlp.make_doc(p) for p in groups.get("heads", ())])
        self.group_heads.add(_COUNTED, [nlp.make_doc(p) for p in groups.get("counted", ())])
        self.group_lead = frozenset(w.casefold() for w in groups.get("lead", ()))
        self.group_stop = frozenset(w.casefold() for w in groups.get("stop", ()))
        self.group_links = frozenset(w.casefold() for w in groups.get("links", ()))
        self.organisation_lead = frozenset(w.casefold() for w in groups.get("organisation_lead", ()))
        self.organisation_with = frozenset(w.casefold() for w in groups.get("organisation_with", ()))
        self.welcomed_by = frozenset(w.casefold() for w in groups.get("welcomed_by", ()))
        self.list_joiners = lexicon.list_joiners.get(language, frozenset())
        self.function_words = lexicon.stopwords.get(language, frozenset())
        self.earlier_cues = Matcher(nlp.vocab)
        self.earlier_cues.add("EARLIER", list(lexicon.earlier_cues[language]))
        self.strings = nlp.vocab.strings

    def names_pair(self, doc: Doc, sent: Sentence) -> bool:
        """The sentence refers to both sides of a meeting already reported ("the two leaders")."""
        return bool(self.pairs(doc[sent.start : sent.end]))

    def pronoun_subject(self, doc: Doc, sent: Sentence, trig: Trigger) -> bool:
        """A pronoun is the trigger's subject ("She also met A and B", "Ia kemudian bertemu A"):
        within three tokens before it, in the same sentence."""
        return any(t.lower_ in self.subject_pronouns for t in doc[max(sent.start, trig.start - 3) : trig.start])

    def separate(self, trig: Trigger) -> bool:
        """A plural trigger that makes each listed party a meeting of its own ("held meetings with")."""
        return trig.text.lower() in self.separate_meetings

    def arrival_welcome(self, doc: Doc, sent: Sentence, triggers: list[Trigger]) -> bool:
        """Only welcome triggers, in a sentence of an arrival or an airport ("was received at the
        airport by X", "tiba di Beijing dan disambut X"): a welcome, not a meeting."""
        return (
            bool(triggers)
            and all(t.text.lower() in self.welcome_words for t in triggers)
            and bool(self._matches(doc, self.arrivals, sent))
        )

    def earlier(self, doc: Doc, sent: Sentence) -> bool:
        """The sentence places its meeting before the story's own ("last April", "sebelumnya"):
        a meeting of the same parties reported there is another meeting, not a repeat mention."""
        # matched on the sentence alone: few sentences are asked about, and the token Matcher
        # over a whole article costs more than every other trigger step together
        return bool(self.earlier_cues(doc[sent.start : sent.end]))

    def group_after(self, doc: Doc, sent: Sentence, trig: Trigger) -> tuple[int, int] | None:
        """Token range of a group named as the trigger's other side ("hosted a delegation of
        business leaders", "menerima 20 perwakilan serikat buruh"): a group noun right after the
        trigger (lead words and numbers between; "counted" nouns such as "bupati" only after
        one: "menerima 31 bupati"), with its description up to a stop word or punctuation
        (through a ``links`` word first, when the language lists them). ``None`` when none follows."""
        if (not self.group_lead and not self.group_stop) or trig.text.lower() in self.welcomed_by:
            return None  # "disambut oleh ratusan warga": a welcoming crowd, no side
        i = trig.end
        while i < sent.end and i - trig.end < GROUP_LEAD_MAX and (doc[i].lower_ in self.group_lead or doc[i].like_num):
            i += 1
        heads = [
            (s, e)
            for m, s, e in self._matches(doc, self.group_heads, sent)
            if s == i and (i > trig.end or self.strings[m] != _COUNTED)
        ]
        if not heads:
            return None
        end = max(e for _, e in heads)
        if self.group_links and (end >= sent.end or doc[end].lower_ not in self.group_links):
            # where modifiers precede the noun ("business leaders"), the description goes on only
            # through a link word ("leaders of organised labour")
            return i, end
        while (
            end < sent.end and end - i < GROUP_MAX and not doc[end].is_punct and doc[end].lower_ not in self.group_stop
        ):
            end += 1
        # cut off at the length limit: no function word at its end ("leaders of")
        while end > i + 1 and doc[end - 1].lower_ in self.function_words:
            end -= 1
        return i, end

    def organisation_sides(
        self, doc: Doc, sent: Sentence, trig: Trigger, runs: list[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        """The organisation runs (``ParticipantFinder.organisations``) that stand as the trigger's
        sides: the list right before it, its subject ("Kepolisian X dan Polisi Y (Z) menggelar
        pertemuan"; up to two lower-case words between), and the list right after it, through
        ``organisation_lead`` words ("bertemu dengan delegasi Kadin X", "met with the House
        Commission I"); after a weak trigger only through an ``organisation_with`` word ("talks
        with", not "a meeting of the X Council"). A list goes on through list joiners ("A, B and C")."""
        by_end = {e: (s, e) for s, e in runs}
        by_start = {s: (s, e) for s, e in runs}
        found: list[tuple[int, int]] = []
        i = trig.start
        while i > sent.start and trig.start - i < SUBJECT_GAP and doc[i - 1].is_lower and doc[i - 1].is_alpha:
            i -= 1
        if i - 3 >= sent.start and doc[i - 1].text == ")" and doc[i - 3].text == "(":
            i -= 3  # "Polisi Federal X (XFP) menggelar": the acronym of the one before
        while i in by_end:
            run = by_end[i]
            found.insert(0, run)
            i = run[0]
            while i > sent.start and doc[i - 1].lower_ in self.list_joiners:
                i -= 1
            if i == run[0]:
                break
        i = trig.end
        while i < sent.end and i - trig.end < GROUP_LEAD_MAX + 1 and doc[i].lower_ in self.organisation_lead:
            i += 1
        if trig.text.lower() in self.welcomed_by or (
            trig.strength == "weak" and not any(doc[k].lower_ in self.organisation_with for k in range(trig.end, i))
        ):
            return found
        while i in by_start:
            run = by_start[i]
            found.append(run)
            i = run[1]
            if i + 2 < sent.end and doc[i].text == "(" and doc[i + 2].text == ")":
                i += 3
            k = i
            while i < sent.end and doc[i].lower_ in self.list_joiners:
                i += 1
            if i == k:
                break
        return found

    def separate_paragraphs(self, text: str, sentences: list[Sentence]) -> frozenset[int]:
        """Paragraphs that say the meetings they tell of were held one by one ("met X
        separately", "secara terpisah"): a list of counterparts there, or in the paragraph
        after, is one meeting each."""
        low = text.casefold()
        if not any(c in low for c in self.separate_cues):
            return frozenset()
        return frozenset(
            s.paragraph for s in sentences if any(c in low[s.start_char : s.end_char] for c in self.separate_cues)
        )

    def bilateral_context(self, text: str) -> bool:
        """The article speaks of bilateral or separate meetings: lists of counterparts are split."""
        low = text.casefold()
        return any(c in low for c in self.bilateral_cues)

    def in_doc(self, doc: Doc) -> list[Trigger]:
        """All triggers in ``doc`` (cheap: one matcher pass), status not yet set (held)."""
        spans = []
        for match_id, s, e in self.matcher(doc):
            span = doc[s:e]
            span.label_ = self.strings[match_id]
            spans.append(span)
        out = []
        for span in filter_spans(spans):
            if span.label_ == _NOT_TRIGGER:
                continue  # "terima kasih": thanks, not "terima" (received)
            first = span[0]
            # "Pertemuan Gerakan Non Blok", "Foreign Ministers' Meeting": a named event, not a meeting
            if (
                first.text[:1].isupper()
                and first.i > 0
                and not doc[first.i - 1].is_punct
                and not doc[first.i - 1].is_space
                and "\n" not in doc[first.i - 1].whitespace_
                and (
                    (span.end < len(doc) and doc[span.end].text[:1].isupper())
                    or (doc[first.i - 1].text[:1].isupper() and not doc[first.i - 1].is_sent_start)
                )
            ):
                continue
            if self._document_participle(doc, span.start, span.end):
                continue
            out.append(Trigger(span.start, span.end, span.label_, "held", span.text))  # type: ignore[arg-type]
        return out

    def _document_participle(self, doc: Doc, start: int, end: int) -> bool:
        """An English "signed" that modifies a document named before it, a reduced relative
        clause: "the memorandum signed by A and B in 2014", "the 2019 "Declaration on X" signed in
        Y". It names the document, not a signing the story reports. A passive with its
        auxiliary ("was signed by A and B") still reports one."""
        if self.language != "en" or doc[start:end].text.lower() not in _SIGNING_EN or end >= len(doc):
            return False
        if doc[end].lower_ not in _AGENT_OR_PLACE_EN or start == 0:
            return False
        before = doc[start - 1]
        if before.text in _CLOSING_QUOTES:
            return True
        aux = {t.lower_ for t in doc[max(0, start - 3) : start]}
        return doc[end].lower_ == "by" and not aux & _BE_EN and before.is_alpha

    def _matches(self, doc: Doc, matcher: PhraseMatcher | Matcher, sent: Sentence) -> list[tuple[int, int, int]]:
        """``matcher``'s matches inside ``sent``: the whole Doc is matched once and kept in
        ``doc.user_data`` (the same matches as on the sentence's Span, for far fewer calls)."""
        key = f"meetwire.matches.{id(matcher)}"
        found: list[tuple[int, int, int]] | None = doc.user_data.get(key)
        if found is None:
            found = [(m, s, e) for m, s, e in matcher(doc)]
            doc.user_data[key] = found
        return [(m, s, e) for m, s, e in found if sent.start <= s and e <= sent.end]

    def excluded(self, doc: Doc, sent: Sentence, triggers: list[Trigger]) -> bool:
        """Phone calls, letters, sports matches: the sentence reports no meeting, unless it says
        that one was held in person too ("had a telephone conversation on Monday, following
        face-to-face talks on Sunday")."""
        # a match inside a trigger ("courtesy call") does not count
        found = any(
            not any(t.start < e and s < t.end for t in triggers)
            for _, s, e in self._matches(doc, self.exclusions, sent)
        )
        return found and not self._in_person(doc, sent)

    def _in_person(self, doc: Doc, sent: Sentence) -> bool:
        text = doc[sent.start : sent.end].text.casefold()
        return any(marker in text for marker in _IN_PERSON.get(self.language, ()))

    def with_status(self, doc: Doc, sent: Sentence, trig: Trigger) -> Trigger:
        """The trigger with its status read from cue words around it."""
        planned = False
        cancelled = False
        for match_id, s, e in self._matches(doc, self.cues, sent):
            label = self.strings[match_id]
            if label == "cancelled":
                # "Pertemuan bilateral antara A dan B yang seyogyanya digelar ... dibatalkan"
                # or a cue that holds the trigger itself ("never met", "did not meet", "tidak bertemu")
                if (
                    (e <= trig.start and trig.start - e <= 8)
                    or (s >= trig.end and (s - trig.end <= 6 or doc[trig.start].lower_ not in self.held_forms))
                    or (s < trig.end and trig.start < e)
                ):
                    cancelled = True
            # a cue may end inside the trigger it governs ("to meet", "dijadwalkan bertemu")
            elif label == "planned" and s < trig.start and e <= trig.end and trig.start - e <= PLANNED_WINDOW:
                between = doc[min(e, trig.start) : trig.start]
                if not any(t.text in _CLAUSE_BREAK for t in between) and not self._trip_purpose(doc, sent, s, e, trig):
                    planned = True
        if self.opens_planned(doc, sent):
            planned = True
        if self.marked_held(doc, sent, trig):
            planned = False
        status: Status = "cancelled" if cancelled else "planned" if planned else "held"
        return Trigger(trig.start, trig.end, trig.strength, status, trig.text)

    def opens_planned(self, doc: Doc, sent: Sentence) -> bool:
        """The sentence opens with a word that puts all of it in the future ("Rencananya, A akan
        menghadiri jamuan ..., dilanjutkan dengan pertemuan"): its triggers are planned, however far
        they stand from a planned cue."""
        first = next((t for t in doc[sent.start : sent.end] if not (t.is_space or t.is_punct)), None)
        return first is not None and first.lower_ in self.planned_openers

    def _trip_purpose(self, doc: Doc, sent: Sentence, s: int, e: int, trig: Trigger) -> bool:
        """A cue that ends inside the trigger ("to meet") after a journey verb of the same clause
        names the purpose of a trip made ("arrived at the palace to meet X"), not a plan."""
        if e <= trig.start:
            return False
        for t in reversed(doc[max(sent.start, s - PLANNED_WINDOW) : s]):
            if t.text in _CLAUSE_BREAK:
                return False
            if t.lower_ in self.trip_verbs:
                return True
        return False

    def attended(self, doc: Doc, sent: Sentence, trig: Trigger) -> bool:
        """A weak meeting noun governed by a verb of taking part ("both A and B attended the first
        meeting of APEC leaders", "X attended the state house meeting"): a gathering the names
        joined, not a meeting between them. Within ``ATTENDANCE_WINDOW`` tokens, no punctuation between."""
        if trig.strength != "weak" or not self.attendance_words:
            return False
        for i in range(trig.start - 1, max(sent.start, trig.start - ATTENDANCE_WINDOW) - 1, -1):
            tok = doc[i]
            if tok.is_punct:
                return False
            if tok.lower_ in self.attendance_words:
                return True
        return False

    def looks_back(self, doc: Doc, trig: Trigger) -> bool:
        """The trigger opens with a word that places it after a meeting ("after talks",
        "usai pertemuan"): it refers to a meeting rather than reporting one."""
        return doc[trig.start].lower_ in self.looking_back

    def marked_held(self, doc: Doc, sent: Sentence, trig: Trigger) -> bool:
        """The trigger itself says the meeting took place: a past form ("met", "held talks")
        not after "will"/"to", or a word that places it in the past ("usai pertemuan",
        "after the meeting")."""
        first = doc[trig.start].lower_
        before = {t.lower_ for t in doc[max(sent.start, trig.start - 3) : trig.start]}
        if first in self.held_forms and not (before & self.future_markers):
            return True
        return bool(before & self.held_markers) or first in self.held_markers

    def title_status(self, title: Doc) -> Status | None:
        """The status of the meeting a headline announces ("X to meet Y", "X batal bertemu Y"),
        or None when it announces no planned or cancelled one."""
        whole = Sentence(0, len(title), 0, len(title.text), 0)
        found = {self.with_status(title, whole, t).status for t in self.in_doc(title)}
        return "cancelled" if "cancelled" in found else "planned" if "planned" in found else None
