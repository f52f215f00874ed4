"""A million payments through the real path: imported, resolved and summarised in SQLite.

Issue 6's target: 1 million payment rows imported, resolved against 100k suppliers and
summarised in under 2 minutes. This runs the service the CLI and the web use
(`services.spend.import_ledgers`, then `anchor_report` per anchor) on a fresh SQLite file
holding a 100k-supplier register, with the same generated ledgers as bench/spend_speed.py
(real ledger rows resampled and misspelt). As a baseline in the same run it times the pure
pipeline alone (read + resolve + figures, no database), so the ratio shows what the database
costs.

    python bench/spend_import.py [--data-dir DIR] [--rows 1000000] [--suppliers 100000]
"""

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from spend_speed import (  # noqa: E402
    ANCHORS,
    build_register,
    real_ledgers,
    resample,
    write_ledgers,
)
from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from coopmatch.db import make_engine, upgrade  # noqa: E402
from coopmatch.models import Organisation, Supplier, utcnow  # noqa: E402
from coopmatch.names import normalise_name  # noqa: E402
from coopmatch.reference import Reference  # noqa: E402
from coopmatch.services import spend  # noqa: E402
from coopmatch.spend import (  # noqa: E402
    SupplierRegister,
    build_table,
    read_ledgers,
    resolve_suppliers,
    spend_figures,
)


def distinct(rows: dict) -> tuple[dict, None]:
    """Make each resampled copy of a real payment a payment of its own.

    Drawn at random from ~290k real rows, a million rows repeat each real one three times or
    so; the import rightly stores a payment listed twice only once, so each copy gets its own
    reference, as separate payments would have.
    """
    count = 0
    out = {}
    for anchor, payments in rows.items():
        out[anchor] = []
        for payment, name in payments:
            count += 1
            out[anchor].append((replace(payment, transaction_id=f"{payment.transaction_id}-{count}",
                                        supplier_ref=f"{payment.supplier_ref}-{count}",
                                        description=f"{payment.description} #{count}"), name))
    return out, None


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:7.1f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("COOPMATCH_DATA_DIR")
                        or str(ROOT.parent / "shared"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--suppliers", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    rng = random.Random(args.seed)
    ref = Reference.from_settings(str(data_dir), str(ROOT / "instance" / "cache"))

    print("Preparing (not timed against the target):")
    real, _ = timed("read the real ledgers", lambda: real_ledgers(data_dir))
    (rows, _truth), _ = timed("resample and misspell", lambda: distinct(
        resample(real, args.rows, args.names, rng)[0]))
    (entries, _locations, ownership, _ids), _ = timed(
        "build the register", lambda: build_register(data_dir, real, args.suppliers, rng))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "ledgers").mkdir()
        paths, _ = timed("write the ledgers", lambda: write_ledgers(rows, folder / "ledgers"))
        url = f"sqlite:///{folder / 'spend.db'}"
        upgrade(url)
        engine = make_engine(url)
        postcodes = sorted({e[2] for e in entries if e[2]})
        places = dict(zip(postcodes, ref.geo.lookup_many(postcodes), strict=True))
        now = utcnow()

        def store_register():
            supplier_rows = []
            for supplier_id, name, postcode, _trading in entries:
                place = places.get(postcode)
                supplier_rows.append({
                    "id": supplier_id, "name": name[:300], "normalised_name": normalise_name(name),
                    "postcode": place.postcode if place else None, "description": "",
                    "ownership": ownership.get(supplier_id, "sme"), "cpv_codes": "",
                    "sic_codes": "", "accreditations": "", "status": "active",
                    "succession_risk": False, "source": "register_import",
                    "local_authority_code": place.lad_code if place else None,
                    "county_code": place.county_code if place else None,
                    "region_code": place.region_code if place else None,
                    "created_at": now, "updated_at": now})
            with Session(engine) as session:
                for start in range(0, len(supplier_rows), 20_000):
                    session.execute(insert(Supplier), supplier_rows[start:start + 20_000])
                anchors = {}
                for key, area in ANCHORS.items():
                    organisation = Organisation(name=area.name, normalised_name=area.name,
                                                kind="council", local_authority_code=area.lad_code,
                                                county_code=area.wider_code,
                                                region_code=area.region_code)
                    session.add(organisation)
                    anchors[key] = organisation
                session.commit()
                return {k: o.id for k, o in anchors.items()}

        anchor_ids, _ = timed(f"store {len(entries):,} suppliers in SQLite", store_register)

        print("Baseline, the pure pipeline without a database:")
        ledgers, pure_read = timed("read", lambda: {a: read_ledgers(p)
                                                    for a, p in paths.items()})
        names = list(dict.fromkeys(p.supplier_name for led in ledgers.values()
                                   for p in led.payments))
        resolutions, pure_resolve = timed(
            "index the register and resolve",
            lambda: resolve_suppliers(names, SupplierRegister(entries)))
        _, pure_figures = timed("figures", lambda: [
            spend_figures(build_table(led.payments, resolutions), ANCHORS[a], {})
            for a, led in ledgers.items()])
        pure = pure_read + pure_resolve + pure_figures
        ledgers = resolutions = None  # free the memory before the real path

        print("The real path (services.spend on SQLite):")
        total = 0.0
        with Session(engine, expire_on_commit=False) as session:
            for key, files in paths.items():
                anchor = session.get(Organisation, anchor_ids[key])
                _, seconds = timed(
                    f"import + resolve {key} ({len(files)} files)",
                    lambda a=anchor, f=files: spend.import_ledgers(session, anchor=a, paths=f,
                                                                   skip_invalid=True))
                total += seconds
            reports, seconds = timed("summarise every anchor (figures per year)", lambda: [
                spend.anchor_report(session, anchor=session.get(Organisation, i), ref=ref)
                for i in anchor_ids.values()])
            total += seconds
        from sqlalchemy import text

        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM payment")).scalar_one()
            statuses = dict(connection.execute(text(
                "SELECT status, count(*) FROM ledger_name GROUP BY status")).all())
        engine.dispose()
    print()
    print(f"payments stored:            {stored:,}")
    print(f"distinct ledger names:      {sum(statuses.values()):,}  {statuses}")
    print(f"real path total:            {total:6.1f} s   target < 120 s")
    print(f"pure pipeline (baseline):   {pure:6.1f} s")
    print(f"ratio real / pure:          {total / pure:6.2f}x")
    for report in reports:
        if report and report.figures.years:
            last = report.figures.years[-1]
            print(f"  {report.anchor.name:<28} {last.label}: local share "
                  f"{(last.split.local_share or 0) * 100:5.1f}%")


if __name__ == "__main__":
    main()
