"""Where a build's time goes: one in-process Pelican run of a content folder, timed by phase.

    python benchmarks/profile_build.py [--content benchmarks/work/reference] [--cprofile FILE]

Prints the wall time of loading the content store, of each generator's generate_context and
generate_output, and of each `finalized` receiver, longest first, with when each began, the CPU
time this process spent in it and this process's memory after it (resident, and the peak so far). With --cprofile, also writes a cProfile file (open it with
`python -m pstats FILE`); profiling slows Python code about 2x, unevenly.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "plugins"))


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run(content: Path, output: Path, today: str, cache: Path | None = None,
        previous: Path | None = None) -> list[tuple[str, float]]:
    """`cache`: the caches' folder (none: a cold build); `previous`: the release an incremental
    build takes unchanged pages from (as `invoke build` names it)."""
    os.environ.update(PORTAL_CONTENT=str(content.resolve()), PORTAL_TODAY=today)
    if previous is not None:
        os.environ["PORTAL_PREVIOUS"] = str(previous.resolve())
    from pelican import Pelican, signals
    from pelican.settings import read_settings

    caches = {"CACHE_PATH": str(cache), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True} if cache else \
        {"CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False}
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"OUTPUT_PATH": str(output), **caches})
    # label, seconds, began at, CPU, memory after, peak memory so far
    times: list[tuple[str, float, float, float, float, float]] = []
    start = time.perf_counter()

    def timed(label, fn, *args):
        t, cpu = time.perf_counter(), time.process_time()
        result = fn(*args)
        times.append((label, time.perf_counter() - t, t - start, time.process_time() - cpu, rss_mb(),
                      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
        return result

    pelican = timed("Pelican(settings): plugins, content store (read, validate, cross-check)", Pelican, settings)
    context = settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={}, localsiteurl=settings["SITEURL"])
    classes = timed("get_generators", pelican._get_generator_classes)
    generators = [timed(f"{cls.__name__}.__init__", cls, context, settings, pelican.path, pelican.theme, str(output))
                  for cls in classes]
    for g in generators:
        if hasattr(g, "generate_context"):
            timed(f"{type(g).__name__}.generate_context", g.generate_context)
    signals.all_generators_finalized.send(generators)
    for g in generators:
        if hasattr(g, "refresh_metadata_intersite_links"):
            g.refresh_metadata_intersite_links()
    writer = pelican._get_writer()
    for g in generators:
        if hasattr(g, "generate_output"):
            timed(f"{type(g).__name__}.generate_output", g.generate_output, writer)
    for receiver in list(signals.finalized.receivers_for(pelican)):
        name = f"finalized: {getattr(receiver, '__module__', '')}.{getattr(receiver, '__name__', receiver)}"
        timed(name, receiver, pelican)
    return times


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", default=str(HERE / "work" / "reference"))
    ap.add_argument("--today", default="2025-10-15")
    ap.add_argument("--cprofile", help="also write a cProfile file here")
    ap.add_argument("--cache", help="caches' folder (default: none, a cold build)")
    ap.add_argument("--previous", help="an earlier release: an incremental build (with --cache)")
    a = ap.parse_args(argv)
    output = Path(tempfile.mkdtemp(prefix="portal-profile-"))
    extra = (Path(a.cache) if a.cache else None, Path(a.previous) if a.previous else None)
    start = time.perf_counter()
    if a.cprofile:
        import cProfile

        prof = cProfile.Profile()
        times = prof.runcall(run, Path(a.content), output, a.today, *extra)
        prof.dump_stats(a.cprofile)
    else:
        times = run(Path(a.content), output, a.today, *extra)
    total = time.perf_counter() - start
    print("    time    from    CPU    RSS after   peak  phase (CPU and memory: this process's, not its children's)")
    for label, seconds, at, cpu, rss, peak in sorted(times, key=lambda x: -x[1]):
        if seconds >= 0.05:
            print(f"{seconds:6.2f} s {at:6.2f} s {cpu:6.2f} s {rss:6.0f} MB {peak:4.0f} MB  {label}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{total:6.2f} s                   total (output in {output})")
    print(f"peak memory: this process {peak:.0f} MB, the largest process it started and waited for {children:.0f} MB")


if __name__ == "__main__":
    main()
