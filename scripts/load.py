#!/usr/bin/env python3
"""Portcullis under load and faults: 16 console sessions at once, each an administrator doing what
administrators do (list, search, add, edit, grant and revoke, now and then download the activity
log), through the same server functions the browser calls.

Phase 1: one server on SQLite. Phase 2: two replicas on one PostgreSQL database; midway one is
killed with SIGKILL and started again with the same command, and its sessions carry on there
once it answers health again. Per phase: requests/s, p50 and p99 per operation, 5xx, 409
conflicts, and acknowledged writes lost (every add and edit answered 200 is checked in the
database afterwards; each session adds and edits only its own users, so "the last acknowledged
edit" is well defined). Loopback only; everything started is stopped, even on error.

Usage: scripts/load.py [--smoke] [--seconds N] [--bin PATH] [--sessions N] [--logs DIR]
Run by scripts/bench.py as its [load] section (60 s a phase; --smoke: about 4 s a phase).
"""
import argparse, http.client, json, mmap, os, pathlib, random, re, signal, subprocess, sys, tempfile, threading, time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench import ROOT, free_port, pg_available, wait_200  # noqa: E402

ADMIN = "admin@acme.example"            # User Administrator of Acme Retail (server/src/demo.rs)
DEMO_PASSWORD = "portcullis-demo-2026"  # demo::DEMO_PASSWORD
# How often a console session does each thing, out of 100: reading lists most, downloads rarely.
WEIGHTS = {"list": 36, "search": 28, "add": 10, "edit": 12, "grant": 11, "download": 3}
OPS = ["sign_in", "list", "search", "add", "edit", "grant", "download"]
# Server functions the load calls, by module (the module is part of Leptos' default path hash).
MODULES = {"portcullis_app::api": ["sign_in"],
           "portcullis_app::api::people": ["load_directory", "list_users", "add_user", "edit_user"]}
DROPPED = (ConnectionRefusedError, ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected,
           http.client.IncompleteRead, TimeoutError, OSError)


# ---------------------------------------------------------------- server function addresses

def xxh64(data: bytes, seed: int = 0) -> int:
    """XXH64, as server_fn's macro hashes `CARGO_MANIFEST_DIR:module_path` into each path."""
    m = (1 << 64) - 1
    p1, p2, p3, p4, p5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                          0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)
    rotl = lambda x, r: ((x << r) | (x >> (64 - r))) & m  # noqa: E731
    lane = lambda i, w=8: int.from_bytes(data[i:i + w], "little")  # noqa: E731

    def rnd(acc, v):
        return rotl((acc + v * p2) & m, 31) * p1 & m

    n, i = len(data), 0
    if n >= 32:
        v = [(seed + p1 + p2) & m, (seed + p2) & m, seed & m, (seed - p1) & m]
        while i + 32 <= n:
            v = [rnd(v[k], lane(i + 8 * k)) for k in range(4)]
            i += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & m
        for x in v:
            h = ((h ^ rnd(0, x)) * p1 + p4) & m
    else:
        h = (seed + p5) & m
    h = (h + n) & m
    while i + 8 <= n:
        h = (rotl(h ^ rnd(0, lane(i)), 27) * p1 + p4) & m
        i += 8
    if i + 4 <= n:
        h = (rotl(h ^ (lane(i, 4) * p1 & m), 23) * p2 + p3) & m
        i += 4
    while i < n:
        h = rotl(h ^ (data[i] * p5 & m), 11) * p1 & m
        i += 1
    h = (h ^ (h >> 33)) * p2 & m
    h = (h ^ (h >> 29)) * p3 & m
    return h ^ (h >> 32)


def fn_paths(binary: pathlib.Path) -> dict:
    """Each server function's path as `binary` serves it: `/api/<name><hash>` by Leptos' default,
    the hash computed for this checkout and confirmed in the binary's strings; when the binary was
    built elsewhere, the digits the binary holds after the name (shared by a module's functions)."""
    paths = {}
    with open(binary, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for module, names in MODULES.items():
            digest = xxh64(f"{ROOT / 'app'}:{module}".encode())
            if all(data.find(f"/api/{n}{digest}".encode()) >= 0 for n in names):
                paths.update({n: f"/api/{n}{digest}" for n in names})
                continue
            found = [m.group(1).decode() for n in names
                     for m in re.finditer(rb"/api/" + n.encode() + rb"(\d{0,20})", data)]
            if not found:
                sys.exit(f"load: {binary} serves none of {names}")
            common = os.path.commonprefix(found)  # trailing digits of a neighbouring string drop out
            paths.update({n: f"/api/{n}{common}" for n in names})
    return paths


# ---------------------------------------------------------------- servers

class Replica:
    """One `portcullis serve`, its log appended to across restarts."""

    def __init__(self, name, bindir_bin, env, demo, log):
        self.name, self.bin, self.env, self.demo, self.log = name, bindir_bin, env, demo, log
        self.port = free_port()
        self.proc = None
        self.up = threading.Event()
        self.killed_at = None
        self.back_at = None

    def command(self):
        return [str(self.bin), "serve"] + (["--demo"] if self.demo else []) + ["--addr", f"127.0.0.1:{self.port}"]

    def start(self, timeout=120):
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.command(), env=self.env, stdout=out, stderr=out, cwd=ROOT)
        if not wait_200(f"http://127.0.0.1:{self.port}/api/v1/health", time.perf_counter() + timeout):
            raise RuntimeError(f"{self.name} never answered /api/v1/health (log: {self.log})")
        self.back_at = time.perf_counter()
        self.up.set()

    def kill9(self):
        self.up.clear()
        self.killed_at = time.perf_counter()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def server_env(url, tmp):
    site = ROOT / "target" / "site"
    env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn", PORTCULLIS_KEY_FILE=f"{tmp}/load.key",
               LEPTOS_SITE_ROOT=str(site if site.is_dir() else tmp))
    env.pop("PORTCULLIS_ADMIN_EMAIL", None)
    return env


def psql(db, *args, check=True):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", *args],
                          check=check, capture_output=True, text=True).stdout


# ---------------------------------------------------------------- one console session

class Session(threading.Thread):
    """An administrator's browser tab: its own cookie, its own users, its own figures."""

    def __init__(self, sid, replica, paths, run, stop):
        super().__init__(daemon=True)
        self.sid, self.replica, self.paths, self.stop = sid, replica, paths, stop
        self.rng = random.Random(f"{run}-{sid}")
        self.tag = f"load-{run}-s{sid:02d}"
        self.conn = None
        self.cookie = None
        self.pairs = []
        self.users = []                    # [email, id] of acknowledged adds
        self.acked_adds = []
        self.unknown_adds = 0              # 5xx or dropped: may or may not exist
        self.edits = {}                    # email -> [(name, frozenset(pairs), "ack" | "unknown")]
        self.samples = []                  # (start, op, status, ms)
        self.dropped = []                  # (start, op)
        self.transport = []                # (start, op, error) not explained by a kill
        self.conflicts_retried = 0
        self.versioned = False             # rows carried `version`, and edits sent it
        self.short_downloads = 0
        self.other = {}                    # unexpected 4xx codes -> count
        self.error = None

    # -- HTTP
    def request(self, op, path, fields=None, timed=True):
        """(status, parsed body); None when the connection failed (counted here)."""
        body = urllib.parse.urlencode(fields or {})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        t0 = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.replica.port, timeout=60)
            self.conn.request("POST", path, body, headers)
            res = self.conn.getresponse()
            data = res.read()
            status = res.status
        except DROPPED as e:
            if self.conn:
                self.conn.close()
            self.conn = None
            killed, back = self.replica.killed_at, self.replica.back_at
            # Started before its replica came back from a kill: the kill dropped it.
            if killed is not None and (back < killed or t0 < back):
                self.dropped.append((t0, op))
                while not self.stop.is_set() and not self.replica.up.wait(0.2):
                    pass
            else:
                self.transport.append((t0, op, repr(e)))
            return None
        ms = (time.perf_counter() - t0) * 1000
        if timed:
            self.samples.append((t0, op, status, ms))
        if op == "sign_in" and status == 200:
            cookie = next((v for k, v in res.getheaders() if k.lower() == "set-cookie"
                           and v.startswith("portcullis_session=")), None)
            self.cookie = cookie.split(";", 1)[0] if cookie else None
        if op == "download" and status == 200:
            total = int(res.getheader("x-total-rows") or 0)
            if data.count(b"\n") - 1 < total:
                self.short_downloads += 1
            return status, None
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data.decode(errors="replace")
        if 400 <= status < 500 and status != 409:
            code = parsed.get("code") if isinstance(parsed, dict) else str(parsed)[:60]
            self.other[f"{op} {status} {code}"] = self.other.get(f"{op} {status} {code}", 0) + 1
        return status, parsed

    def call(self, op, fn, fields=None, timed=True):
        return self.request(op, self.paths[fn], fields, timed)

    # -- setup, before the clock starts
    def sign_in(self):
        for _ in range(20):
            r = self.call("sign_in", "sign_in", {"email": ADMIN, "password": DEMO_PASSWORD}, timed=False)
            if r and r[0] == 200 and self.cookie:
                break
            time.sleep(1)  # 429 from the sign-in limiter, or the server busy starting
        else:
            raise RuntimeError(f"session {self.sid} could not sign in: {r}")
        r = self.call("list", "load_directory", timed=False)
        if not r or r[0] != 200:
            raise RuntimeError(f"session {self.sid}: load_directory answered {r}")
        self.pairs = [f"{p['id']}/{g['id']}" for p in r[1]["policies"] for g in r[1]["groups"]]

    # -- what an administrator does
    def list_page(self):
        fields = {"search": "", "sort": self.rng.choice(["name", "email", "policy", "last_login"]),
                  "order": self.rng.choice(["asc", "desc"]), "limit": "25"}
        r = self.call("list", "list_users", fields)
        if r and r[0] == 200 and r[1].get("next") and self.rng.random() < 0.4:
            self.call("list", "list_users", dict(fields, after=r[1]["next"]))

    def search(self):
        term = self.rng.choice(["acme", "admin", "load-", self.tag, "nor", "xyz", self.tag + "-u1"])
        self.call("search", "list_users", {"search": term, "sort": "name", "order": "asc", "limit": "25"})

    def add(self):
        n = len(self.acked_adds) + self.unknown_adds + 1
        email = f"{self.tag}-u{n}@acme.example"
        pol, grp = self.rng.choice(self.pairs).split("/")
        r = self.call("add", "add_user", {"name": f"Load {self.sid} user {n}", "email": email,
                                          "policy_id": pol, "group_id": grp, "send_welcome": "false"})
        if r is None or r[0] >= 500:
            self.unknown_adds += 1
        elif r[0] == 200:
            self.acked_adds.append(email)
            self.users.append([email, r[1]["id"]])

    def row_of(self, email):
        r = self.call("search", "list_users", {"search": email, "sort": "email", "order": "asc", "limit": "5"})
        if r and r[0] == 200:
            return next((row for row in r[1]["items"] if row["email"] == email), None)
        return None

    def edit(self, rename):
        """Rename and re-grant (`rename`), or grant or revoke one assignment."""
        if not self.users:
            return self.add()
        email, _ = self.rng.choice(self.users)
        row = self.row_of(email)
        if row is None:
            return
        current = sorted({f"{a['policy_id']}/{a['group_id']}" for a in row["assignments"]})
        if rename:
            name = f"Load {self.sid} {self.rng.randrange(10**6)}"
            pairs = self.rng.sample(self.pairs, self.rng.choice([1, 1, 2]))
        else:
            name = row["name"]
            spare = [p for p in self.pairs if p not in current]
            if len(current) > 1 and (self.rng.random() < 0.5 or not spare):
                victim = self.rng.choice(current)
                pairs = [p for p in current if p != victim]                        # revoke one
            else:
                pairs = current + [self.rng.choice(spare)] if spare else current    # grant one
        op = "edit" if rename else "grant"
        for attempt in range(2):
            fields = {"user_id": row["id"], "name": name, "assignments": ",".join(pairs)}
            if "version" in row:
                fields["version"] = str(row["version"])
                self.versioned = True
            r = self.call(op, "edit_user", fields)
            outcome = "ack" if r and r[0] == 200 else "unknown" if r is None or r[0] >= 500 else None
            if outcome:
                self.edits.setdefault(email, []).append((name, frozenset(pairs), outcome))
            if r is None or r[0] != 409 or attempt:
                return
            self.conflicts_retried += 1    # stale version: reload the row, try once more
            row = self.row_of(email)
            if row is None:
                return

    def download(self):
        self.request("download", "/activity/events.csv")

    def run(self):
        ops = list(WEIGHTS)
        weights = [WEIGHTS[o] for o in ops]
        try:
            while not self.stop.is_set():
                op = self.rng.choices(ops, weights)[0]
                {"list": self.list_page, "search": self.search, "add": self.add, "download": self.download,
                 "edit": lambda: self.edit(True), "grant": lambda: self.edit(False)}[op]()
        except Exception as e:  # a bug in this script, or a body it cannot read: reported, not hidden
            self.error = repr(e)
        finally:
            if self.conn:
                self.conn.close()


# ---------------------------------------------------------------- figures

def pct(sorted_ms, q):
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))] if sorted_ms else float("nan")


def window_figures(label, sessions, t_from, t_to):
    """Prints and returns the figures of requests started in [t_from, t_to)."""
    samples = [s for ses in sessions for s in ses.samples if t_from <= s[0] < t_to]
    seconds = max(t_to - t_from, 1e-9)
    fig = {"seconds": seconds, "requests": len(samples), "rps": len(samples) / seconds,
           "5xx": sum(1 for s in samples if s[2] >= 500), "409": sum(1 for s in samples if s[2] == 409), "ops": {}}
    print(f"[load] {label}: {fig['rps']:,.1f} requests/s ({len(samples):,} in {seconds:.1f} s)")
    for op in OPS[1:]:
        ms = sorted(s[3] for s in samples if s[1] == op)
        if ms:
            fig["ops"][op] = {"n": len(ms), "p50_ms": pct(ms, 0.5), "p99_ms": pct(ms, 0.99)}
            print(f"[load] {label}: {op:<8} p50 {pct(ms, 0.5):8.1f} ms  p99 {pct(ms, 0.99):8.1f} ms  (n={len(ms):,})")
    print(f"[load] {label}: 5xx {fig['5xx']}  (goal 0)")
    versioned = "edits sent the row's version" if any(s.versioned for s in sessions) else "rows carry no version yet"
    print(f"[load] {label}: 409 conflicts {fig['409']}  ({versioned}; a 409 is retried once on a fresh row)")
    return fig


def db_state(backend, target, run):
    """email -> (name, set of policy/group pairs) for this run's users, read from the database."""
    sql = ("SELECT u.email, u.name, COALESCE(a.policy_id || '/' || a.resource_group_id, '') FROM users u "
           f"LEFT JOIN assignments a ON a.user_id = u.id WHERE u.email LIKE 'load-{run}-%'")
    if backend == "sqlite":
        out = subprocess.run(["sqlite3", "-readonly", "-separator", "\t", target, sql],
                             check=True, capture_output=True, text=True).stdout
    else:
        out = psql(target, "-AtF", "\t", "-c", sql)
    state = {}
    for line in out.splitlines():
        email, name, pair = line.split("\t")
        pairs = state.setdefault(email, (name, set()))[1]
        if pair:
            pairs.add(pair)
    return state


def lost_writes(label, sessions, backend, target, run):
    """Acknowledged adds missing from the database, and users whose final name or grants are not
    their last acknowledged edit (or an edit after it whose answer never came: it may have landed)."""
    state = db_state(backend, target, run)
    adds = [e for s in sessions for e in s.acked_adds]
    lost_adds = [e for e in adds if e not in state]
    lost_edits, acked_edits = [], 0
    for s in sessions:
        for email, edits in s.edits.items():
            acks = [i for i, e in enumerate(edits) if e[2] == "ack"]
            acked_edits += len(acks)
            if not acks or email not in state:
                continue
            allowed = [(n, p) for n, p, _ in edits[acks[-1]:]]
            name, pairs = state[email]
            if (name, frozenset(pairs)) not in allowed:
                lost_edits.append((email, (name, sorted(pairs)), (allowed[0][0], sorted(allowed[0][1]))))
    lost = len(lost_adds) + len(lost_edits)
    print(f"[load] {label}: lost acknowledged writes {lost}  (goal 0; checked {len(adds):,} adds, "
          f"{acked_edits:,} edits in {backend})")
    for e in lost_adds[:5]:
        print(f"[load] {label}:   lost add {e}")
    for email, got, want in lost_edits[:5]:
        print(f"[load] {label}:   lost edit {email}: database has {got}, last acknowledged {want}")
    return lost


def problems(label, sessions):
    """Prints what went wrong besides 5xx: failed connections, cut-short downloads, odd 4xx."""
    bad = 0
    transport = [t for s in sessions for t in s.transport]
    short = sum(s.short_downloads for s in sessions)
    errors = [f"session {s.sid}: {s.error}" for s in sessions if s.error]
    print(f"[load] {label}: failed connections (no kill to explain them) {len(transport)}, "
          f"downloads cut short {short}, session errors {len(errors)}  (goal 0)")
    for t in transport[:3]:
        print(f"[load] {label}:   {t[1]}: {t[2]}")
    for e in errors[:3]:
        print(f"[load] {label}:   {e}")
    other = {}
    for s in sessions:
        for k, v in s.other.items():
            other[k] = other.get(k, 0) + v
    if other:
        print(f"[load] {label}: other 4xx answers: " + ", ".join(f"{k} x{v}" for k, v in sorted(other.items())))
    bad += len(transport) + short + len(errors)
    return bad


def start_sessions(replicas, paths, run, n):
    stop = threading.Event()
    sessions = [Session(i, replicas[i % len(replicas)], paths, run, stop) for i in range(n)]
    # One at a time: the sign-in limiter counts an attempt before its password is checked and
    # forgets it once it succeeds, so concurrent sign-ins to one account could trip it.
    for s in sessions:
        s.sign_in()
    return stop, sessions


def finish(stop, sessions):
    stop.set()
    for s in sessions:
        s.join(timeout=120)


# ---------------------------------------------------------------- phases

def run_tag():
    """Marks this run's users (their emails start `load-<tag>-`), so the check reads only them."""
    return f"{os.getpid() % 10000:04d}{random.randrange(16**4):04x}"


def sqlite_phase(binary, paths, seconds, n, tmp, logs):
    run = run_tag()
    db = f"{tmp}/load.db"
    replica = Replica("sqlite", binary, server_env(f"sqlite://{db}?mode=rwc", tmp), True, logs / "sqlite.log")
    label = f"sqlite, 1 server, {n} sessions"
    stop, sessions = None, []
    try:
        replica.start()
        stop, sessions = start_sessions([replica], paths, run, n)
        t0 = time.perf_counter()
        for s in sessions:
            s.start()
        time.sleep(seconds)
        t1 = time.perf_counter()
        finish(stop, sessions)
    finally:
        if stop:
            stop.set()
        replica.stop()
    fig = window_figures(label, sessions, t0, t1)
    fig["lost"] = lost_writes(label, sessions, "sqlite", db, run)
    fig["conflict_retries"] = sum(s.conflicts_retried for s in sessions)
    fig["problems"] = problems(label, sessions)
    return fig


def postgres_phase(binary, paths, seconds, n, tmp, logs):
    run = run_tag()
    name = f"portcullis_load_{os.getpid()}"
    env = server_env(f"postgres://postgres@127.0.0.1:5432/{name}", tmp)
    a = Replica("postgres-a", binary, env, True, logs / "postgres-a.log")
    b = Replica("postgres-b", binary, env, False, logs / "postgres-b.log")
    label = f"postgres, 2 replicas, {n} sessions"
    stop, sessions = None, []
    psql("postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql("postgres", "-qc", f"CREATE DATABASE {name}")
    try:
        try:
            a.start()          # --demo: loads the demo, and creates the key file both replicas share
            b.start()
            stop, sessions = start_sessions([a, b], paths, run, n)
            t0 = time.perf_counter()
            for s in sessions:
                s.start()
            time.sleep(seconds / 2)
            a.kill9()
            a.start()          # the same command again
            t_back = time.perf_counter()
            time.sleep(seconds / 2)
            t1 = time.perf_counter()
            finish(stop, sessions)
        finally:
            if stop:
                stop.set()
            for r in (a, b):
                r.stop()
        before = window_figures(f"{label}, before the kill", sessions, t0, a.killed_at)
        print(f"[load] {label}: SIGKILL to replica a, back answering health after {t_back - a.killed_at:.2f} s")
        dropped = [d for s in sessions for d in s.dropped]
        outage = [x for s in sessions for x in s.samples if a.killed_at <= x[0] < t_back]
        print(f"[load] {label}: requests dropped by the kill {len(dropped)}; "
              f"served by replica b while a was down {len(outage)}, 5xx among them {sum(x[2] >= 500 for x in outage)}")
        after = window_figures(f"{label}, after the restart", sessions, t_back, t1)
        lost = lost_writes(label, sessions, "postgres", name, run)
        bad = problems(label, sessions)
    finally:
        psql("postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)
    return {"before": before, "after": after, "dropped_by_kill": len(dropped), "restart_s": t_back - a.killed_at,
            "outage_5xx": sum(x[2] >= 500 for x in outage), "lost": lost,
            "conflict_retries": sum(s.conflicts_retried for s in sessions), "problems": bad}


def load_figures(bindir, smoke, seconds=None, binary=None, sessions=16, logs=None):
    """The [load] section of the benchmarks. Returns (figures, failed): failed when any 5xx, lost
    write or unexplained failure was seen (correctness; speed is never judged here)."""
    binary = pathlib.Path(binary or pathlib.Path(bindir) / "portcullis")
    seconds = seconds or (4 if smoke else 60)
    logs = pathlib.Path(logs or tempfile.mkdtemp(prefix="portcullis-load-"))
    logs.mkdir(parents=True, exist_ok=True)
    print(f"\n[load] {sessions} console sessions as {ADMIN}, {seconds} s a phase; mix (of 100): "
          + ", ".join(f"{k} {v}" for k, v in WEIGHTS.items()))
    print(f"[load] goals: 5xx = 0, lost acknowledged writes = 0 (rps and latency reported, not judged);"
          f" server logs in {logs}")
    paths = fn_paths(binary)
    result, failed = {}, False
    with tempfile.TemporaryDirectory(prefix="portcullis-load-") as tmp:
        result["sqlite"] = r = sqlite_phase(binary, paths, seconds, sessions, tmp, logs)
        failed |= bool(r["5xx"] or r["lost"] or r["problems"])
    if pg_available():
        with tempfile.TemporaryDirectory(prefix="portcullis-load-") as tmp:
            result["postgres"] = r = postgres_phase(binary, paths, seconds, sessions, tmp, logs)
            failed |= bool(r["before"]["5xx"] or r["after"]["5xx"] or r["outage_5xx"] or r["lost"] or r["problems"])
    else:
        print("[load] postgres phase skipped: no PostgreSQL answers on 127.0.0.1:5432")
    return result, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true", help="about 4 s a phase on the debug build; exit 1 on 5xx or lost writes")
    ap.add_argument("--seconds", type=float, help="length of each phase (default 60, smoke 4)")
    ap.add_argument("--bin", help="the portcullis binary (default target/release/portcullis, smoke target/debug)")
    ap.add_argument("--sessions", type=int, default=16)
    ap.add_argument("--logs", help="folder for the servers' output (default a new one under the temp folder)")
    args = ap.parse_args()
    bindir = ROOT / "target" / ("debug" if args.smoke else "release")
    _, failed = load_figures(bindir, args.smoke, args.seconds, args.bin, args.sessions, args.logs)
    if failed:
        print("[load] FAILED: 5xx, lost writes or failed connections (see above)")
        sys.exit(1)


if __name__ == "__main__":
    main()
