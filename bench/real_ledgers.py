"""The real ledgers' figures: resolved share and local share per anchor and financial year.

Builds a fresh SQLite database the way a user would, with the command line: the demo, every
notice file in procurement-data, Co-operatives UK and Companies House registers, then the five
published ledgers (Hyndburn, Lancashire PCC, Lancashire Fire and Rescue, Manchester, Salford),
and prints `coopmatch spend report` with the resolved and unresolved shares beside it.

    python bench/real_ledgers.py [--data-dir DIR] [--keep DB_PATH]
"""

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from import_all import NOTICE_FILES  # noqa: E402

SPEND = Path("procurement-data/council-spend")
ANCHORS = [
    # (name, kind, postcode of the main office, ledger files)
    ("Hyndburn Borough Council", "council", "BB5 1LA", ["hyndburn/raw/*.csv"]),
    ("Lancashire Police and Crime Commissioner", "police_fire", "PR4 5SB",
     ["lancashire_pcc/raw_xlsx/*.xlsx"]),
    ("Lancashire Fire and Rescue Service", "police_fire", "PR2 3LH",
     ["lancashire_fire/raw_xlsx/*.xlsx"]),
    ("Manchester City Council", "council", "M2 5DB",
     ["manchester/manchester_spend_over_500_2019-04_to_2022-03.csv.gz"]),
    ("Salford City Council", "council", "M27 5AW",
     ["salford/salford_spend_over_500_2019-04_to_2022-03.csv.gz"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("COOPMATCH_DATA_DIR")
                        or str(ROOT.parent / "shared"))
    parser.add_argument("--keep", help="build the database at this path and keep it")
    args = parser.parse_args()
    data = Path(args.data_dir)
    coopmatch = str(Path(sys.executable).with_name("coopmatch"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.keep) if args.keep else Path(tmp) / "ledgers.db"
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}", COOPMATCH_DATA_DIR=str(data),
                   COOPMATCH_ENV="development", COOPMATCH_INDEX_DIR=f"{tmp}/index")

        def run(*command: str) -> str:
            started = time.perf_counter()
            result = subprocess.run([coopmatch, *command], env=env, capture_output=True,
                                    text=True)
            if result.returncode:
                sys.exit(f"coopmatch {' '.join(command[:3])} failed:\n{result.stderr[-3000:]}")
            print(f"  {time.perf_counter() - started:6.1f} s  coopmatch {' '.join(command[:3])}",
                  file=sys.stderr)
            return result.stdout

        run("db", "upgrade")
        run("demo")
        run("import", "auto", *[str(data / "procurement-data" / f) for f in NOTICE_FILES])
        run("import", "coops-uk", str(data / "reference-data/coops/coops_uk_open_data_2023q2.csv"))
        run("import", "companies-house",
            str(data / "reference-data/companies-house/companies_house_south_yorkshire.csv.gz"))
        for name, kind, postcode, patterns in ANCHORS:
            run("organisations", "add", name, "--kind", kind, "--postcode", postcode)
            files = sorted(str(p) for pattern in patterns for p in (data / SPEND).glob(pattern))
            print(run("import", "spend", "--anchor", name, "--skip-invalid", *files).strip())
        rows = list(csv.DictReader(io.StringIO(run("spend", "report", "--format", "csv"))))
    print(f"\n{'anchor':<42} {'year':<8} {'total £':>13} {'resolved':>9} {'unresolved':>10} "
          f"{'redacted':>9} {'local':>7} {'wider':>7}")
    for row in rows:
        total = float(row["total"]) or 1.0

        def pct(value: str, total: float = total) -> str:
            return f"{float(value) / total * 100:8.1f}%"

        local = float(row["local_share"] or 0) * 100
        wider = float(row["wider_share"] or 0) * 100
        print(f"{row['anchor'][:42]:<42} {row['year']:<8} {float(row['total']):>13,.0f} "
              f"{pct(row['resolved'])} {pct(row['unresolved']):>10} {pct(row['redacted'])} "
              f"{local:6.1f}% {wider:6.1f}%")


if __name__ == "__main__":
    main()
