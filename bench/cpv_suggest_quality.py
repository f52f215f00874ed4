"""CPV suggestions on real notices: does the suggester name the codes the buyer chose?

Notices that carry CPV codes are gathered from the data directory (the labelled award pairs,
the 2025 Contracts Finder export and Silvereye's 2020 tenders; one notice per normalised
title). For each random split a fifth are held out; the suggester is fitted, as the app fits it,
on the CPV vocabulary and the other notices' text and codes, and asked for five codes from each
held-out notice's title and description, and again from its title alone (what the forms first
have). Beside it, in the same run and split: the suggester fitted on the vocabulary alone (what
a new installation has), and the nearest training notice's codes (TF-IDF cosine), a plain
supervised baseline.

A suggestion is right at a level when it shares that many leading digits with any of the
notice's own codes: the exact code, its group (3 digits), its division (2). Mean ± sd over seeds,
and how often the first suggestion's group is right at each level of its confidence (gap
reports classify uncoded notices at gaps.demand.SUGGESTED_CPV_CONFIDENCE or more).

    .venv/bin/python bench/cpv_suggest_quality.py [--seeds 5]
"""

import argparse
import csv
import random
import re
import time
from pathlib import Path

import numpy as np
from _common import add_data_dir_argument, load_notices, summary
from sklearn.feature_extraction.text import TfidfVectorizer

from coopmatch.cpv import load_vocabulary
from coopmatch.matching.cpv_suggest import CPVSuggester, likely
from coopmatch.names import clean_text

HOLDOUT = 0.2
K = 5
CONFIDENCE_BANDS = [(0.0, 0.1), (0.1, 0.25), (0.25, 0.4), (0.4, 0.55), (0.55, 0.7), (0.7, 1.01)]
THRESHOLDS = [0.25, 0.4, 0.55, 0.7]


def title_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def codes_in(text: str) -> list[str]:
    return [c[:8] for c in re.findall(r"\b\d{8}\b", text or "")]


def coded_notices(data_dir: Path) -> list[tuple[str, list[str], str]]:
    """(title and description, codes, title) of every coded notice, one per normalised title."""
    found: dict[str, tuple[str, list[str], str]] = {}

    def add(title: str, description: str, codes: list[str]) -> None:
        title, description = clean_text(title or ""), clean_text(description or "")
        key = title_key(title)
        if key and codes and key not in found:
            found[key] = (f"{title}. {description}", codes, title)

    for notice in load_notices(data_dir):
        add(notice.title, notice.description, [c[:8] for c in notice.cpv_codes])
    csvs = data_dir / "procurement-data" / "contracts-finder-csv"
    with open(csvs / "cf_export_2025-11_bidboost.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            add(row["Title"], row["Description"], codes_in(row["Cpv Codes"]))
    with open(csvs / "silvereye_sample_tenders_2020.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            codes = codes_in(f"{row['Classification Code']} {row['Classification Code (2)']}")
            add(row["Tender Title"], row["Tender Description"], codes)
    return sorted(found.values())


def shares(code: str, wanted: list[str], digits: int) -> bool:
    return any(code[:digits] == w[:digits] for w in wanted)


def score(suggestions: list[list[str]], truth: list[list[str]]) -> dict:
    """Top-1 right at code, group and division; top-5 right at group."""
    out = {"code@1": [], "group@1": [], "division@1": [], "group@5": []}
    for found, wanted in zip(suggestions, truth, strict=True):
        first = found[0] if found else ""
        out["code@1"].append(first in wanted)
        out["group@1"].append(bool(first) and shares(first, wanted, 3))
        out["division@1"].append(bool(first) and shares(first, wanted, 2))
        out["group@5"].append(any(shares(c, wanted, 3) for c in found[:K]))
    return {k: float(np.mean(v)) for k, v in out.items()}


def nearest_notice(train, test) -> list[list[str]]:
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1)
    x_train = vectorizer.fit_transform([t for t, _, _ in train])
    sims = (vectorizer.transform([t for t, _, _ in test]) @ x_train.T).toarray()
    ranked = np.argsort(-sims, axis=1)[:, :K]
    suggestions = []
    for row in ranked:
        codes = []
        for j in row:
            for c in train[j][1]:
                if c not in codes:
                    codes.append(c)
        suggestions.append(codes[:K])
    return suggestions


def mark(by: dict[bool, list[bool]], listed: list, wanted: list[str]) -> None:
    """Count whether the first suggestion's group is right, by whether it is marked likely."""
    if listed:
        by[likely(listed)[0]].append(shares(listed[0][0], wanted, 3))


def print_marked(marked: dict[str, dict[bool, list[bool]]]) -> None:
    print("First suggestion marked likely (the forms say so), and its group right:")
    for kind, by in marked.items():
        total = len(by[True]) + len(by[False])
        print(f"  from the {kind}: {len(by[True]) / total:.0%} of notices marked, right for "
              f"{np.mean(by[True]):.0%} of them and {np.mean(by[False]):.0%} of the rest")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_dir_argument(parser)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    notices = coded_notices(args.data_dir)
    vocabulary = [(code, c.description) for code, c in load_vocabulary(
        str(args.data_dir)).codes.items()]
    print(f"{len(notices)} coded notices, {len(vocabulary)} CPV codes")
    vocabulary_only = CPVSuggester().fit(vocabulary)

    results: dict[str, list[dict]] = {"suggester": [], "from the title": [],
                                      "vocabulary only": [], "nearest notice": []}
    bands: dict[tuple, list[bool]] = {band: [] for band in CONFIDENCE_BANDS}
    per_query_ms = []
    marked = {kind: {True: [], False: []} for kind in ("whole text", "title")}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        order = list(notices)
        random.Random(seed).shuffle(order)
        cut = int(len(order) * HOLDOUT)
        test, train = order[:cut], order[cut:]
        truth = [codes for _, codes, _ in test]
        suggester = CPVSuggester().fit(vocabulary, [(t, codes) for t, codes, _ in train])
        found, confidences = [], []
        for text, wanted, title in test:
            t0 = time.perf_counter()
            suggestions = suggester.suggest(text, K)
            per_query_ms.append((time.perf_counter() - t0) * 1000)
            found.append([code for code, _, _ in suggestions])
            confidences.append(suggestions[0][2] if suggestions else 0.0)
            mark(marked["whole text"], suggestions, wanted)
            mark(marked["title"], suggester.suggest(title, K), wanted)
        runs = {
            "suggester": found,
            "from the title": [[c for c, _, _ in suggester.suggest(title, K)]
                               for _, _, title in test],
            "vocabulary only": [[c for c, _, _ in vocabulary_only.suggest(t, K)]
                                for t, _, _ in test],
            "nearest notice": nearest_notice(train, test),
        }
        line = [f"seed {seed}: {len(test)} held out"]
        for name, suggestions in runs.items():
            metrics = score(suggestions, truth)
            results[name].append(metrics)
            line.append(f"{name} group@1 {metrics['group@1']:.3f}")
        print(", ".join(line), flush=True)
        for first, confidence, wanted in zip(found, confidences, truth, strict=True):
            for low, high in CONFIDENCE_BANDS:
                if low <= confidence < high:
                    bands[(low, high)].append(bool(first) and shares(first[0], wanted, 3))

    print()
    metrics = ["code@1", "group@1", "division@1", "group@5"]
    print(f"{'suggester':<16}" + "".join(f"{m:>16}" for m in metrics))
    for name, runs in results.items():
        print(f"{name:<16}" + "".join(
            f"{summary([r[m] for r in runs]):>16}" for m in metrics))
    print("\nFirst suggestion's group right, by its confidence (all seeds):")
    for (low, high), hits in bands.items():
        if hits:
            print(f"  {low:.2f}-{min(high, 1):.2f}: {np.mean(hits):.2f} of {len(hits)}")
    print("Classified at or above a confidence (as gap reports classify uncoded notices):")
    total = sum(len(band) for band in bands.values())
    for threshold in THRESHOLDS:
        hits = [h for (low, _), band in bands.items() if low >= threshold for h in band]
        if hits:
            print(f"  >= {threshold:.2f}: {len(hits) / total:.0%} of notices, "
                  f"group right for {np.mean(hits):.0%}")
    print_marked(marked)
    print(f"\nsuggest p50 {np.median(per_query_ms):.1f} ms; {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
