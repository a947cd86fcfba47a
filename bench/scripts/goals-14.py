#!/usr/bin/env python3
"""Issue 14's goals table from several harness runs of one session.

usage: goals-14.py RUN.json [RUN.json ...]

Each RUN.json is the latest.json a harness run wrote (its --out directory). Every figure is the median of the runs
(the values of each run follow in brackets); each ratio is taken per run and its median given, so that a ratio
compares figures measured minutes apart, never across runs. Prints markdown.
"""
import json
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def value(rows, system, media, encrypted, metric, size):
    for r in rows:
        if (r["system"] == system and r["media"] == media and r["encrypted"] == encrypted and
                r["metric"] == metric and r["sizeBytes"] == size):
            return r["value"]
    return None


SERIES = [
    ("raw UDP", "raw-udp", "udp", False),
    ("raet4j clear", "raet4j", "udp", False),
    ("raet4j encrypted", "raet4j", "udp", True),
    ("raet4j clear, mmsg", "raet4j", "udp-mmsg", False),
    ("raet4j encrypted, mmsg", "raet4j", "udp-mmsg", True),
    ("raet4j lane (unix)", "raet4j", "lane", False),
    ("raet4j lane (shm)", "raet4j", "shm", False),
    ("Aeron UDP", "aeron", "udp", False),
    ("Aeron IPC", "aeron", "ipc", False),
]


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "msg/s":
        return f"{v / 1e6:.2f} M" if v >= 1e6 else f"{v / 1e3:.0f} k"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def cell(runs, key, unit):
    vals = [value(r, *key) for r in runs]
    present = [v for v in vals if v is not None]
    if not present:
        return "-"
    med = statistics.median(present)
    each = ", ".join(fmt(v, unit) for v in present)
    return f"{fmt(med, unit)} ({each})" if len(present) > 1 else fmt(med, unit)


def ratio(runs, num, den):
    vals = []
    for r in runs:
        a, b = value(r, *num), value(r, *den)
        if a is not None and b:
            vals.append(a / b)
    if not vals:
        return "-"
    return f"{statistics.median(vals):.2f}x ({', '.join(f'{v:.2f}' for v in vals)})"


def main(paths):
    runs = [load(p) for p in paths]
    out = []
    header = "| figure | " + " | ".join(s[0] for s in SERIES) + " |"
    out.append(header)
    out.append("|" + "---|" * (len(SERIES) + 1))
    figures = [
        ("round trip p50, 32 B (us)", "rttP50Us", 32, "us", None),
        ("round trip p50, 1400 B (us)", "rttP50Us", 1400, "us", None),
        ("throughput 32 B, MTU 1408 (msg/s)", "msgsPerSec", 32, "msg/s", None),
        ("throughput 32 B, MTU 8 KiB (msg/s)", "msgsPerSec", 32, "msg/s", "udp mtu 8192"),
        ("throughput 1400 B (msg/s)", "msgsPerSec", 1400, "msg/s", None),
    ]
    for label, metric, size, unit, media_override in figures:
        cells = []
        for name, system, media, enc in SERIES:
            if media_override is not None:
                if system in ("raet4j", "aeron") and media == "udp":
                    cells.append(cell(runs, (system, media_override, enc, metric, size), unit))
                else:
                    cells.append("")
            else:
                cells.append(cell(runs, (system, media, enc, metric, size), unit))
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    raw = ("raw-udp", "udp", False)
    clear = ("raet4j", "udp", False)
    enc = ("raet4j", "udp", True)
    shm = ("raet4j", "shm", False)
    aeron_udp = ("aeron", "udp", False)
    aeron_ipc = ("aeron", "ipc", False)
    goals = [
        ("32 B RTT p50, clear / raw UDP", "at most 1.3x", clear, raw, "rttP50Us", 32),
        ("32 B RTT p50, encrypted / raw UDP", "at most 1.5x", enc, raw, "rttP50Us", 32),
        ("32 B RTT p50, clear / Aeron UDP", "below 1x", clear, aeron_udp, "rttP50Us", 32),
        ("32 B RTT p50, encrypted / Aeron UDP", "below 1x", enc, aeron_udp, "rttP50Us", 32),
        ("1400 B RTT p50, clear / raw UDP", "at most 2x", clear, raw, "rttP50Us", 1400),
        ("1400 B RTT p50, encrypted / clear", "at most 1.2x", enc, clear, "rttP50Us", 1400),
        ("32 B throughput MTU 1408, clear / Aeron UDP", "at least 1x", clear, aeron_udp, "msgsPerSec", 32),
        ("32 B throughput MTU 1408, encrypted / Aeron UDP", "at least 0.8x", enc, aeron_udp, "msgsPerSec", 32),
        ("shm lane 32 B RTT p50 / Aeron IPC", "within 3x (and under 2 us)", shm, aeron_ipc, "rttP50Us", 32),
        ("shm lane 32 B throughput / Aeron IPC", "at least 0.5x", shm, aeron_ipc, "msgsPerSec", 32),
    ]
    out.append("| goal | target | measured (median of per-run ratios; each run) |")
    out.append("|---|---|---|")
    for label, target, num, den, metric, size in goals:
        out.append(f"| {label} | {target} | {ratio(runs, num + (metric, size), den + (metric, size))} |")
    mtu = "udp mtu 8192"
    for label, target, e in [("32 B throughput MTU 8 KiB, clear / Aeron UDP", "at least 1x", False),
                             ("32 B throughput MTU 8 KiB, encrypted / Aeron UDP", "at least 0.8x", True)]:
        out.append(f"| {label} | {target} | "
                   f"{ratio(runs, ('raet4j', mtu, e, 'msgsPerSec', 32), ('aeron', mtu, False, 'msgsPerSec', 32))} |")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1:])
