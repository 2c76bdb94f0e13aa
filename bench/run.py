"""Run every benchmark in bench/ (or the ones named) and print their reports.

Usage: python bench/run.py [NAME ...]   e.g. python bench/run.py pql_parse plan

Each bench_*.py is a standalone script that compares against a baseline in the same run and
prints medians and a ratio. Copy the figures into bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        wanted = {f"bench_{name.removeprefix('bench_').removesuffix('.py')}.py" for name in argv}
        scripts = [s for s in scripts if s.name in wanted]
        if not scripts:
            print(f"no benchmark named {', '.join(argv)}", file=sys.stderr)
            return 1
    print(f"# {time.strftime('%Y-%m-%d')} · {platform.machine()} · "
          f"Python {platform.python_version()} · {platform.node()}")
    # byte-compiled once, as an installed package is: whole-process figures must not include
    # compiling modules (a shell with PYTHONDONTWRITEBYTECODE set never keeps the .pyc files)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "segctl")],
                   stdout=subprocess.DEVNULL, check=True)
    failed = 0
    for script in scripts:
        print(f"\n## {script.name}", flush=True)
        failed += subprocess.call([sys.executable, str(script)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
