"""Paired cold builds: this checkout and another one (an earlier commit) against plain Pelican.

    python benchmarks/paired.py --other /path/to/other/checkout [--runs 5]

For a change that must not make the build slower: each round builds the reference content
(benchmarks/generate.py) with plain Pelican, this checkout and the other checkout, in a rotating
order, each from an empty cache (a cold build), and reports per round the ratio ours / plain for
both checkouts; then the median and the range of each. The other checkout needs its own
`.venv` and `node_modules` (symbolic links to this checkout's are fine when the requirements
are the same).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402


def build_checkout(root: Path, content: Path, output: Path, cache: Path, log: Path) -> bench.Run:
    code = ("import sys; a = sys.argv; sys.path.insert(0, a[1]); from invoke import Context; import tasks; "
            "tasks.pelican(Context(), a[2], a[3], today=a[4], extra=a[5])")
    extra = f"-e CACHE_PATH='\"{cache}\"'"
    py = root / ".venv" / "bin" / "python"
    return bench.timed([str(py), "-c", code, str(root), str(content), str(output), bench.TODAY, extra], log)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--other", required=True, help="the other checkout (e.g. a git worktree of the base commit)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="small content: checks the harness")
    args = ap.parse_args(argv)
    content, plain = bench.ensure_content(args.quick)
    kinds = {"plain": None, "this": bench.ROOT, "other": Path(args.other).resolve()}
    rows = []
    with tempfile.TemporaryDirectory(prefix="portal-paired-") as tmp:
        tmp = Path(tmp)
        log = tmp / "build.log"
        for i in range(args.runs):
            order = list(kinds)[i % 3:] + list(kinds)[:i % 3]
            wall = {}
            for kind in order:
                out, cache = tmp / f"out-{kind}", tmp / f"cache-{kind}"
                for d in (out, cache, tmp / f".out-{kind}.cache"):
                    shutil.rmtree(d, ignore_errors=True)
                if kind == "plain":
                    run = bench.build_plain(plain, out, cache, log)
                else:
                    run = build_checkout(kinds[kind], content, out, cache, log)
                if not run.ok:
                    print(f"{kind}: build failed, see {log}", file=sys.stderr)
                    print(log.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
                    return 1
                wall[kind] = run.wall
            row = {"round": i + 1, **{k: round(v, 2) for k, v in wall.items()},
                   "this/plain": round(wall["this"] / wall["plain"], 3),
                   "other/plain": round(wall["other"] / wall["plain"], 3)}
            rows.append(row)
            print(row, flush=True)
    for key in ("this/plain", "other/plain"):
        values = [r[key] for r in rows]
        print(f"{key}: median {statistics.median(values):.3f}, range {min(values):.3f}–{max(values):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
