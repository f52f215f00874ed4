"""Open tenders as a fitted index: supplier in, the tenders (or lots) that fit it out."""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from coopmatch.geo import PlaceWords
from coopmatch.matching import persist, reasons
from coopmatch.matching.index import (
    AWARD_DESCRIPTION_CHARS,
    CAPABILITY_SHORT_CHARS,
    CodeTable,
    query_text,
)
from coopmatch.matching.scoring import (
    ScoringParams,
    capability_of,
    check_weights,
    combine_known,
    squash,
    with_stated_record,
)
from coopmatch.matching.signals import (
    SIC_FIT,
    UNKNOWN,
    CPVPostings,
    best_cpv_pair,
    cpv_divisions,
    experience_score,
    geography_scores,
    linked_sic_divisions,
    nearest_work,
    same_trade,
    tier_of,
    worked_blend,
)
from coopmatch.matching.text import (
    SHORT_DESCRIPTION_CHARS,
    TextModel,
    hyphen_spellings,
    singulars,
    word_tokens,
)
from coopmatch.matching.types import (
    SIMILAR_WORK,
    WORK_TEXT,
    MatchOptions,
    Opportunity,
    SupplierProfile,
    TenderQuery,
)
from coopmatch.sic import SICVocabulary

if TYPE_CHECKING:
    from coopmatch.matching.index import MatchIndex

KIND = "opportunity-index"
# An update keeps the fitted vocabulary; a tender added with less than this share of its words
# in it calls for a refit (where open tenders number in the thousands, most new ones are in).
KNOWN_WORDS = 0.9
# Past this share of its tenders changed since fitting (added, replaced or dropped), refit.
REFIT_SHARE = 0.2


class OpportunityIndex:
    """Open tenders and their lots, each a row, fitted for "opportunities for you"."""

    def __init__(self):
        self.weights = check_weights(None)
        self.params = ScoringParams()
        self.cpv_descriptions: Mapping[str, str] = {}
        self.hidden_terms = PlaceWords()  # not shown as shared key terms (place names)
        self.area_names: Mapping[str, str] = {}  # GSS code -> name, for reasons
        # CPV code -> SIC divisions, for suppliers known by SIC codes alone (signals.SIC_FIT);
        # given with the reference data and not saved.
        self.sic_bridge: Mapping[str, list[str]] = {}
        self.sic_names: SICVocabulary | None = None  # names SIC codes in reasons; not saved
        self._row_sic: tuple | None = None  # (bridge, each row's linked SIC divisions)
        self.tender_vectors: np.ndarray | None = None  # rows in the learned association space
        # Rows as the supplier index reads a tender, for keywords; valid beside that fit only.
        self.keyword_queries: tuple | None = None
        self.keyword_fit: str | None = None
        self.appended = 0  # tenders added or replaced since fitting
        self.removed = 0  # and tenders dropped (closed, past their deadline, deleted)
        self.unseen = 0  # tenders added since fitting with many words the fit has not seen

    @classmethod
    def build(
        cls,
        tenders: list[TenderQuery],
        weights: dict[str, float] | None = None,
        *,
        params: ScoringParams | None = None,
        cpv_descriptions: Mapping[str, str] | None = None,
        learned_from: "MatchIndex | None" = None,
    ) -> "OpportunityIndex":
        """Fit the open tenders; `learned_from` (the supplier index) lends its associations."""
        index = cls()
        index.weights = check_weights(weights)
        index.params = params or ScoringParams()
        index.cpv_descriptions = cpv_descriptions or {}
        laid = _Layout(tenders)
        index.text = TextModel()
        words, chars, *_ = index.text.fit(
            laid.units, np.array(laid.owner), np.array(laid.short), len(laid.rows)
        )
        index.words_t, index.chars_t = words.T.tocsr(), chars.T.tocsr()
        index.rows = laid.rows
        index.tables = {k: CodeTable() for k in ("lad", "county", "region")}
        index.arrays = index._columns(laid)
        if learned_from is not None and laid.rows:
            index.tender_vectors = learned_from.embed_tenders(laid.long_texts)
            index.keyword_queries = learned_from.keyword_queries(laid.long_texts, laid.titles)
            index.keyword_fit = learned_from.text.fit_id
        index._finish()
        return index

    def _columns(self, laid: "_Layout") -> dict[str, np.ndarray]:
        """Return the non-text columns of laid-out rows (adding their areas to the tables)."""
        t, places = self.tables, laid.places
        return {
            "lat": _floats(p.latitude for p in places),
            "lon": _floats(p.longitude for p in places),
            "radius": np.full(len(places), np.nan),
            "lad": np.array([t["lad"].add(p.lad_code) for p in places], dtype=np.int32),
            "county": np.array([t["county"].add(p.county_code) for p in places], dtype=np.int32),
            "region": np.array([t["region"].add(p.region_code) for p in places], dtype=np.int32),
            "value": _floats(r[3] for r in laid.rows),
            "framework": np.array([p.framework for p in places], dtype=bool),
            "dps": np.array([p.dps for p in places], dtype=bool),
        }

    def update(
        self,
        tenders: list[TenderQuery],
        removed_ids: Iterable[int] = (),
        *,
        learned_from: "MatchIndex | None" = None,
    ) -> None:
        """Add or replace open tenders and drop closed ones, keeping the fitted vocabulary.

        A replaced tender's rows are dropped and its new rows appended, so posting or editing a
        tender costs about one pass over it, not a refit of every open tender. Vocabulary and
        term weights stay as fitted: rebuild when `needs_rebuild` says much has changed.
        `learned_from` must be the supplier index this one was built with (same fit).
        """
        if self.keyword_queries is not None and (
            learned_from is None or learned_from.text.fit_id != self.keyword_fit
        ):
            raise ValueError("Tenders read with another supplier index: rebuild instead.")
        removed = {int(i) for i in removed_ids}
        gone = removed | {int(t.id) for t in tenders}  # replaced tenders' rows go too
        keep = ~np.isin(self.tender_ids, list(gone)) if gone else None
        if keep is not None and not keep.all():
            self.removed += len(set(self.tender_ids[~keep].tolist()) & removed)
            self.rows = [r for r, k in zip(self.rows, keep.tolist(), strict=True) if k]
            self.words_t, self.chars_t = self.words_t[:, keep], self.chars_t[:, keep]
            self.arrays = {k: v[keep] for k, v in self.arrays.items()}
            if self.tender_vectors is not None:
                self.tender_vectors = self.tender_vectors[keep]
            if self.keyword_queries is not None:
                self.keyword_queries = tuple(q[keep] for q in self.keyword_queries)
        laid = _Layout(tenders)
        vocabulary = self.text.words.vocabulary
        for tender in tenders:
            said = set(word_tokens(" ".join([tender.title or "", tender.description or ""]
                                            + [f"{lot.title or ''} {lot.description or ''}"
                                               for lot in tender.lots])))
            if said and sum(w in vocabulary for w in said) < KNOWN_WORDS * len(said):
                self.unseen += 1  # its own words would not count: a refit is due
        if laid.rows:
            words, chars, *_ = self.text.transform_documents(
                laid.units, np.array(laid.owner), np.array(laid.short), len(laid.rows)
            )
            self.words_t = sp.hstack([self.words_t, words.T]).tocsr()
            self.chars_t = sp.hstack([self.chars_t, chars.T]).tocsr()
            new = self._columns(laid)
            self.arrays = {k: np.concatenate([v, new[k]]) for k, v in self.arrays.items()}
            self.rows = self.rows + laid.rows
            if self.keyword_queries is not None:
                vectors = learned_from.embed_tenders(laid.long_texts)
                if self.tender_vectors is not None and vectors is not None:
                    self.tender_vectors = np.vstack([self.tender_vectors, vectors])
                added = learned_from.keyword_queries(laid.long_texts, laid.titles)
                self.keyword_queries = tuple(
                    sp.vstack([old, more]).tocsr()
                    for old, more in zip(self.keyword_queries, added, strict=True)
                )
            self.appended += len(tenders)
        self._finish()

    @property
    def needs_rebuild(self) -> bool:
        """Return whether enough has changed since fitting that a full rebuild is due."""
        return self.unseen > 0 or self.appended + self.removed > REFIT_SHARE * max(self.size, 1)

    def _finish(self) -> None:
        n = len(self.rows)
        self._row_sic = None
        self.cpv = CPVPostings.build([r[4] for r in self.rows])
        self.has_cpv = np.array([bool(r[4]) for r in self.rows], dtype=bool)
        self.row_divisions = [cpv_divisions(r[4]) for r in self.rows]
        a = self.arrays
        self.located = (
            (~np.isnan(a["lat"]) & ~np.isnan(a["lon"]))
            | (a["lad"] >= 0)
            | (a["county"] >= 0)
            | (a["region"] >= 0)
        )
        self.tender_ids = np.array([r[0] for r in self.rows], dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, self.tender_ids[1:] != self.tender_ids[:-1]])
        self.tender_starts = starts if n else np.zeros(0, dtype=np.int64)
        self.buyer_ids = [r[5] for r in self.rows]

    @property
    def size(self) -> int:
        return len(self.tender_starts)

    # --- persisting --------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        persist.save(
            path,
            KIND,
            meta={
                "weights": self.weights,
                "params": self.params.to_dict(),
                "tenders": self.size,
                "keyword_fit": self.keyword_fit,
                "appended": self.appended,
                "removed": self.removed,
                "unseen": self.unseen,
            },
            arrays={
                **{f"col_{k}": v for k, v in self.arrays.items()},
                **({} if self.tender_vectors is None else {"tender_vectors": self.tender_vectors}),
            },
            matrices={
                "words_t": self.words_t,
                "chars_t": self.chars_t,
                **(
                    {}
                    if self.keyword_queries is None
                    else {
                        "keyword_whole": self.keyword_queries[0],
                        "keyword_titles": self.keyword_queries[1],
                    }
                ),
            },
            objects={"text": self.text, "tables": self.tables, "rows": self.rows},
        )

    @classmethod
    def load(cls, path, *, cpv_descriptions: Mapping[str, str] | None = None):
        meta, arrays, matrices, objects = persist.load(path, KIND)
        index = cls()
        index.weights = check_weights(meta["weights"])
        index.params = ScoringParams.from_dict(meta["params"])
        index.cpv_descriptions = cpv_descriptions or {}
        index.arrays = {k[4:]: v for k, v in arrays.items() if k.startswith("col_")}
        index.tender_vectors = arrays.get("tender_vectors")
        index.words_t, index.chars_t = matrices["words_t"], matrices["chars_t"]
        if "keyword_whole" in matrices:
            index.keyword_queries = (matrices["keyword_whole"], matrices["keyword_titles"])
            index.keyword_fit = meta.get("keyword_fit")
        index.text, index.tables, index.rows = objects["text"], objects["tables"], objects["rows"]
        index.appended, index.removed = meta.get("appended", 0), meta.get("removed", 0)
        index.unseen = meta.get("unseen", 0)
        index._finish()
        return index

    # --- matching ----------------------------------------------------------------------------

    def for_supplier(
        self,
        profile: SupplierProfile,
        top_k: int = 10,
        *,
        min_score: float = 0.0,
        exclude_tender_ids: set[int] | None = None,
        profile_vector: np.ndarray | None = None,
        learned_from: "MatchIndex | None" = None,
    ) -> list[Opportunity]:
        """Return the open tenders (best lot or whole) that fit a supplier, best first.

        `learned_from` is the supplier index this one was built with: tenders are then scored
        on its keywords and learned associations as it scores suppliers for them.
        `profile_vector` is the supplier's row in its association space (by default, looked up
        there by the profile's id).
        """
        n = len(self.rows)
        if not n:
            return []
        p, w = self.params, dict(self.weights)
        if learned_from is not None and profile_vector is None:
            profile_vector = learned_from.profile_vector(profile.id)
        keywords = self._keywords(profile, learned_from)
        if keywords is None:
            # Without the supplier index's keywords, the cosine text stands for both.
            w["text"] += w.pop("keywords", 0.0)
        award_texts = [
            f"{a.title} . {(a.description or '')[:AWARD_DESCRIPTION_CHARS]}" for a in profile.awards
        ]
        statement = profile.text or ""
        long_text = " . ".join(
            [profile.name or "", statement, singulars(statement), *award_texts]
        )
        short = " . ".join(
            [profile.name or "", statement[:CAPABILITY_SHORT_CHARS]]
            + [a.title or "" for a in profile.awards]
        )
        q_words = self.text.transform_words([long_text])
        q_chars = self.text.transform_chars([short])
        char_part = (1 - p.word_share) * (q_chars @ self.chars_t).toarray()[0]
        text_raw = p.word_share * (q_words @ self.words_t).toarray()[0] + char_part
        # Capability's text: over the words that may be shown as evidence of the work.
        work_raw = (
            p.word_share * (self._work_words(q_words, [long_text]) @ self.words_t).toarray()[0]
            + char_part
        )
        award_sims = np.zeros((0, n), dtype=np.float32)
        work_sims = award_sims  # over the words that may be shown as evidence of the work
        award_words = None
        if award_texts:
            award_words = self.text.transform_words(award_texts)
            award_sims = (award_words @ self.words_t).toarray()
            work_sims = (self._work_words(award_words, award_texts) @ self.words_t).toarray()
        if len(award_sims):
            best = award_sims.max(axis=0)
            evidence = np.sqrt((award_sims * award_sims).sum(axis=0))
            work_evidence = np.sqrt((work_sims * work_sims).sum(axis=0))
            text_raw = np.maximum(text_raw, p.award_in_text * best)
            work_raw = np.maximum(work_raw, p.award_in_text * work_sims.max(axis=0))
        else:
            evidence = work_evidence = np.zeros(n, dtype=np.float32)
        parts = {"text": squash(text_raw, p.text_scale)}
        parts[WORK_TEXT] = squash(work_raw, p.text_scale)
        if keywords is not None:
            parts["keywords"] = keywords.astype(np.float64)
        buyers = profile.buyer_ids
        same_buyer = np.array([b is not None and b in buyers for b in self.buyer_ids], dtype=bool)
        if same_buyer.any():  # only where it has done such work, as buyers see it
            same_buyer[same_buyer] = self._similar_work(
                profile, work_sims, np.flatnonzero(same_buyer))
        experience = float(experience_score(np.array([profile.award_count]))[0])
        parts["track_record"] = (
            p.similar_share * squash(evidence, p.award_scale)
            + p.buyer_share * same_buyer
            + p.experience_share * experience
        ).astype(np.float32)
        # Capability's part of the record: similar work over the words that are evidence.
        parts[SIMILAR_WORK] = squash(work_evidence, p.award_scale).astype(np.float32)

        codes = profile.all_cpv_codes
        cpv = self.cpv.supplier_to_documents(codes, n) if codes else np.full(n, UNKNOWN["cpv"])
        sic = self._sic_fit(profile) if not codes else np.zeros(n, dtype=bool)
        cpv[sic] = np.maximum(cpv[sic], SIC_FIT)  # known by SIC codes alone
        parts["cpv"] = np.where(self.has_cpv, cpv, np.nan)

        parts["geography"], distance, place, worked = self._geography(profile)

        vectors = self.tender_vectors
        if vectors is not None and profile_vector is not None:
            if vectors.shape[1] == len(profile_vector):
                parts["association"] = np.maximum(vectors @ profile_vector, 0.0)

        values = self.arrays["value"]
        # Its stated capacity; where none is stated, the largest contract it has won.
        size = profile.capacity_gbp if profile.capacity_gbp is not None else profile.largest_won_gbp
        if size is None:
            capacity = np.where(np.isnan(values), np.nan, UNKNOWN["capacity"])
            fits = np.full(n, -1, dtype=np.int8)
        else:
            ratio = size / values  # it can take up to its capacity
            capacity = np.clip(ratio, 0.0, 1.0)  # NaN where the value is unknown
            fits = np.where(np.isnan(ratio), -1, ratio >= 1.0).astype(np.int8)
        fits[self.arrays["framework"]] = -1  # a shared ceiling: nobody is too small for it
        capacity[self.arrays["dps"]] = np.nan  # firms join a DPS at any size: not weighed
        parts["capacity"] = capacity

        parts = with_stated_record(parts, (not profile.awards) & (bool(profile.cpv_codes) | sic))
        score = combine_known(parts, w)
        if exclude_tender_ids:
            score = np.where(np.isin(self.tender_ids, list(exclude_tender_ids)), -np.inf, score)
        # The best row of each tender (its whole, or one of its lots).
        best = np.maximum.reduceat(score, self.tender_starts)
        order = np.argsort(-best, kind="stable")
        # What every explanation reads: the supplier's scoring of all rows, and (once) which of
        # its words are place names.
        said = " ".join([statement] + [a.title or "" for a in profile.awards])
        scored = _Scored(
            profile,
            parts,
            fits,
            distance,
            place,
            q_words,
            award_words,
            award_sims,
            worked,
            reasons.not_shown(self.hidden_terms, said),
            long_text,
        )
        found = []
        for t in order[:top_k].tolist():
            if not np.isfinite(best[t]) or best[t] < min_score:
                break
            start = self.tender_starts[t]
            end = self.tender_starts[t + 1] if t + 1 < len(self.tender_starts) else n
            row = start + int(np.argmax(score[start:end]))
            found.append(self._explain(row, float(best[t]), start, scored))
        return found

    def _sic_fit(self, profile: SupplierProfile) -> np.ndarray:
        """Flags over rows: is one of the supplier's SIC codes in a division the bridge links to
        the row's CPV codes?"""
        fit = np.zeros(len(self.rows), dtype=bool)
        if not profile.sic_codes or not self.sic_bridge:
            return fit
        if self._row_sic is None or self._row_sic[0] is not self.sic_bridge:
            self._row_sic = (self.sic_bridge, [linked_sic_divisions(r[4], self.sic_bridge)
                                               for r in self.rows])
        mine = {str(c)[:2] for c in profile.sic_codes}
        for row, divisions in enumerate(self._row_sic[1]):
            fit[row] = not mine.isdisjoint(divisions)
        return fit

    def _work_words(self, award_words: sp.csr_matrix, award_texts: list[str]) -> sp.csr_matrix:
        """Return the contracts' word rows with only the words that may be shown as evidence
        of the work (`reasons.shown_features`: not place names, "council" and the like)."""
        shown = award_words.tocsr(copy=True)
        keep = np.zeros(len(shown.data), dtype=bool)
        for i, text in enumerate(award_texts):
            start = shown.indptr[i]
            keep[start + reasons.shown_features(shown[i], self.text.terms,
                                                self.hidden_terms.in_text(text))] = True
        shown.data[~keep] = 0
        shown.eliminate_zeros()
        return shown

    def _similar_work(self, profile: SupplierProfile, work_sims: np.ndarray,
                      rows: np.ndarray) -> np.ndarray:
        """Flags over `rows`: has the supplier a contract that is similar work for each, as
        the tender pages judge it (sharing a word that is not a place name and, where both give
        CPV codes, a division)? Only then does having worked for the buyer lift the tender:
        a van dealer that sells to a council is not lifted on its school meals. `work_sims`
        is each contract's similarity to each row over the words that may be shown."""
        done = np.zeros(len(rows), dtype=bool)
        if not len(work_sims) or not len(rows):
            return done
        similar = work_sims[:, rows] > 1e-5
        for i, award in enumerate(profile.awards):
            theirs = cpv_divisions(award.cpv_codes)
            for k in np.flatnonzero(similar[i] & ~done):
                done[k] = same_trade(self.row_divisions[int(rows[k])], theirs)
        return done

    def _keywords(self, profile: SupplierProfile, learned_from) -> np.ndarray | None:
        """Return the supplier's keyword score for each row, as the supplier index scores it
        for that tender; None without that index (or beside another fit of it)."""
        if (
            learned_from is None
            or self.keyword_queries is None
            or self.keyword_fit is None
            or self.keyword_fit != learned_from.text.fit_id
        ):
            return None
        return learned_from.keywords_for(profile, self.keyword_queries).astype(np.float64)

    def _geography(self, profile: SupplierProfile):
        """Return (score, km, the supplier's place, (km to its nearest work, whom that was for))
        for each row; score and km are NaN where unknown."""
        n = len(self.rows)
        a = self.arrays
        geo = np.full(n, np.nan)
        distance = np.full(n, np.nan)
        worked_km, worked_for = nearest_work(profile.awards, a["lat"], a["lon"])
        place = {
            "latitude": profile.latitude,
            "longitude": profile.longitude,
            "lad": self.tables["lad"].get(profile.lad_code),
            "county": self.tables["county"].get(profile.county_code),
            "region": self.tables["region"].get(profile.region_code),
        }
        if profile.latitude is not None or any(
            (profile.lad_code, profile.county_code, profile.region_code)
        ):
            coded = (a["lad"] >= 0) | (a["county"] >= 0) | (a["region"] >= 0)
            geo, distance = geography_scores(place, {**a, "coded": coded})
            if profile.service_radius_km is not None:
                outside = distance > profile.service_radius_km
                geo = np.where(outside, geo * 0.5, geo)
            geo = np.where(self.located, geo, np.nan)
        elif worked_km is not None:
            # Where it is based is unknown, but not where it has worked.
            geo = np.where(np.isnan(worked_km), np.nan, UNKNOWN["geography"])
        # As the supplier index does: part of the score is how near it has delivered work.
        return worked_blend(geo, worked_km), distance, place, (worked_km, worked_for)

    def _explain(self, row: int, score: float, whole_row: int, scored: "_Scored") -> Opportunity:
        profile, parts, fits = scored.profile, scored.parts, scored.fits
        distance, worked = scored.distance, scored.worked
        tender_id, lot_id, lot_title, value, codes, buyer_id, buyer_name = self.rows[row]
        components = {k: float(v[row]) for k, v in parts.items() if not math.isnan(v[row])}
        found = []
        if lot_id is not None:
            found.append(
                reasons.lot_reason(
                    lot_id, lot_title, value, self.rows[whole_row][3], int(fits[whole_row])
                )
            )
        terms = reasons.key_terms(
            scored.q_words[0], self.words_t, np.array([row]), self.text.terms, hidden=scored.hidden
        )[0]
        codes_differ = False  # both give CPV codes, and none shares a division
        best = None
        if codes:
            best = best_cpv_pair(codes, profile.all_cpv_codes)
            codes_differ = best is None and bool(profile.all_cpv_codes)
        no_sign = codes_differ and not profile.awards and reasons.one_word_of_other_work(
            terms, codes, profile.all_cpv_codes, self.cpv_descriptions)
        text_reason = reasons.text_reason(terms, components.get("text", 0.0), scored.spellings,
                                          no_sign)
        if text_reason:
            found.append(text_reason)
        if codes:
            cpv_reason = reasons.cpv_reason(best, self.cpv_descriptions)
            if cpv_reason:
                found.append(cpv_reason)
            elif not profile.all_cpv_codes:
                sic = reasons.sic_reason(codes, profile.sic_codes, self.sic_bridge,
                                         self.sic_names)
                if sic:
                    found.append(sic)
        if "association" in components:
            association = reasons.association_reason(
                components["association"], components.get("text", 0.0), bool(profile.awards),
                codes_differ=codes_differ,
            )
            if association:
                found.append(association)
        title, similarity = self._similar_award(scored, row)
        buyer_awards = sum(
            1 for a in profile.awards if buyer_id is not None and a.buyer_id == buyer_id
        )
        found.extend(
            reasons.track_record_reasons(
                title, None, similarity, buyer_awards, profile.award_count, buyer_name
            )
        )
        dist = None if math.isnan(distance[row]) else float(distance[row])
        if "geography" in components:
            outside = profile.service_radius_km
            outside = (
                outside if outside is not None and dist is not None and dist > outside else None
            )
            a = self.arrays
            tier = tier_of(scored.place, a["lad"][row], a["county"][row], a["region"][row])
            worked_km = None if worked[0] is None else float(worked[0][row])
            worked_km = None if worked_km is None or math.isnan(worked_km) else worked_km
            worked_for = worked[1][row] if worked_km is not None else None
            shared = (profile.lad_code, profile.county_code, profile.region_code)
            area = self.area_names.get(shared[tier]) if 0 <= tier < len(shared) else None
            found.append(reasons.geography_reason(dist, tier, outside, area, worked_km, worked_for))
        found.append(
            reasons.size_reason(
                value,
                profile.capacity_gbp,
                profile.largest_won_gbp,
                int(fits[row]),
                bool(self.arrays["framework"][row]),
                bool(self.arrays["dps"][row]),
            )
        )
        capability = capability_of({k: np.array([v]) for k, v in components.items()})[0]
        return Opportunity(
            tender_id=tender_id,
            lot_id=lot_id,
            score=max(0.0, min(1.0, score)),
            reasons=found,
            components=components,
            distance_km=dist,
            capable_but_too_small=bool(
                int(fits[row]) == 0 and capability >= self.params.capable_threshold
            ),
            capability=float(capability),
            capable=bool(capability >= self.params.capable_threshold),
        )

    def _similar_award(self, scored: "_Scored", row: int, tries: int = 5):
        """Return (title, similarity) of the supplier's contract most like open row `row` that
        shares a word with it that may be shown (a place name says where, not what), or
        (None, 0.0)."""
        awards, sims = scored.profile.awards, scored.award_sims
        if not len(sims):
            return None, 0.0
        divisions = self.row_divisions[row]
        for k in np.argsort(-sims[:, row], kind="stable")[:tries].tolist():
            if sims[k, row] <= 0:
                break
            if not same_trade(divisions, cpv_divisions(awards[k].cpv_codes)):
                continue  # another trade's contract (food waste vehicles for a cafe)
            (shared,) = reasons.key_terms(
                scored.award_words[k],
                self.words_t,
                np.array([row]),
                self.text.terms,
                limit=1,
                hidden=scored.hidden,
            )
            if shared:
                return awards[k].title, float(sims[k, row])
        return None, 0.0


@dataclass
class _Scored:
    """One supplier's scoring of every open row, as its explanations read it."""

    profile: SupplierProfile
    parts: dict[str, np.ndarray]
    fits: np.ndarray
    distance: np.ndarray
    place: dict
    q_words: object  # the profile's word row
    award_words: object  # its contracts' word rows (None without contracts)
    award_sims: np.ndarray
    worked: tuple  # (km to its nearest work or None, whom that work was for)
    hidden: frozenset[str]
    long_text: str  # what it was matched on

    @cached_property
    def spellings(self) -> dict[str, str]:
        """How its texts write the words matching joined ("co-op"), read once, if shown."""
        return hyphen_spellings(self.long_text)


def _floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


# How many candidates per place shown `as_buyers_see_them` rescores: the two indexes weigh words
# over different corpora (open tenders here, the register there), so their orders differ a little.
RESCORE_FACTOR = 3


def as_buyers_see_them(
    found: list[Opportunity], tenders: Mapping[int, TenderQuery], view: "MatchIndex"
) -> list[Opportunity]:
    """Return opportunities scored, explained and ordered as the tender pages score this
    supplier: `view` is the supplier index restricted to the one supplier (`restrict`), and
    `tenders` the queries of the tenders found. A supplier then sees the score and reasons a
    buyer sees for the same pair (the opportunity index only picks the candidates).
    Opportunities whose tender is missing, or that the view does not match, keep their own.
    """
    if view.size > 1:
        raise ValueError("Rescore opportunities with a view of one supplier (restrict).")
    known = [o for o in found if o.tender_id in tenders]
    if not known or view.size == 0:
        return found
    options = MatchOptions(top_k=1)
    results = view.match_many([tenders[o.tender_id] for o in known], options)
    seen = {}
    for own, matches in zip(known, results, strict=True):
        if not matches:
            continue
        m = matches[0]
        seen[own.tender_id] = Opportunity(
            tender_id=own.tender_id,
            lot_id=m.lot_id,
            score=m.score,
            reasons=m.reasons,
            components=m.components,
            distance_km=m.distance_km,
            capable_but_too_small=m.capable_but_too_small,
            capability=m.capability,
            capable=m.capable,
        )
    rescored = [seen.get(o.tender_id, o) for o in found]
    return sorted(rescored, key=lambda o: -o.score)  # stable: ties keep the index's order


class _Layout:
    """Tenders laid out as the index's rows (each tender, then each of its lots) and the text
    units each row is read from."""

    def __init__(self, tenders: list[TenderQuery]):
        self.units, self.owner, self.short = [], [], []
        self.rows = []  # (tender id, lot id, lot title, value, cpv codes, buyer id, buyer name)
        self.places = []
        self.long_texts = []  # each row's text as the supplier index reads a tender's
        self.titles = []  # and its title (a lot's own, else the tender's)
        for tender in tenders:
            parts = [(tender.title or "", True), ((tender.description or ""), False)]
            parts.append(((tender.description or "")[:SHORT_DESCRIPTION_CHARS], True))
            for lot in [None, *tender.lots]:
                doc = len(self.rows)
                for text, is_short in parts:
                    self._unit(text, doc, is_short)
                self.long_texts.append(query_text(tender, lot))
                self.titles.append((lot.title if lot is not None else None) or tender.title or "")
                if lot is not None:
                    self._unit(lot.title or "", doc, True)
                    self._unit(lot.description or "", doc, False)
                self.rows.append(
                    (
                        tender.id,
                        None if lot is None else lot.id,
                        "" if lot is None else (lot.title or ""),
                        tender.value if lot is None else lot.value,
                        list(
                            tender.cpv_codes if lot is None else (lot.cpv_codes or tender.cpv_codes)
                        ),
                        tender.buyer_id,
                        tender.buyer_name,
                    )
                )
                self.places.append(tender)

    def _unit(self, text: str, doc: int, is_short: bool) -> None:
        self.units.append(text)
        self.owner.append(doc)
        self.short.append(is_short)
