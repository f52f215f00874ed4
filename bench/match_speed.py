"""Match speed at register scale, beside bm25s on the same corpus in the same run.

Registers of N suppliers are recombined from real texts: Co-operatives UK records (name, sector,
activity, place), award titles and descriptions from the labelled pairs as their contract
history, and CPV codes from real notices. 1,000 tenders come from real Contracts Finder, TED
and council notices (a fifth split into lots). Each size runs in its own process, once for the
engine and once for bm25s, so peak memory (max RSS) is each one's own.

    .venv/bin/python bench/match_speed.py [--sizes 10000,100000] [--tenders 1000] [--quick]

Targets at 100k suppliers: index under 30 s, one tender p50 under 20 ms, peak memory < 1.5 GB.
The other direction is timed too: the open-tender index of the same tenders, and one supplier's
opportunities among them (300 suppliers spread over the register), beside bm25s over the tenders.
"""

import argparse
import csv
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import ROOT, add_data_dir_argument, geography, locate, money

from coopmatch.matching import (
    LotQuery,
    MatchIndex,
    MatchOptions,
    PastAward,
    SupplierProfile,
    TenderQuery,
)
from coopmatch.matching.opportunities import OpportunityIndex
from coopmatch.names import clean_text

OWNERSHIP = {
    "Workers": "worker_coop",
    "Consumers": "consumer_coop",
    "Multi-stakeholder": "multi_stakeholder_coop",
    "Community of Interest": "community_benefit_society",
    "Employee Trust": "employee_owned",
    "Tenants": "community_benefit_society",
}
OTHER_OWNERSHIP = ["sme", "sme", "sme", "sme", "social_enterprise", "charity", "large_company"]
# How many past contracts a supplier has: most have none or one, a few have many.
AWARD_COUNTS = [0] * 45 + [1] * 25 + [2] * 12 + [3, 4, 5] * 4 + [6, 8, 10, 12, 15, 20]


# --- real texts --------------------------------------------------------------------------------


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def text_pools(data_dir: Path) -> dict:
    """Read the real texts the synthetic register and tenders are recombined from."""
    procurement = data_dir / "procurement-data"
    labelled = read_csv(procurement / "labelled" / "award_supplier_pairs_uk.csv")
    awards = [
        (
            clean_text(r["title"]),
            clean_text(r["description"])[:1000],
            [c for c in r["cpv_codes"].split(";") if c],
            r["buyer_name"],
        )
        for r in labelled
    ]
    coops = read_csv(data_dir / "reference-data" / "coops" / "coops_uk_open_data_2023q2.csv")
    tenders = []
    for r in read_csv(procurement / "contracts-finder-csv" / "cf_export_2025-11_bidboost.csv"):
        tenders.append(
            (
                r["Title"],
                r["Description"],
                r["Cpv Codes"].split(),
                money(r["Value High"]) or money(r["Value Low"]),
                r["Postcode"],
                r["Organisation Name"],
            )
        )
    lancashire = procurement / "lancashire-contracts-finder" / "lancashire_councils_cf_notices.csv"
    for r in read_csv(lancashire):
        tenders.append(
            (
                r["title"],
                r["description"],
                r["cpv_codes"].split(),
                money(r["value_high"]) or money(r["value_low"]),
                r["postcode"],
                r["organisation"],
            )
        )
    silvereye = procurement / "contracts-finder-csv" / "silvereye_sample_tenders_2020.csv"
    for r in read_csv(silvereye):
        tenders.append(
            (
                r["Tender Title"],
                r["Tender Description"],
                [r["Classification Code"]],
                money(r["Tender Value"]),
                "",
                r["Buyer Name"],
            )
        )
    for r in labelled:
        tenders.append(
            (
                r["title"],
                r["description"],
                r["cpv_codes"].split(";"),
                money(r["award_value"]),
                r["buyer_postcode"],
                r["buyer_name"],
            )
        )
    return {"awards": awards, "coops": coops, "tenders": tenders, "labelled": labelled}


def places(data_dir: Path, pools: dict, rng: random.Random, count: int = 2500) -> list[dict]:
    """Locate a sample of real co-op and supplier postcodes (coordinates and area codes)."""
    geo = geography(data_dir)
    postcodes = [c["Postcode"] for c in pools["coops"] if c["Postcode"]]
    postcodes += [r["supplier_postcode"] for r in pools["labelled"] if r["supplier_postcode"]]
    rng.shuffle(postcodes)
    found = []
    for postcode in postcodes:
        place = locate(geo, postcode)
        if place["latitude"] is not None and place["lad_code"]:
            found.append(place)
            if len(found) >= count:
                break
    return found


def make_register(size: int, pools: dict, located: list[dict], seed: int = 1):
    rng = random.Random(seed)
    coops, awards, tenders = pools["coops"], pools["awards"], pools["tenders"]
    buyers: dict[str, int] = {}
    # Where each buyer's contracts were: a located place per buyer, from its own stream so the
    # rest of the register is as before.
    place_rng = random.Random(seed + 1)
    buyer_place: dict[str, dict] = {}

    def where(buyer: str) -> dict:
        if buyer not in buyer_place:
            place = place_rng.choice(located)
            buyer_place[buyer] = {"latitude": place["latitude"], "longitude": place["longitude"]}
        return buyer_place[buyer]

    register = []
    for i in range(size):
        coop = coops[rng.randrange(len(coops))]
        name = f"{coop['Name']} {rng.choice(['', 'North', 'Community', 'Services', 'Trading'])}"
        sample = tenders[rng.randrange(len(tenders))]
        text = (
            f"{coop['Primary Activity']}. {coop['Sector']}. {coop['SIC Section']}. "
            f"We deliver {sample[0]}."
        )
        history = [awards[rng.randrange(len(awards))] for _ in range(rng.choice(AWARD_COUNTS))]
        place = dict(rng.choice(located))
        place["latitude"] += rng.uniform(-0.03, 0.03)
        place["longitude"] += rng.uniform(-0.05, 0.05)
        ownership = OWNERSHIP.get(coop["Ownership Classification"]) or rng.choice(OTHER_OWNERSHIP)
        register.append(
            SupplierProfile(
                id=i + 1,
                name=name.strip(),
                text=text,
                awards=[
                    PastAward(
                        title,
                        description,
                        buyer_id=buyers.setdefault(buyer, len(buyers)),
                        buyer_name=buyer,
                        cpv_codes=codes,
                        **where(buyer),
                    )
                    for title, description, codes, buyer in history
                ],
                cpv_codes=[c for c in sample[2][:2] if len(c) >= 8] if rng.random() < 0.5 else [],
                ownership=ownership,
                capacity_gbp=None if rng.random() < 0.4 else float(np.exp(rng.gauss(12, 1.3))),
                service_radius_km=rng.choice([None, None, None, 25.0, 50.0, 80.0]),
                **place,
            )
        )
    return register, buyers


SUPPLIER_SAMPLE = 300  # suppliers whose opportunities are timed, spread over the register


def suppliers_sample(register: list) -> list:
    """Every so many suppliers (or their texts), SUPPLIER_SAMPLE of them over the register."""
    step = max(1, len(register) // SUPPLIER_SAMPLE)
    return register[::step][:SUPPLIER_SAMPLE]


def make_tenders(count: int, pools: dict, located: list[dict], buyers: dict, seed: int = 2):
    rng = random.Random(seed)
    pool = pools["tenders"]
    found = []
    for i in range(count):
        title, description, codes, value, _, buyer = pool[rng.randrange(len(pool))]
        title, description = clean_text(title), clean_text(description)
        lots = []
        if rng.random() < 0.2:
            sentences = [s for s in description.split(". ") if len(s) > 20][:4] or [title]
            for k, sentence in enumerate(sentences, start=1):
                share = (value or 100_000) / (len(sentences) + 1)
                lots.append(
                    LotQuery(id=i * 10 + k, title=sentence[:80], description=sentence, value=share)
                )
        found.append(
            TenderQuery(
                id=i + 1,
                title=title,
                description=description,
                cpv_codes=[c for c in codes if len(c) >= 8][:3],
                value=value,
                buyer_id=buyers.get(buyer),
                buyer_name=buyer,
                lots=lots,
                **rng.choice(located),
            )
        )
    return found


# --- one size, one process ---------------------------------------------------------------------


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile_ms(times: list[float], q: float) -> float:
    return float(np.percentile(times, q) * 1000)


PASSES = 3  # single-tender timings: the median pass, as the machine's load comes and goes


def timed_passes(run, items) -> dict:
    """Time run(item) for every item, PASSES times; return the median pass's p50 and p95 and
    every pass's p50 (ms)."""
    passes = []
    for _ in range(PASSES):
        times = []
        for item in items:
            started = time.perf_counter()
            run(item)
            times.append(time.perf_counter() - started)
        passes.append((percentile_ms(times, 50), percentile_ms(times, 95)))
    p50s = sorted(p for p, _ in passes)
    p95s = sorted(p for _, p in passes)
    return {
        "p50_ms": p50s[len(p50s) // 2],
        "p95_ms": p95s[len(p95s) // 2],
        "p50_passes_ms": [round(p, 2) for p, _ in passes],
    }


def run_engine(size: int, n_tenders: int, data_dir: Path) -> dict:
    pools = text_pools(data_dir)
    located = places(data_dir, pools, random.Random(0))
    register, buyers = make_register(size, pools, located)
    tenders = make_tenders(n_tenders, pools, located, buyers)
    chars = sum(
        len(p.text) + sum(len(a.title) + len(a.description) for a in p.awards) for p in register
    )
    del pools
    gc.collect()
    before = current_rss_mb()
    started = time.perf_counter()
    index = MatchIndex.build(register)
    build_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "suppliers"
        started = time.perf_counter()
        index.save(path)
        save_s = time.perf_counter() - started
        disk_mb = sum(f.stat().st_size for f in path.iterdir()) / 2**20
        del index
        gc.collect()
        started = time.perf_counter()
        index = MatchIndex.load(path)
        load_s = time.perf_counter() - started

    index.match(tenders[0])  # warm caches (vocabulary lookups, term names)
    single = timed_passes(lambda tender: index.match(tender, MatchOptions(top_k=10)), tenders)
    local = []
    for tender in tenders[:200]:
        started = time.perf_counter()
        index.match(tender, MatchOptions(top_k=10, radius_km=30, prefer_social=True))
        local.append(time.perf_counter() - started)
    started = time.perf_counter()
    index.match_many(tenders, MatchOptions(top_k=10))
    batch_s = time.perf_counter() - started

    # The other direction: one supplier's opportunities among the open tenders.
    started = time.perf_counter()
    open_tenders = OpportunityIndex.build(tenders, learned_from=index)
    opportunities_build_s = time.perf_counter() - started
    sample = suppliers_sample(register)
    opportunities = timed_passes(
        lambda profile: open_tenders.for_supplier(profile, 10, learned_from=index), sample
    )
    started = time.perf_counter()  # one tender edited and another closed, without a refit
    open_tenders.update([tenders[0]], removed_ids=[tenders[1].id], learned_from=index)
    opportunities_update_s = time.perf_counter() - started

    changed = register[: max(1, size // 100)]
    started = time.perf_counter()
    index.update(changed)
    update_s = time.perf_counter() - started
    return {
        "engine": "coopmatch",
        "size": size,
        "profile_chars_avg": chars / size,
        "build_s": build_s,
        "save_s": save_s,
        "load_s": load_s,
        "disk_mb": disk_mb,
        **single,
        "local_p50_ms": percentile_ms(local, 50),
        "tenders_per_s": len(tenders) / batch_s,
        "update_1pct_s": update_s,
        "opportunities_build_s": opportunities_build_s,
        "opportunities_update_s": opportunities_update_s,
        "opportunities_p50_ms": opportunities["p50_ms"],
        "opportunities_p95_ms": opportunities["p95_ms"],
        "rss_before_mb": before,
        "peak_mb": max_rss_mb(),
    }


def run_bm25(size: int, n_tenders: int, data_dir: Path) -> dict:
    import bm25s

    pools = text_pools(data_dir)
    located = places(data_dir, pools, random.Random(0))
    register, buyers = make_register(size, pools, located)
    tenders = make_tenders(n_tenders, pools, located, buyers)
    corpus = [
        " ".join([p.name, p.text] + [f"{a.title} {a.description}" for a in p.awards])
        for p in register
    ]
    queries = [f"{t.title} {t.description}" for t in tenders]
    del pools, register
    gc.collect()
    before = current_rss_mb()
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
    )
    build_s = time.perf_counter() - started
    def one(query):
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        retriever.retrieve(tokens, k=10, show_progress=False, n_threads=1)

    single = timed_passes(one, queries)
    started = time.perf_counter()
    tokens = bm25s.tokenize(queries, stopwords="en", show_progress=False)
    retriever.retrieve(tokens, k=10, show_progress=False, n_threads=1)
    batch_s = time.perf_counter() - started

    # The other direction: the open tenders indexed, each sampled supplier's text the query.
    started = time.perf_counter()
    tender_retriever = bm25s.BM25()
    tender_retriever.index(
        bm25s.tokenize(queries, stopwords="en", show_progress=False), show_progress=False
    )
    opportunities_build_s = time.perf_counter() - started
    supplier_texts = suppliers_sample(corpus)

    def opportunities_of(text):
        tokens = bm25s.tokenize([text], stopwords="en", show_progress=False)
        tender_retriever.retrieve(tokens, k=10, show_progress=False, n_threads=1)

    opportunities = timed_passes(opportunities_of, supplier_texts)
    return {
        "engine": "bm25s",
        "size": size,
        "build_s": build_s,
        **single,
        "tenders_per_s": len(queries) / batch_s,
        "opportunities_build_s": opportunities_build_s,
        "opportunities_p50_ms": opportunities["p50_ms"],
        "opportunities_p95_ms": opportunities["p95_ms"],
        "rss_before_mb": before,
        "peak_mb": max_rss_mb(),
    }


def in_subprocess(kind: str, size: int, n_tenders: int, data_dir: Path) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--sizes",
        str(size),
        "--tenders",
        str(n_tenders),
        "--data-dir",
        str(data_dir),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} at {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_dir_argument(parser)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--tenders", type=int, default=1000)
    parser.add_argument(
        "--quick", action="store_true", help="2,000 and 10,000 suppliers, 200 tenders"
    )
    parser.add_argument("--worker", choices=["engine", "bm25"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run = run_engine if args.worker == "engine" else run_bm25
        print(json.dumps(run(int(args.sizes), args.tenders, args.data_dir)))
        return 0
    sizes = [2000, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    n_tenders = 200 if args.quick else args.tenders
    geography(args.data_dir).lookup("PR1 2HE")  # build the postcode cache once, outside timings
    rows = []
    for size in sizes:
        for kind in ("engine", "bm25"):
            result = in_subprocess(kind, size, n_tenders, args.data_dir)
            rows.append(result)
            print(
                json.dumps(
                    {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
                ),
                flush=True,
            )
    print(
        f"\n{n_tenders} tenders, on a shared 2-core machine; p50 and p95 of single-tender "
        f"matches are the median of {PASSES} passes (each pass's p50 is in the JSON above)\n"
    )
    print(
        f"{'suppliers':>9} {'engine':<10} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'tenders/s':>9} {'peak MB':>8} {'index MB':>8}"
    )
    for r in rows:
        print(
            f"{r['size']:>9,} {r['engine']:<10} {r['build_s']:>8.1f} {r['p50_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f} {r['tenders_per_s']:>9.0f} {r['peak_mb']:>8.0f} "
            f"{r['peak_mb'] - r['rss_before_mb']:>8.0f}"
        )
    for size in sizes:
        ours = next(r for r in rows if r["size"] == size and r["engine"] == "coopmatch")
        theirs = next(r for r in rows if r["size"] == size and r["engine"] == "bm25s")
        print(
            f"\n{size:,}: p50 {ours['p50_ms'] / theirs['p50_ms']:.2f}x bm25s's, build "
            f"{ours['build_s'] / theirs['build_s']:.2f}x; with 30 km radius + social preference "
            f"p50 {ours['local_p50_ms']:.1f} ms; save {ours['save_s']:.1f} s, load "
            f"{ours['load_s']:.1f} s, {ours['disk_mb']:.0f} MB on disk; update of 1% "
            f"{ours['update_1pct_s']:.1f} s; profile text {ours['profile_chars_avg']:.0f} chars"
        )
        print(
            f"{size:,}: a supplier's opportunities among {n_tenders:,} open tenders: p50 "
            f"{ours['opportunities_p50_ms']:.1f} ms (bm25s {theirs['opportunities_p50_ms']:.1f}), "
            f"p95 {ours['opportunities_p95_ms']:.1f} ms; open-tender index "
            f"{ours['opportunities_build_s']:.2f} s (bm25s {theirs['opportunities_build_s']:.2f}), "
            f"one tender edited and one closed {ours['opportunities_update_s'] * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
