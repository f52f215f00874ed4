"""Spend pipeline speed: a million payments read, resolved against 100,000 suppliers, summarised.

The payments are the real ledger rows (Hyndburn, Lancashire PCC and Fire, Manchester, Salford)
resampled to a million, with supplier names misspelt the ways ledgers misspell them, written
out as CSV files in the publishers' own layouts (Windows-1252 with old-Mac line endings and
"123.45-" credits; spacer columns and "£1,234.56"; gzip). The register is Companies House
(South Yorkshire), Co-operatives UK and the ledgers' own payees, renamed the way registers
write them. Supplier locations come from real postcodes, but which supplier sits where is made
up, so the printed shares show the shape of the output, not facts about these anchors.

    python bench/spend_speed.py [--data-dir DIR] [--rows 1000000] [--suppliers 100000]

Targets: the pure pipeline (read + resolve + figures) under two minutes on two cores.
`insert_payments` is the hook for the database stage (wired by the service layer later).
"""

import argparse
import csv
import gzip
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopmatch.geo import load_reference  # noqa: E402
from coopmatch.names import normalise_name  # noqa: E402
from coopmatch.spend import (  # noqa: E402
    AnchorArea,
    SupplierLocation,
    SupplierRegister,
    Thresholds,
    build_table,
    concat_tables,
    group_figures,
    read_ledgers,
    resolve_suppliers,
    spend_figures,
)
from coopmatch.spend.resolve import _block_choices, _blocks  # noqa: E402
from coopmatch.spend.tiers import BRANCH, TIERS, classify_supplier  # noqa: E402

SPEND = Path("procurement-data") / "council-spend"
LANCASHIRE, GREATER_MANCHESTER, NORTH_WEST = "E10000017", "E47000001", "E12000002"
ANCHORS = {
    "hyndburn": AnchorArea("E07000120", LANCASHIRE, NORTH_WEST, name="Hyndburn BC"),
    "lancashire_pcc": AnchorArea("E07000126", LANCASHIRE, NORTH_WEST, name="Lancashire PCC"),
    "lancashire_fire": AnchorArea("E07000123", LANCASHIRE, NORTH_WEST, name="Lancashire Fire"),
    "manchester": AnchorArea("E08000003", GREATER_MANCHESTER, NORTH_WEST, name="Manchester CC"),
    "salford": AnchorArea("E08000006", GREATER_MANCHESTER, NORTH_WEST, name="Salford CC"),
}
# Preston's own measure: a group of Lancashire anchors against one place.
PRESTON = AnchorArea("E07000123", LANCASHIRE, NORTH_WEST, name="Preston (Lancashire group)")
COOP_OWNERSHIP = {
    "Workers": "worker_coop",
    "Consumers": "consumer_coop",
    "Multi-stakeholder": "multi_stakeholder_coop",
    "Community of Interest": "community_benefit_society",
}


def insert_payments(anchor: str, payments: list, resolutions: dict) -> None:
    """Hook: the service layer stores payments here (timed as "database insert" once wired)."""


class Stopwatch:
    def __init__(self):
        self.stages: list[tuple[str, float, float, str]] = []

    def run(self, name: str, work, note: str = ""):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.stages.append((name, wall, cpu, note(result) if callable(note) else note))
        print(f"  {name:<34} {wall:7.2f} s wall {cpu:7.2f} s cpu  {self.stages[-1][3]}", flush=True)
        return result


# --- the real rows -----------------------------------------------------------------------------


def real_ledgers(data_dir: Path) -> dict[str, list]:
    spend = data_dir / SPEND
    sources = {
        "hyndburn": sorted((spend / "hyndburn" / "raw").glob("*.csv")),
        "lancashire_pcc": sorted((spend / "lancashire_pcc" / "raw_xlsx").glob("*.xlsx")),
        "lancashire_fire": sorted((spend / "lancashire_fire" / "raw_xlsx").glob("*.xlsx")),
        "manchester": sorted((spend / "manchester").glob("*.csv.gz")),
        "salford": sorted((spend / "salford").glob("*.csv.gz")),
    }
    return {anchor: read_ledgers(files).payments for anchor, files in sources.items()}


# --- misspelling names the ways ledgers do ------------------------------------------------------


def misspell(name: str, rng: random.Random) -> str:
    """Return a variant of a payee name like another ledger (or another clerk) would write it."""
    kind = rng.random()
    if kind < 0.35:  # a typo inside a word
        words = name.split()
        long_words = [i for i, w in enumerate(words) if len(w) > 4]
        if long_words:
            i = rng.choice(long_words)
            w = words[i]
            at = rng.randrange(1, len(w) - 1)
            if rng.random() < 0.5:
                words[i] = w[:at] + w[at + 1 :]
            else:
                words[i] = w[:at] + w[at + 1] + w[at] + w[at + 2 :]
            return " ".join(words)
    if kind < 0.55:  # legal form written differently
        for short, long in ((" LTD", " LIMITED"), (" Ltd", " Limited"), (" PLC", " P.L.C.")):
            if name.endswith(short):
                return name[: -len(short)] + long
            if name.endswith(long):
                return name[: -len(long)]
        return name + rng.choice((" LTD", " Limited", " Ltd."))
    if kind < 0.7:
        return name.replace(" & ", " AND ") if " & " in name else name.replace(" and ", " & ")
    if kind < 0.85 and len(name) > 24:  # a finance system that cuts names short
        return name[: rng.randint(18, 24)]
    return name.upper() if name != name.upper() else name.title()


def register_style(name: str, rng: random.Random) -> str:
    """Return a payee as a register writes it: upper case, full legal form."""
    upper = name.upper()
    if rng.random() < 0.6 and not upper.endswith(("LTD", "LIMITED", "PLC", "LLP", "CIC")):
        upper += " LIMITED"
    return upper.replace(" LTD", " LIMITED")


# --- the million rows ---------------------------------------------------------------------------


def resample(real: dict[str, list], rows: int, target_names: int, rng: random.Random):
    """Return anchor -> [(payment, name written)], and written name -> the real name behind it.

    Rows are drawn at random from the real ones; about `target_names` distinct names are
    written, the real ones plus misspellings of frequent payees (each used at least once).
    """
    everything = [(anchor, p) for anchor, payments in real.items() for p in payments]
    picks = np.random.default_rng(rng.randrange(1 << 30)).integers(0, len(everything), rows)
    drawn = [everything[i] for i in picks.tolist()]
    written = [p.supplier_name for _, p in drawn]
    truth: dict[str, str] = {name: name for name in written}
    positions: dict[str, list[int]] = defaultdict(list)
    for i, (_, payment) in enumerate(drawn):
        if not payment.redacted:
            positions[payment.supplier_name].append(i)
    variants: dict[str, list[str]] = defaultdict(list)
    attempts = 0
    while len(truth) < target_names and attempts < target_names * 5:
        attempts += 1
        base = written[rng.randrange(rows)]  # frequent payees get more misspellings
        variant = misspell(base, rng)
        if base in positions and variant not in truth:
            truth[variant] = base
            variants[base].append(variant)
    for base, names in variants.items():
        spots = positions[base]
        for i in rng.sample(spots, min(len(spots), len(names) * 3)):
            written[i] = rng.choice(names)
        for name, i in zip(names, rng.sample(spots, min(len(spots), len(names))), strict=False):
            written[i] = name  # each misspelling at least once
    out: dict[str, list] = defaultdict(list)
    for (anchor, payment), name in zip(drawn, written, strict=True):
        out[anchor].append((payment, name))
    return out, truth


def _amount(pence: int, style: str) -> str:
    pounds = f"{abs(pence) / 100:,.2f}"
    if style == "trailing":
        return pounds + ("-" if pence < 0 else "")
    if style == "pound":
        return ("-" if pence < 0 else "") + "£" + pounds
    return f"{pence / 100:.2f}"


def write_ledgers(rows: dict[str, list], folder: Path, per_file: int = 100_000) -> dict:
    """Write each anchor's rows as CSV files in a real layout; return anchor -> paths."""
    paths: dict[str, list[Path]] = defaultdict(list)
    for anchor, payments in rows.items():
        for start in range(0, len(payments), per_file):
            chunk = payments[start : start + per_file]
            part = len(paths[anchor])
            if anchor == "hyndburn":
                paths[anchor].append(_hyndburn_2017(chunk, folder / f"{anchor}-{part}.csv"))
            elif anchor.startswith("lancashire"):
                paths[anchor].append(_hyndburn_2024(chunk, folder / f"{anchor}-{part}.csv"))
            else:
                paths[anchor].append(_gzipped(chunk, folder / f"{anchor}-{part}.csv.gz"))
    return paths


def _hyndburn_2017(chunk, path: Path) -> Path:
    # Windows-1252, old-Mac line endings, "1,234.56-" credits.
    with open(path, "w", encoding="cp1252", errors="replace", newline="\r") as handle:
        out = csv.writer(handle, lineterminator="\r")
        out.writerow(
            ["Service Cost Centre", "Account Detail", "Description", "HBC ref no", "Name"]
            + ["Payment date", "Net Amount(£)"]
        )
        for p, name in chunk:
            out.writerow(
                [p.department, p.expense_type, p.description, p.supplier_ref, name]
                + [p.date.strftime("%d/%m/%Y"), _amount(p.amount_pence, "trailing")]
            )
    return path


def _hyndburn_2024(chunk, path: Path) -> Path:
    # Spacer columns, "£1,234.56", two-digit years.
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow(
            ["Department Area", "", "Service Area", "", "Description", "Line", "HBC Ref No."]
            + ["Name:  ", "", "Payment Date", "", "Amount Paid"]
        )
        for p, name in chunk:
            out.writerow(
                [p.department, "", p.expense_type, "", p.description, "1", p.transaction_id]
                + [name, "", p.date.strftime("%d/%m/%y"), "", _amount(p.amount_pence, "pound")]
            )
    return path


def _gzipped(chunk, path: Path) -> Path:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["Body Name", "Service Area", "Expenses Type", "Invoice Payment Date"]
            + ["Transaction Number", "Net Amount", "Supplier Name"]
        )
        for p, name in chunk:
            out.writerow(
                ["Council", p.department, p.expense_type, p.date.isoformat()]
                + [p.transaction_id, _amount(p.amount_pence, "plain"), name]
            )
    return path


# --- the register ---------------------------------------------------------------------------------


class _Register:
    """The register being made: suppliers, their postcodes and owners, one per normalised name."""

    def __init__(self):
        self.entries: list[tuple] = []
        self.postcodes: dict[int, str | None] = {}
        self.ownership: dict[int, str] = {}
        self.seen: dict[str, int] = {}

    def add(self, name: str, postcode: str | None, owner: str) -> int | None:
        """Add a supplier unless one of that name is there; return the supplier's id."""
        key = normalise_name(name)
        if not key or key in self.seen:
            return self.seen.get(key)
        supplier_id = self.seen[key] = len(self.entries) + 1
        self.entries.append((supplier_id, name, postcode, []))
        self.postcodes[supplier_id] = postcode
        self.ownership[supplier_id] = owner
        return supplier_id


def build_register(data_dir: Path, real: dict[str, list], size: int, rng: random.Random):
    """Return (register tuples, supplier id -> locations, ownership, real payee -> id)."""
    register = _Register()
    reference = data_dir / "reference-data"
    with open(reference / "coops" / "coops_uk_open_data_2023q2.csv", encoding="utf-8") as handle:
        coops = list(csv.DictReader(handle))
    truth_ids = _add_payees(register, data_dir, real, [c["Postcode"] for c in coops], rng)
    for coop in coops:
        owner = COOP_OWNERSHIP.get(coop["Ownership Classification"], "consumer_coop")
        register.add(coop["Name"], coop["Postcode"] or None, owner)
    companies = reference / "companies-house" / "companies_house_south_yorkshire.csv.gz"
    with gzip.open(companies, "rt", encoding="utf-8") as handle:
        for company in csv.DictReader(handle):
            if len(register.entries) >= size:
                break
            register.add(company["CompanyName"], company["Postcode"] or None, "sme")
    locations = _locations(data_dir, register.postcodes, rng)
    return register.entries, locations, register.ownership, truth_ids


def _add_payees(register: _Register, data_dir: Path, real, national: list[str], rng) -> dict:
    """Add the anchors' own payees as a register writes them, placed mostly near their anchor."""
    home: dict[str, str] = {}
    for anchor, payments in real.items():
        for p in payments:
            if not p.redacted:
                home.setdefault(p.supplier_name, anchor)
    local_postcodes, north_west = _postcode_pools(data_dir)
    national = [p for p in national if p]
    truth_ids = {}
    for name, anchor in sorted(home.items()):
        where = rng.random()
        lad = ANCHORS[anchor].lad_code
        if where < 0.3 and local_postcodes.get(lad):
            postcode = rng.choice(local_postcodes[lad])
        elif where < 0.6:
            postcode = rng.choice(north_west)
        else:
            postcode = rng.choice(national)
        large = " PLC" in name.upper() or rng.random() < 0.25
        owner = "large_company" if large else "sme"
        supplier_id = register.add(register_style(name, rng), postcode, owner)
        if supplier_id is not None:
            truth_ids[name] = supplier_id
    return truth_ids


def _locations(data_dir: Path, postcodes: dict, rng) -> dict:
    """Locate registered offices by postcode; give a few firms a branch near an anchor."""
    geo = load_reference(str(data_dir), str(ROOT / "instance" / "cache"))
    unique = sorted({p for p in postcodes.values() if p})
    places = dict(zip(unique, geo.lookup_many(unique), strict=True))
    locations = {}
    for supplier_id, postcode in postcodes.items():
        place = places.get(postcode)
        found = [SupplierLocation.from_place(place)] if place and place.lad_code else []
        if found and rng.random() < 0.05:
            area = ANCHORS[rng.choice(list(ANCHORS))]
            found.append(SupplierLocation(BRANCH, area.lad_code, area.wider_code, area.region_code))
        locations[supplier_id] = found
    return locations


def _postcode_pools(data_dir: Path):
    by_lad: dict[str, list[str]] = defaultdict(list)
    path = data_dir / "reference-data" / "geography" / "postcodes_north_west_codepoint_2014.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_lad[row["lad_code"]].append(row["postcode"])
    everyone = [p for codes in by_lad.values() for p in codes[::20]]
    return by_lad, everyone


# --- baselines ----------------------------------------------------------------------------------


def resolution_baselines(names: list[str], register: SupplierRegister, measured: float, rng):
    """Compare blocked cdist with a per-pair Python loop and with cdist over the whole register."""
    keys = [" ".join(sorted(normalise_name(n).split())) for n in names]
    keys = [k for k in keys if k]
    choices = register.choices
    loop_sample = rng.sample(keys, 10)
    start = time.perf_counter()
    for key in loop_sample:
        best = 0.0
        for choice in choices:
            best = max(best, fuzz.ratio(key, choice))
    per_name_loop = (time.perf_counter() - start) / len(loop_sample)
    full_sample = rng.sample(keys, 500)
    start = time.perf_counter()
    full = process.cdist(
        full_sample,
        choices,
        scorer=fuzz.ratio,
        processor=None,
        score_cutoff=80,
        dtype=np.uint8,
        workers=-1,
    )
    per_name_full = (time.perf_counter() - start) / len(full_sample)
    # How often blocking still finds the exhaustive best (when that is worth reviewing).
    blocks = _blocks(full_sample, register)
    reachable: dict[int, set[int]] = defaultdict(set)
    for (kind, block), members in blocks.items():
        columns = _block_choices(register, kind, block)
        for q in members:
            reachable[q].update(columns.tolist())
    wanted = found = 0
    for q in range(len(full_sample)):
        best = int(full[q].max())
        if best >= 80:
            wanted += 1
            tops = set(np.flatnonzero(full[q] == best).tolist())
            found += bool(tops & reachable[q])
    per_name_blocked = measured / max(len(keys), 1)
    return {
        "distinct names": len(keys),
        "per-pair Python loop (s/name)": per_name_loop,
        "cdist over whole register (s/name)": per_name_full,
        "resolve_suppliers, all steps (s/name)": per_name_blocked,
        "loop estimate for all names (s)": per_name_loop * len(keys),
        "whole-register cdist estimate (s)": per_name_full * len(keys),
        "speed-up vs loop": per_name_loop / per_name_blocked,
        "speed-up vs whole-register cdist": per_name_full / per_name_blocked,
        "blocking recall of exhaustive best": found / wanted if wanted else float("nan"),
    }


def figures_baseline(payments: list, resolutions: dict, locations: dict, area) -> float:
    """Per-row Python accumulation of the year x tier split: what numpy replaces."""
    start = time.perf_counter()
    tiers = {}
    totals: dict[tuple[int, str], int] = Counter()
    for p, _name in payments:
        resolution = resolutions.get(_name)
        supplier = resolution.supplier_id if resolution else None
        tier = "unknown"
        if supplier is not None:
            if supplier not in tiers:
                tiers[supplier] = classify_supplier(area, locations.get(supplier, [])).tier
            tier = tiers[supplier]
        year = p.date.year - (p.date.month < 4)
        totals[(year, tier)] += p.amount_pence
    return time.perf_counter() - start


# --- the run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("COOPMATCH_DATA_DIR") or str(ROOT.parent / "shared"),
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--suppliers", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=50_000, help="distinct payee names wanted")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="write the generated ledgers here (default: a temp dir)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    rng = random.Random(args.seed)
    clock = Stopwatch()

    print("Preparing (not part of the pipeline):")
    real = clock.run(
        "read the real ledgers",
        lambda: real_ledgers(data_dir),
        lambda r: f"{sum(map(len, r.values())):,} real payments",
    )
    rows, truth = clock.run(
        "resample and misspell",
        lambda: resample(real, args.rows, args.names, rng),
        lambda r: f"{sum(map(len, r[0].values())):,} rows",
    )
    entries, locations, ownership, truth_ids = clock.run(
        "build the register",
        lambda: build_register(data_dir, real, args.suppliers, rng),
        lambda r: f"{len(r[0]):,} suppliers",
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.workdir or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        paths = clock.run(
            "write the ledgers",
            lambda: write_ledgers(rows, folder),
            lambda r: (
                f"{sum(map(len, r.values()))} files, "
                f"{sum(p.stat().st_size for ps in r.values() for p in ps) / 1e6:.0f} MB"
            ),
        )
        prep = len(clock.stages)

        print("Pipeline:")
        ledgers = clock.run(
            "read 1M payments",
            lambda: {a: read_ledgers(p) for a, p in paths.items()},
            lambda r: (
                f"{sum(len(led.payments) for led in r.values()):,} payments, "
                f"{sum(len(led.errors) for led in r.values())} row errors"
            ),
        )
    names = list(dict.fromkeys(p.supplier_name for led in ledgers.values() for p in led.payments))
    register = clock.run(
        "index the register",
        lambda: SupplierRegister(entries),
        lambda r: f"{len(r.choices):,} names",
    )
    thresholds = Thresholds()
    start = time.perf_counter()
    resolutions = clock.run(
        "resolve the distinct names",
        lambda: resolve_suppliers(names, register, thresholds=thresholds),
        lambda r: f"{len(r):,} names",
    )
    resolve_seconds = time.perf_counter() - start
    for anchor, ledger in ledgers.items():
        insert_payments(anchor, ledger.payments, resolutions)
    supplier_names = {e[0]: e[1] for e in entries}

    tables = clock.run(
        "payments to columns",
        lambda: {a: build_table(led.payments, resolutions, anchor=a) for a, led in ledgers.items()},
    )

    def figures():
        each = {
            a: spend_figures(
                t, ANCHORS[a], locations, ownership=ownership, supplier_names=supplier_names
            )
            for a, t in tables.items()
        }
        lancashire = {
            a: (ANCHORS[a], tables[a]) for a in ("hyndburn", "lancashire_pcc", "lancashire_fire")
        }
        group = group_figures(
            lancashire, PRESTON, locations, ownership=ownership, supplier_names=supplier_names
        )
        return each, group

    each, group = clock.run("figures (5 anchors + 1 group)", figures)
    pipeline = clock.stages[prep:]
    wall = sum(s[1] for s in pipeline)
    print(
        f"  {'pure pipeline total':<34} {wall:7.2f} s wall {sum(s[2] for s in pipeline):7.2f} s cpu"
        f"  (target < 120 s)"
    )
    print("  database insert                    not measured: insert_payments() is a hook")

    print("\nResolution of the generated names (truth known):")
    statuses = Counter(r.status for r in resolutions.values())
    right, wrong = 0, []
    for name, r in resolutions.items():
        expected = truth_ids.get(truth.get(name, ""))
        if r.status == "auto" and expected is not None:
            right += r.supplier_id == expected
            if r.supplier_id != expected:
                wrong.append((name, supplier_names[r.supplier_id], supplier_names[expected]))
    total = len(resolutions)
    for status in ("confirmed", "auto", "review", "unresolved"):
        print(f"  {status:<12} {statuses[status]:>7,}  {statuses[status] / total:6.1%}")
    print(
        f"  auto matches checked against the generated truth: {right:,} agree, "
        f"{len(wrong):,} disagree ({right / max(right + len(wrong), 1):.2%} agree)"
    )
    print("  disagreements (often one firm registered twice under two ledger spellings):")
    for name, got, expected in wrong[:6]:
        print(f"    {name!r}: matched {got!r}, generated truth {expected!r}")

    print("\nBaselines (measured in this run):")
    baselines = resolution_baselines(names, register, resolve_seconds, rng)
    for label, value in baselines.items():
        print(f"  {label:<40} {value:,.4g}")
    all_rows = [row for anchor_rows in rows.values() for row in anchor_rows]
    slow = figures_baseline(all_rows, resolutions, locations, ANCHORS["hyndburn"])
    start = time.perf_counter()
    spend_figures(concat_tables(list(tables.values())), ANCHORS["hyndburn"], locations)
    fast = time.perf_counter() - start
    print(f"  {'per-row Python, year x tier only (s)':<40} {slow:,.3g}")
    print(f"  {'spend_figures, every breakdown (s)':<40} {fast:,.3g}  ({slow / fast:.1f}x)")

    print("\nFigures (synthetic supplier locations: the shape of the output, not facts):")
    for anchor, figures_of in [*each.items(), ("group: Lancashire vs Preston", group.combined)]:
        print(f"  {anchor}")
        for year in figures_of.years:
            split = year.split
            shares = " ".join(f"{t[:5]} {split.shares[t] or 0:5.1%}" for t in TIERS)
            print(
                f"    {year.label}  £{split.total / 100:>14,.0f}  {shares}  "
                f"unresolved £{split.unresolved / 100:,.0f} redacted £{split.redacted / 100:,.0f}"
            )
        change = figures_of.change()
        if change:
            first, last = change
            print(
                f"    local share {first.label} {first.local_share or 0:.1%} -> "
                f"{last.label} {last.local_share or 0:.1%}"
            )
        owners = sorted(figures_of.overall.by_ownership.items(), key=lambda kv: -kv[1].total)
        print(
            "    by ownership (all years): "
            + "; ".join(
                f"{k} £{v.total / 100:,.0f} local {v.local_share or 0:.0%}" for k, v in owners[:5]
            )
        )
        top = figures_of.overall.top_non_local[:3]
        print(
            "    top non-local: "
            + "; ".join(f"{s.name} £{s.pence / 100:,.0f} ({s.tier})" for s in top)
        )


if __name__ == "__main__":
    main()
