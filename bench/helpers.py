#!/usr/bin/env python3
"""Small tools for bench/run (Python 3.11 standard library only).

    helpers.py free-port
    helpers.py csrf-token                       < login.html
    helpers.py follow BASE COOKIE DEPTH BUDGET_S
    helpers.py looks-filtered FULL.html TERM.html NONSENSE.html
    helpers.py keepalive BASE PATH COUNT
    helpers.py wrk PREFIX                       < wrk-output.txt
    helpers.py load ID SERVER_PID OUTPUT CMD... (runs wrk, accounts for the machine's CPU)
    helpers.py pg-url URL DBNAME
    helpers.py sample-name SQLITE_FILE
    helpers.py report RESULTS_FILE

Every subcommand that reports prints KEY=VALUE lines, which bench/run appends to its results
file; `report` turns that file into the Markdown tables.
"""

import http.client
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from html.parser import HTMLParser


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        print(sock.getsockname()[1])


class _Scan(HTMLParser):
    """Finds the csrf_token input and the rel="next" link of a page."""

    def __init__(self):
        super().__init__()
        self.csrf = None
        self.next = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token" and self.csrf is None:
            self.csrf = attrs.get("value") or ""
        if tag in ("a", "link") and self.next is None:
            if "next" in (attrs.get("rel") or "").split() and attrs.get("href"):
                self.next = attrs["href"]


def scan(html):
    parser = _Scan()
    parser.feed(html)
    parser.close()
    return parser


def csrf_token():
    token = scan(sys.stdin.read()).csrf
    if not token:
        sys.exit("no csrf_token input on the login page")
    print(token)


def _connection(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=120)


def follow(base, cookie, depth, budget_s):
    """Follows rel="next" from /contacts (page 1) until page DEPTH, the last page or the time
    budget, on one keep-alive connection, keeping the session cookie up to date."""
    depth, budget_s = int(depth), float(budget_s)
    conn = _connection(base)
    path, page, started = "/contacts", 1, time.monotonic()
    last_report = started
    while True:
        conn.request("GET", path, headers={"Cookie": f"portico_session={cookie}"})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        if response.status != 200:
            sys.exit(f"page {page} ({path}) answered {response.status}")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("portico_session="):
                cookie = value.split(";", 1)[0].split("=", 1)[1]
        elapsed = time.monotonic() - started
        href = scan(body).next
        reason = None
        if page >= depth:
            reason = "requested depth"
        elif not href:
            reason = "last page"
        elif elapsed >= budget_s:
            reason = f"time budget of {budget_s:.0f} s"
        if reason:
            break
        if time.monotonic() - last_report >= 15:
            last_report = time.monotonic()
            print(f"  ... page {page} after {elapsed:.0f} s ({page / elapsed:.0f} pages/s)",
                  file=sys.stderr, flush=True)
        path = urllib.parse.urljoin(path, href)
        page += 1
    conn.close()
    print(f"deep_page={page}")
    print(f"deep_path={path}")
    print(f"deep_stop={reason}")
    print(f"deep_walk_s={elapsed:.1f}")
    print(f"deep_walk_ms_per_page={elapsed * 1000 / page:.1f}")
    print(f"deep_cookie={cookie}")


def _count_rows(html):
    return len(re.findall(r"<tr[\s>]", html))


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def looks_filtered(full_path, term_path, nonsense_path):
    """Exit 0 when a search for a name that does not exist shows fewer rows than the unfiltered
    list: a `q` the page silently ignores would otherwise be measured as if search existed.
    Prints whether the real term's page lists more rows than the nonsense one."""
    full, term, nonsense = _read(full_path), _read(term_path), _read(nonsense_path)
    full_rows, term_rows, nonsense_rows = map(_count_rows, (full, term, nonsense))
    print(f"search_matches={'yes' if term_rows > nonsense_rows else 'no'}")
    if full_rows:
        sys.exit(0 if nonsense_rows < full_rows else 1)
    sys.exit(0 if len(nonsense) < 0.5 * len(full) else 1)


def keepalive(base, path, count):
    """Times COUNT sequential GETs on one TCP connection (opened before the clock starts)."""
    count = int(count)
    conn = _connection(base)
    conn.connect()
    local_ports, times_ms = set(), []
    for _ in range(count):
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        times_ms.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            sys.exit(f"{path} answered {response.status}")
        local_ports.add(conn.sock.getsockname()[1] if conn.sock else None)
    conn.close()
    print(f"ka_first_ms={times_ms[0]:.3f}")
    print(f"ka_rest_median_ms={statistics.median(times_ms[1:]):.3f}")
    print(f"ka_rest_max_ms={max(times_ms[1:]):.3f}")
    print(f"ka_requests={count}")
    print(f"ka_connections={len(local_ports)}")


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"unrecognised wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def wrk(prefix):
    """Parses wrk --latency output from stdin into PREFIX_* values."""
    out = sys.stdin.read()
    values = {}
    rps = re.search(r"^Requests/sec:\s*([\d.]+)", out, re.M)
    if not rps:
        sys.exit(f"no Requests/sec in wrk output:\n{out}")
    values["rps"] = f"{float(rps.group(1)):.1f}"
    for pct in ("50", "75", "90", "99"):
        line = re.search(rf"^\s*{pct}(?:\.0+)?%\s+(\S+)", out, re.M)
        values[f"p{pct}_ms"] = f"{_ms(line.group(1)):.3f}" if line else ""
    requests = re.search(r"^\s*(\d+) requests in", out, re.M)
    values["requests"] = requests.group(1) if requests else ""
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    values["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    values["timeouts"] = errors.group(4) if errors else 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    values["non2xx"] = non2xx.group(1) if non2xx else 0
    for key, value in values.items():
        print(f"{prefix}_{key}={value}")


def _machine_ticks():
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def _process_ticks(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def load(run_id, server_pid, output, *command):
    """Runs the load generator, then reports the share of the machine's CPU that the server,
    the load generator and everything else used meanwhile: on a small machine anything else
    busy (a build, a test run) skews the numbers, and this says by how much."""
    # PostgreSQL backends serving the benchmark's database (BENCH_DB_PIDS, comma-separated)
    # do the server's database work in other processes; they are counted apart.
    db_pids = [pid for pid in os.environ.get("BENCH_DB_PIDS", "").split(",") if pid]

    def db_ticks():
        ticks = {}
        for pid in db_pids:
            try:
                ticks[pid] = _process_ticks(pid)
            except OSError:
                pass
        return ticks

    busy0, total0 = _machine_ticks()
    server0, db0 = _process_ticks(server_pid), db_ticks()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(output, "w", encoding="utf-8") as out:
        status = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, total1 = _machine_ticks()
    server1, db1 = _process_ticks(server_pid), db_ticks()
    hz = os.sysconf("SC_CLK_TCK")
    total = max(total1 - total0, 1)
    server = server1 - server0
    db = sum(db1[pid] - db0[pid] for pid in db1 if pid in db0)
    load_gen = ((children1.ru_utime - children0.ru_utime)
                + (children1.ru_stime - children0.ru_stime)) * hz
    other = max(busy1 - busy0 - server - db - load_gen, 0)
    print(f"{run_id}_cpu_server_pct={100 * server / total:.0f}")
    if db_pids:
        print(f"{run_id}_cpu_db_pct={100 * db / total:.0f}")
    print(f"{run_id}_cpu_wrk_pct={100 * load_gen / total:.0f}")
    print(f"{run_id}_cpu_other_pct={100 * other / total:.0f}")
    sys.exit(status)


def pg_url(url, dbname):
    parts = urllib.parse.urlsplit(url)
    print(urllib.parse.urlunsplit(parts._replace(path="/" + dbname)))


def sample_name(sqlite_file):
    """A contact name from the middle of the table (SQLite), read with the stdlib module."""
    import sqlite3

    conn = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    (count,) = conn.execute("SELECT count(*) FROM contacts").fetchone()
    row = conn.execute("SELECT name FROM contacts ORDER BY id LIMIT 1 OFFSET ?",
                       (count // 2,)).fetchone()
    conn.close()
    print(row[0] if row else "")


# ---------------------------------------------------------------------------------------------
# The report


def _load(path):
    results = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                key, value = line.split("=", 1)
                results[key] = value
    return results


def _f(results, key):
    value = results.get(key, "")
    try:
        return float(value)
    except ValueError:
        return None


def _rps(value):
    return f"{value:,.0f} rps" if value is not None else "?"


def _lat(results, prefix):
    p50, p99 = _f(results, f"{prefix}_p50_ms"), _f(results, f"{prefix}_p99_ms")
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms" if p50 is not None and p99 is not None else ""


def _ratio(value, base, name):
    if not value or not base:
        return ""
    ratio = value / base
    return f" ({ratio:.{2 if ratio >= 0.1 else 3}f}×{name})"


def _verdict(failed, unknown=False):
    if unknown:
        return "n/a"
    return "pass" if not failed else "**FAIL** (" + ", ".join(failed) + ")"


def report(path):
    r = _load(path)
    r0 = _f(r, "R0_rps")
    rows = []

    rows.append(("R0", "GET /healthz (no I/O): the ceiling", "baseline",
                 f"{_rps(r0)}; {_lat(r, 'R0')}", "—"))

    p1 = _f(r, "P1_rps")
    p1_p99 = _f(r, "P1_p99_ms")
    failed = []
    if p1 is None or r0 is None or p1 < 0.20 * r0:
        failed.append("rps")
    if p1_p99 is None or p1_p99 > 25:
        failed.append("p99")
    ratio = _ratio(p1, r0, "R0")
    rows.append(("P1", "GET /contacts, first page (signed in)",
                 f"rps ≥ 0.20×R0 (≥ {0.2 * r0:,.0f}) and p99 ≤ 25 ms" if r0 else
                 "rps ≥ 0.20×R0 and p99 ≤ 25 ms",
                 f"{_rps(p1)}{ratio}; {_lat(r, 'P1')}", _verdict(failed)))

    p2 = _f(r, "P2_rps")
    depth = r.get("deep_page", "?")
    how = f"page {depth} ({r.get('deep_stop', '')}, reached by following rel=next)"
    failed = [] if p2 is not None and p1 and p2 >= 0.8 * p1 else ["rps"]
    ratio = _ratio(p2, p1, "P1")
    rows.append(("P2", f"GET /contacts deep: {how}",
                 f"rps ≥ 0.8×P1 (≥ {0.8 * p1:,.0f})" if p1 else "rps ≥ 0.8×P1",
                 f"{_rps(p2)}{ratio}; {_lat(r, 'P2')}", _verdict(failed)))

    term = r.get("search_term", "")
    if r.get("search") == "yes":
        p50 = _f(r, "P3_p50_ms")
        failed = [] if p50 is not None and p50 <= 20 else ["p50"]
        note = "" if r.get("search_matches") == "yes" else " (the term matched nothing)"
        rows.append(("P3", f"GET /contacts?q={term}{note}",
                     "p50 ≤ 20 ms; ratio to a no-index baseline: baseline n/a",
                     f"{_rps(_f(r, 'P3_rps'))}; {_lat(r, 'P3')}", _verdict(failed)))
    else:
        rows.append(("P3", f"GET /contacts?q={term}",
                     "p50 ≤ 20 ms; ratio to a no-index baseline: baseline n/a",
                     f"n/a ({r.get('search_reason', 'search not available')})", "n/a"))

    idle, peak = _f(r, "rss_idle_mib"), _f(r, "rss_peak_mib")
    failed = []
    if idle is None or idle > 64:
        failed.append("idle")
    if peak is None or peak > 256:
        failed.append("under load")
    rows.append(("P7", "server resident memory (VmRSS idle after start, VmHWM after all load)",
                 "≤ 64 MiB idle, ≤ 256 MiB under load",
                 f"idle {idle:.1f} MiB, peak {peak:.1f} MiB" if idle and peak else "?",
                 _verdict(failed)))

    seed_s, contacts = _f(r, "seed_s"), int(r.get("contacts", "0"))
    measured = f"{seed_s:.{1 if seed_s >= 10 else 2}f} s for {contacts:,} contacts " \
        f"({contacts / seed_s:,.0f}/s)" if seed_s else "?"
    if contacts == 1_000_000:
        verdict = _verdict([] if seed_s is not None and seed_s <= 20 else ["time"])
    else:
        if seed_s:
            measured += f"; linear extrapolation to 1M: {seed_s * 1_000_000 / contacts:.0f} s"
        verdict = "n/a (target is for 1M)"
    rows.append(("P8", f"seed {contacts:,} contacts (`portico seed`, wall time incl. start-up)",
                 "≤ 20 s for 1M", measured, verdict))

    p9 = _f(r, "P9_rps")
    first, rest = _f(r, "ka_first_ms"), _f(r, "ka_rest_median_ms")
    failed = []
    if p9 is None or r0 is None or p9 < 0.5 * r0:
        failed.append("rps")
    # "About as fast": the later requests within 2× the first (or under 1 ms), never the
    # ~40 ms of a Nagle/delayed-ACK stall.
    if first is None or rest is None or rest > max(2 * first, 1.0) \
            or r.get("ka_connections") != "1":
        failed.append("keep-alive")
    ratio = _ratio(p9, r0, "R0")
    rows.append(("P9", "GET /static/portico.css",
                 (f"rps ≥ 0.5×R0 (≥ {0.5 * r0:,.0f}); " if r0 else "rps ≥ 0.5×R0; ")
                 + "keep-alive: later requests about as fast as the first",
                 f"{_rps(p9)}{ratio}; {_lat(r, 'P9')}; one connection, "
                 f"{r.get('ka_requests', '?')} GETs: first {first:.3f} ms, median of the rest "
                 f"{rest:.3f} ms" if first is not None and rest is not None else "?",
                 _verdict(failed)))

    print("| id | what | target | measured | result |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")

    print()
    print("wrk runs (`" + r.get("wrk_cmd", "wrk") + "`):")
    print()
    shares = ("server", "db", "wrk", "other") if any(
        key.endswith("_cpu_db_pct") for key in r) else ("server", "wrk", "other")
    print("| run | path | requests | rps | p50 ms | p75 ms | p90 ms | p99 ms | "
          f"socket errors | non-2xx/3xx | CPU {' / '.join(shares)} |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in ("R0", "P9", "P1", "P2", "P3"):
        if f"{run}_rps" not in r:
            continue
        cells = [run, f"`{r.get(run + '_path', '')}`", r.get(f"{run}_requests", ""),
                 f"{float(r[run + '_rps']):,.0f}"]
        cells += [r.get(f"{run}_p{p}_ms", "") for p in ("50", "75", "90", "99")]
        cells += [str(r.get(f"{run}_socket_errors", "")), str(r.get(f"{run}_non2xx", ""))]
        cells.append(" / ".join(f"{r.get(f'{run}_cpu_{who}_pct', '?')}%"
                                for who in shares))
        print("| " + " | ".join(cells) + " |")
    print()
    print("CPU shares are of the whole machine (100% = every core busy) during each run"
          + ("; db = the PostgreSQL backends serving the benchmark's database." if "db" in shares
             else "."))
    busy = [run for run in ("R0", "P9", "P1", "P2", "P3")
            if (_f(r, f"{run}_cpu_other_pct") or 0) >= 10]
    if busy:
        print()
        print(f"**Warning:** other processes used ≥ 10% of the machine's CPU during "
              f"{', '.join(busy)}; those numbers may be low. Re-run on a quiet machine.")


COMMANDS = {
    "free-port": free_port,
    "csrf-token": csrf_token,
    "follow": follow,
    "looks-filtered": looks_filtered,
    "keepalive": keepalive,
    "wrk": wrk,
    "load": load,
    "pg-url": pg_url,
    "sample-name": sample_name,
    "report": report,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
