"""Import every notice file in ../shared/procurement-data into a fresh SQLite file.

Target (issue 3): all OCDS and CSV sources in under a minute. Runs the real command line,
`coopmatch import auto FILE...`, and as a baseline in the same run, parsing alone (no database),
so the ratio shows what writing costs.

    python bench/import_all.py [--data-dir ../shared]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTICE_FILES = [
    "contracts-finder-ocds/cf_releases_2025_cfserver1.json",
    "contracts-finder-ocds/bluetail_cf_release_packages_ocds1.1_2019-2020.jsonl.gz",
    "contracts-finder-ocds/bluetail_cf_release_packages_ocds1.0_multisupplier_2020.jsonl.gz",
    "contracts-finder-ocds/ocds_sample_data_uk_contracts_finder_2016.json",
    "find-a-tender-ocds/fts_release_package_032703-2026_tender.json",
    "find-a-tender-ocds/fts_release_package_037689-2026_planning.json",
    "contracts-finder-csv/cf_export_2025-11_bidboost.csv",
    "contracts-finder-csv/cf_daily_ocds_flat_2020-08-05_silvereye.csv",
    "contracts-finder-csv/silvereye_sample_awards_2020.csv",
    "contracts-finder-csv/silvereye_sample_tenders_2020.csv",
    "ted-uk-awards-2020/ted_uk_contract_awards_2020-01_to_10.csv",
    "lancashire-contracts-finder/lancashire_councils_cf_notices.json",
    "lancashire-contracts-finder/lancashire_councils_cf_notices.csv",
]


def parse_only(data_dir: Path, files: list[Path]) -> tuple[float, int]:
    from coopmatch.cpv import CPVVocabulary
    from coopmatch.imports.formats import parse_file
    from coopmatch.imports.records import RowError

    cpv = CPVVocabulary(str(data_dir))
    started, records = time.perf_counter(), 0
    for path in files:
        records += sum(1 for r in parse_file(None, path, cpv=cpv, data_dir=str(data_dir))
                       if not isinstance(r, RowError))
    return time.perf_counter() - started, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("COOPMATCH_DATA_DIR",
                                                          str(ROOT.parent / "shared")))
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    files = [data_dir / "procurement-data" / name for name in NOTICE_FILES]
    coopmatch = Path(sys.executable).with_name("coopmatch")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.db",
                   COOPMATCH_DATA_DIR=str(data_dir), COOPMATCH_ENV="development")
        subprocess.run([str(coopmatch), "db", "upgrade"], env=env, check=True,
                       capture_output=True)
        started = time.perf_counter()
        result = subprocess.run([str(coopmatch), "import", "auto", *map(str, files)], env=env,
                                capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if result.returncode:
            sys.exit(result.stderr[-3000:])
        import sqlite3

        db = sqlite3.connect(f"{tmp}/bench.db")
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("tender", "lot", "award", "supplier", "organisation")}
        db.close()
    parse_seconds, records = parse_only(data_dir, files)
    print(f"files imported:            {len(files)}")
    print("rows in the database:      " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"import (CLI, SQLite):      {elapsed:6.1f} s   target < 60 s")
    print(f"baseline, parse only:      {parse_seconds:6.1f} s   ({records:,} notices)")
    print(f"ratio import / parse:      {elapsed / parse_seconds:6.2f}x")


if __name__ == "__main__":
    main()
