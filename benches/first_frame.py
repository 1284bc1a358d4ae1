#!/usr/bin/env python3
"""Start-up to the first frame on screen, measured from outside the process.

    cargo build --release
    python3 benches/first_frame.py [--postings 100000] [--runs 10] [--renderer software|opengl|both]

A configured kiosk (not the demo) with N cached postings starts on a
virtual X display (Xvfb, 1080x1920 portrait) with
KIOSK_EXIT_AFTER_FIRST_FRAME=1: at its first frame it prints the wall-clock
time of that moment and exits. The figure is that time minus the time just
before the process was spawned: exec, dynamic linking, configuration,
opening the database, building the window and drawing it, all included.
Each run is also wrapped in /usr/bin/time -v for the peak resident memory.
Prints the median, minimum and maximum of each. docs/performance.md.

The OpenGL runs need Mesa (`apt-get install libgl1-mesa-dri libegl1`); on
this machine that is llvmpipe, OpenGL drawn by the processor, so it says
little about a Pi's GPU except that the path works and what it costs here.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KIOSK = os.path.join(ROOT, "target", "release", "kiosk")


def xvfb(width, height):
    r, w = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    number = b""
    while not number.endswith(b"\n"):
        c = os.read(r, 1)
        if not c:
            sys.exit("Xvfb did not start")
        number += c
    os.close(r)
    return proc, ":" + number.decode().strip()


def prepare(dir, postings):
    data = os.path.join(dir, "data")
    cfg = os.path.join(dir, "kiosk.toml")
    with open(cfg, "w") as f:
        f.write(f"""[station]
id = "bench-01"
name = "测速驿站"
latitude = 24.4945
longitude = 118.1326

[storage]
data_dir = "{data}"

[reader]
port = "{dir}/no-reader"

[printer]
port = "none"
""")
    env = dict(os.environ, KIOSK_CONFIG=cfg)
    out = os.path.join(dir, "gen")
    subprocess.run([KIOSK, "demo", "generate", "--place", "xiamen-huli", "--postings", str(postings),
                    "--courses", "0", "--seed", "7", "--out", out], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    files = [os.path.join(out, f) for f in sorted(os.listdir(out)) if "posting" in f]
    subprocess.run([KIOSK, "import", *files], env=env, check=True, stdout=subprocess.DEVNULL)
    return cfg


def run_once(cfg, display, renderer):
    env = {"PATH": "/usr/bin:/bin", "HOME": os.path.dirname(cfg), "KIOSK_CONFIG": cfg, "DISPLAY": display,
           "KIOSK_EXIT_AFTER_FIRST_FRAME": "1", "KIOSK__SCREEN__RENDERER": renderer}
    before = time.time()
    p = subprocess.run(["/usr/bin/time", "-v", KIOSK], env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"kiosk failed:\n{p.stdout}\n{p.stderr}")
    at = re.search(r"first frame after ([\d.]+) ms at ([\d.]+)", p.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    if not at or not rss:
        sys.exit(f"no figures in:\n{p.stderr}")
    from_spawn_ms = (float(at.group(2)) - before) * 1e3
    return from_spawn_ms, float(at.group(1)), int(rss.group(1)) / 1024


def summary(name, values, unit):
    return (f"  {name}: median {statistics.median(values):.0f} {unit} "
            f"(min {min(values):.0f}, max {max(values):.0f}, n={len(values)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--renderer", default="both", choices=["software", "opengl", "both"])
    a = ap.parse_args()
    if not os.path.exists(KIOSK):
        sys.exit("build first: cargo build --release")
    renderers = ["software", "opengl"] if a.renderer == "both" else [a.renderer]
    server, display = xvfb(1080, 1920)
    try:
        with tempfile.TemporaryDirectory() as dir:
            cfg = prepare(dir, a.postings)
            print(f"{a.postings} postings cached; Xvfb {display} 1080x1920")
            for r in renderers:
                run_once(cfg, display, r)  # warm the page cache once
                runs = [run_once(cfg, display, r) for _ in range(a.runs)]
                print(f"renderer {r}:")
                print(summary("process start to first frame", [x[0] for x in runs], "ms"))
                print(summary("in-process (from main) to first frame", [x[1] for x in runs], "ms"))
                print(summary("peak RSS", [x[2] for x in runs], "MB"))
    finally:
        server.kill()


if __name__ == "__main__":
    main()
