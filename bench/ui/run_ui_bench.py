#!/usr/bin/env python3
"""bench/ui: how long Tern takes from its start to the main window with the message list drawn
(the first page of rows read, not placeholders), and its peak RSS until then, on profiles of
10 000 and 100 000 messages made by tern_bench_make_ui_profile. Run under a display
(CTest wraps it in xvfb-run). Tern starts with --no-sync --exit-when-ready: it prints "ready: ..."
once the rows are drawn, and its peak RSS on stderr, then quits.

  run_ui_bench.py --bin-dir build/bin [--counts 10000 100000] [--runs 7] [--work-dir DIR] [--smoke]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time


def make_profile(bin_dir, work, count):
    home = os.path.join(work, f"ui-{count}")
    if not os.path.exists(os.path.join(home, "tern.db")):
        os.makedirs(home, exist_ok=True)
        subprocess.run([os.path.join(bin_dir, "tern_bench_make_ui_profile"), home, str(count)], check=True)
    return home


def one_run(bin_dir, home):
    started = time.monotonic()
    proc = subprocess.Popen([os.path.join(bin_dir, "tern"), "--home", home, "--no-sync", "--exit-when-ready"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed_ms = (time.monotonic() - started) * 1000
    rest, err = proc.communicate(timeout=60)
    if not line.startswith("ready:") or proc.returncode != 0:
        sys.exit(f"tern did not get ready: {line!r} {rest!r} {err!r}")
    m = re.search(r"peak RSS\s+(\d+) kB", err)
    anon = re.search(r"RssAnon:\s+(\d+) kB", err)
    if not m or not anon:
        sys.exit(f"no peak RSS on stderr: {err!r}")
    messages = int(re.search(r"messages=(\d+)", line).group(1))
    return elapsed_ms, int(m.group(1)) / 1024, messages, int(anon.group(1)) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--work-dir", default="ui-bench")
    parser.add_argument("--counts", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="check that every number is there, no targets")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    results = []
    for count in args.counts:
        home = make_profile(args.bin_dir, args.work_dir, count)
        one_run(args.bin_dir, home)  # the first start reads the files from disk; the rest from the cache
        times, rss, anon = [], [], []
        for _ in range(args.runs):
            ms, mb, messages, anon_mb = one_run(args.bin_dir, home)
            if messages != count:
                sys.exit(f"the list shows {messages} messages, the profile has {count}")
            times.append(ms)
            rss.append(mb)
            anon.append(anon_mb)
        print(f"  runs: ms {[round(t) for t in times]}, peak RSS MB {[round(r, 1) for r in rss]}")
        times.sort()
        row = {"messages": count, "runs": args.runs, "median_ms": statistics.median(times),
               "max_ms": times[-1], "min_ms": times[0], "peak_rss_mb": max(rss), "private_rss_mb": max(anon)}
        results.append(row)
        print(f"{count:>7} messages: start to list drawn median {row['median_ms']:.0f} ms "
              f"(min {row['min_ms']:.0f}, max {row['max_ms']:.0f}, {args.runs} runs), peak RSS {row['peak_rss_mb']:.1f} MB "
              f"(private {row['private_rss_mb']:.1f} MB)")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=2)
    if not args.smoke:
        for row in results:
            if row["messages"] >= 100000:
                ok = row["median_ms"] < 300 and row["peak_rss_mb"] < 80
                print(f"targets (under 300 ms, under 80 MB) at {row['messages']}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
