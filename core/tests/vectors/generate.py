#!/usr/bin/env python3
"""Writes the shared vector files that hold values computed outside core, and checks them.

    python3 core/tests/vectors/generate.py          # check: every file matches, byte for byte
    python3 core/tests/vectors/generate.py --write  # rewrite them after changing a case here

The expected values are computed here with Python's standard library (hashlib, hmac, base64,
datetime), independently of core's Rust, so core's tests compare it with a second
implementation instead of with its own earlier output. Cases written by hand are literals below.
Only the standard library is used, so any Python 3.8+ runs it.

apps.json         the catalog and presets are read out of sources/app-permissions-reference.txt
                  (the seed's permission reference); Basic credentials by base64
audit.json        chain hashes by hashlib (the encoding described at chain_hash below);
                  download file names and CSV times by datetime
authorizations.json  Basic credentials by base64, HMAC signatures by hmac, metric buckets by
                  datetime
providers.json    hand-written cases; service-account keys serialised by json
foundation.json   hand-written (not rewritten); its ids' encodings are checked value for value
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import math
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
NOW_MS = 1764000000000


# ---- apps.json ---------------------------------------------------------------------------


def seed_catalog_and_presets():
    """The 25 permissions (code, scope, description) and the four common combinations."""
    text = (HERE / "sources" / "app-permissions-reference.txt").read_text(encoding="utf-8")
    catalog, presets = [], []
    lines = text.splitlines()
    scope = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == "Account Permissions¶":
            scope = "Account"
        elif line == "Agency Permissions¶":
            scope = "Agency"
        elif line == "Common Permission Combinations¶":
            scope = "presets"
        elif scope in ("Account", "Agency") and re.fullmatch(r"(account|agency)\.\w+ \|", line):
            # A table row is split over two lines: "code |" then "description |".
            description = lines[i + 1]
            assert description.endswith(" |"), description
            catalog.append(
                {"code": line[:-2], "scope": scope, "description": description[:-2]}
            )
            i += 1
        elif scope == "presets" and line.endswith("¶"):
            # The combination's pairs run together on one line: "code- reasoncode- reason".
            pairs = re.findall(
                r"((?:account|agency)\.[A-Za-z]+)- (.*?)(?=(?:account|agency)\.[A-Za-z]+- |$)",
                lines[i + 1],
            )
            presets.append({"name": line[:-1], "permissions": [list(p) for p in pairs]})
            i += 1
        i += 1
    assert len(catalog) == 25 and len(presets) == 4, (len(catalog), len(presets))
    return catalog, presets


def basic(pair, padded=True):
    encoded = base64.b64encode(pair.encode()).decode()
    return "Basic " + (encoded if padded else encoded.rstrip("="))


def apps():
    catalog, presets = seed_catalog_and_presets()
    t1, t2, t3 = (f"tnt_06f0a8q3v5m2k7x1c9d4e8b0t{n}" for n in (1, 2, 3))
    j1, j2 = "ins_06f0a8q3v5m2k7x1c9d4e8b0j1", "ins_06f0a8q3v5m2k7x1c9d4e8b0j2"
    a1 = "agc_06f0a8q3v5m2k7x1c9d4e8b0a1"
    return {
        "catalog": catalog,
        "presets": presets,
        "authorization": [
            {"header": "Bearer pct_abc:s3cret", "ok": ["pct_abc", "s3cret"]},
            {"header": "bearer   pct_abc:s3:cret ", "ok": ["pct_abc", "s3:cret"]},
            {"header": basic("pct_x1:secret-value"), "ok": ["pct_x1", "secret-value"]},
            # Without base64's padding, which the parser must accept too.
            {"header": basic("pct_x12:ab", padded=False), "ok": ["pct_x12", "ab"]},
            {"header": basic("pct_x123:abc"), "ok": ["pct_x123", "abc"]},
            {"header": "Bearer pct_abc", "err": "unauthenticated"},
            {"header": "Bearer tok_abc:secret", "err": "unauthenticated"},
            {"header": "Bearer pct_abc:", "err": "unauthenticated"},
            {"header": "Token pct_abc:s", "err": "unauthenticated"},
            {"header": "Basic ***", "err": "unauthenticated"},
            {"header": "pct_abc:s", "err": "unauthenticated"},
        ],
        "access": {
            "app_permissions": [
                "account.viewCampaigns",
                "account.createCampaigns",
                "agency.updateDeleteAllAgencyAccounts",
                "agency.viewBoards",
                "account.viewAnalytics",
            ],
            "installs": [
                {
                    "id": j1,
                    "target": {"Tenant": t1},
                    "granted": ["account.viewCampaigns", "account.editCampaigns"],
                },
                {
                    "id": j2,
                    "target": {"Agency": a1},
                    "granted": ["agency.updateDeleteAllAgencyAccounts", "agency.viewBoards"],
                },
            ],
            "agency_tenants": [[a1, t2]],
        },
        "decisions": [
            {"permission": "account.viewCampaigns", "target": {"Tenant": t1}, "allowed": True,
             "reason": {"Granted": {"install": j1}}},
            {"permission": "account.createCampaigns", "target": {"Tenant": t1}, "allowed": False,
             "reason": "AwaitingApproval", "status": 403},
            {"permission": "account.editCampaigns", "target": {"Tenant": t1}, "allowed": False,
             "reason": "NoLongerRequested", "status": 403},
            {"permission": "account.viewFeeds", "target": {"Tenant": t1}, "allowed": False,
             "reason": "NotGranted", "status": 403},
            {"permission": "agency.viewBoards", "target": {"Tenant": t1}, "allowed": False,
             "reason": "WrongScope", "status": 403},
            {"permission": "account.viewFeeds", "target": {"Tenant": t2}, "allowed": True,
             "reason": {"ViaAgency": {"install": j2, "agency": a1}}},
            {"permission": "account.viewCampaigns", "target": {"Tenant": t3}, "allowed": False,
             "reason": "NotInstalled", "status": 404},
            {"permission": "agency.viewBoards", "target": {"Agency": a1}, "allowed": True,
             "reason": {"Granted": {"install": j2}}},
            {"permission": "agency.viewAccounts", "target": {"Agency": a1}, "allowed": False,
             "reason": "NotGranted", "status": 403},
            {"permission": "account.view", "target": {"Agency": a1}, "allowed": False,
             "reason": "WrongScope", "status": 403},
        ],
    }


# ---- audit.json --------------------------------------------------------------------------

GENESIS = "0" * 64
CHAIN_FIELDS = [
    "id", "tenant_id", "seq", "event_type", "happened_at_ms", "recorded_at_ms", "principal_id",
    "principal_name", "principal_email", "source", "object_id", "object_name", "origin_ip",
]


def chain_hash(prev, event):
    """SHA-256 over the tag "portcullis/activity-chain/v1", then the previous hash and each
    field in CHAIN_FIELDS' order: an absent field is the byte 0; a present one is the byte 1,
    its length as a big-endian u64, and its bytes (UTF-8 text; integers as big-endian i64)."""
    h = hashlib.sha256(b"portcullis/activity-chain/v1")

    def field(value):
        if value is None:
            h.update(b"\x00")
            return
        data = value.to_bytes(8, "big", signed=True) if isinstance(value, int) else value.encode()
        h.update(b"\x01" + len(data).to_bytes(8, "big") + data)

    field(prev)
    for name in CHAIN_FIELDS:
        field(event[name])
    return h.hexdigest()


def chained(events):
    out, prev = [], GENESIS
    for event in events:
        prev = chain_hash(prev, event)
        out.append({"event": event, "hash": prev})
    return out


def event(**fields):
    return {name: fields[name] for name in CHAIN_FIELDS}


def utc(ms):
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)


def csv_time(ms):
    t = utc(ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def file_name(now):
    t = dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
    # Unix time in whole seconds, rounded down as chrono's `timestamp` does.
    return f"events-{t:%Y-%m-%d}-{math.floor(t.timestamp())}.csv"


def audit():
    tenant = "tnt_06f0a8q3v5m2k7x1c9d4e8b0tb"
    ada = dict(principal_id="usr_06f0a8q3v5m2k7x1c9d4e8b0tc", principal_name="Ada Admin",
               principal_email="admin@acme.example", source="console")
    bo = "usr_06f0a8q3v5m2k7x1c9d4e8b0td"
    return {
        "chain": chained([
            event(id="evt_06f0a8q3v5m2k7x1c9d4e8b0ta", tenant_id=tenant, seq=1,
                  event_type="user/create", happened_at_ms=1795000000000,
                  recorded_at_ms=1795000000003, **ada, object_id=bo,
                  object_name="Bo Brand <bo@acme.example>", origin_ip="127.0.0.1"),
            event(id="evt_06f0a8q3v5m2k7x1c9d4e8b0te", tenant_id=tenant, seq=2,
                  event_type="policy/grant", happened_at_ms=1795000000100,
                  recorded_at_ms=1795000000100, **ada, object_id=bo,
                  object_name="Data Admin on Brand A to bo@acme.example", origin_ip=None),
            event(id="evt_06f0a8q3v5m2k7x1c9d4e8b0tf", tenant_id=tenant, seq=3,
                  event_type="pii/view", happened_at_ms=1795000000200,
                  recorded_at_ms=1795000000201, principal_id="bot_06f0a8q3v5m2k7x1c9d4e8b0tg",
                  principal_name="pcb_live_…7f3a", principal_email=None, source="api",
                  object_id=None, object_name="", origin_ip="::1"),
        ]),
        # Platform events have no tenant; a negative time and text that needs escaping.
        "platform": chained([
            event(id="evt_06f0a8q3v5m2k7x1c9d4e8b0th", tenant_id=None, seq=1,
                  event_type="operator/create", happened_at_ms=0, recorded_at_ms=-5,
                  principal_id="system", principal_name='Ünïcødé, "quoted"\nline',
                  principal_email=None, source="cli", object_id=None, object_name=None,
                  origin_ip=None),
        ]),
        "event_type": [
            {"input": "policy/grant", "ok": True},
            {"input": "query.exec/download", "ok": True},
            {"input": "user_1/create-x", "ok": True},
            {"input": "policy", "ok": False},
            {"input": "Policy/grant", "ok": False},
            {"input": "a/b/c", "ok": False},
            {"input": "/grant", "ok": False},
            {"input": "policy/", "ok": False},
            {"input": "policy grant/x", "ok": False},
            {"input": "a/" + "b" * 62, "ok": True},  # 64 characters, the longest accepted
            {"input": "a/" + "b" * 63, "ok": False},
        ],
        "file_name": [
            {"now": now, "ok": file_name(now)}
            for now in ["2026-11-24T04:26:12Z", "1999-12-31T23:59:59.900Z"]
        ],
        "csv_time": [
            {"ms": ms, "ok": csv_time(ms)}
            for ms in [1795494372007, 0, -1, -86400001, 951782400000, 1709164800999,
                       253402300799999, 4102444800000, 1, 59999, 86399999]
        ],
        "client_ip": [
            {"peer": "203.0.113.9", "header": "198.51.100.1", "trusted": [],
             "ok": "203.0.113.9"},
            {"peer": "127.0.0.1", "header": None, "trusted": ["127.0.0.1"], "ok": "127.0.0.1"},
            {"peer": "127.0.0.1", "header": "198.51.100.1", "trusted": ["127.0.0.1"],
             "ok": "198.51.100.1"},
            {"peer": "127.0.0.1", "header": "6.6.6.6, 198.51.100.1, 10.0.0.2",
             "trusted": ["127.0.0.1", "10.0.0.2"], "ok": "198.51.100.1"},
            {"peer": "127.0.0.1", "header": "garbage, 10.0.0.2",
             "trusted": ["127.0.0.1", "10.0.0.2"], "ok": "10.0.0.2"},
            {"peer": "::1", "header": "2001:db8::7", "trusted": ["::1"], "ok": "2001:db8::7"},
        ],
        "filter": [
            {"user": "  Ada ", "action": "", "from_ms": None, "to_ms": None,
             "ok": {"user": "ada", "action": None, "from_ms": None, "to_ms": None}},
            {"user": "", "action": "Policy", "from_ms": 1, "to_ms": 2,
             "ok": {"user": None, "action": "policy", "from_ms": 1, "to_ms": 2}},
            {"user": "", "action": "policy/grant", "from_ms": None, "to_ms": 5,
             "ok": {"user": None, "action": "policy/grant", "from_ms": None, "to_ms": 5}},
            {"user": "", "action": "drop table", "from_ms": None, "to_ms": None,
             "err": "action"},
            {"user": "", "action": "", "from_ms": 5, "to_ms": 5, "err": "to"},
            {"user": "x" * 201, "action": "", "from_ms": None, "to_ms": None, "err": "user"},
        ],
    }


# ---- authorizations.json -----------------------------------------------------------------


def hmac_headers(base_url, key_id, secret, now_ms):
    """What a generic API recomputes: hex HMAC-SHA256 of "<unix seconds>.GET.<path?query>"."""
    parts = urlsplit(base_url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    seconds = str(now_ms // 1000)
    message = f"{seconds}.GET.{path}".encode()
    signature = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return [["X-Portcullis-Key-Id", key_id], ["X-Portcullis-Timestamp", seconds],
            ["X-Portcullis-Signature", signature]]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def bucket_start(t, step):
    if step == "week":  # weeks start on Monday, 00:00 UTC
        return (t - dt.timedelta(days=t.weekday())).replace(hour=0)
    return t.replace(day=1, hour=0)


def buckets(step, start, end, hourly):
    """Hourly counts summed per week or month, over hours from `start` up to (not incl.) `end`."""
    sums = {}
    for hour, count in hourly:
        t = parse(hour)
        if parse(start) <= t < parse(end):
            key = bucket_start(t, step)
            sums[key] = sums.get(key, 0) + count
    return {"step": step, "from": start, "to": end, "hourly": hourly,
            "expect": [[iso(k), v] for k, v in sorted(sums.items())]}


def authorizations():
    plan = dict(now_ms=NOW_MS)
    get = "GET"
    hooks = "https://hooks.example.com/in?x=1"
    basic_api = "https://api.example.com/ping"
    return {
        "_comment": "Authorization health plans, verdicts, job status moves and metric buckets "
        "(A5, A7, A8, A11). HMAC signatures and Basic credentials here were computed by "
        "Python's hmac and base64 modules, independently of core.",
        "plans": [
            {"provider": "sendgrid", "method": "api_key", "config": {"api_key": "SG.k"}, **plan,
             "http": {"method": get, "url": "https://api.sendgrid.com/v3/scopes",
                      "headers": [["Authorization", "Bearer SG.k"]]}},
            {"provider": "sendgrid", "method": "api_key", "config": {"api_key": "SG.k"},
             "base": "http://127.0.0.1:9/", **plan,
             "http": {"method": get, "url": "http://127.0.0.1:9/v3/scopes",
                      "headers": [["Authorization", "Bearer SG.k"]]}},
            {"provider": "iterable", "method": "api_key",
             "config": {"api_key": "abc", "region": "eu"}, **plan,
             "http": {"method": get, "url": "https://api.eu.iterable.com/api/lists",
                      "headers": [["Api-Key", "abc"]]}},
            {"provider": "http_api", "method": "basic",
             "config": {"base_url": basic_api, "username": "ann", "password": "hunter2"}, **plan,
             "http": {"method": get, "url": basic_api,
                      "headers": [["Authorization", basic("ann:hunter2")]]}},
            {"provider": "http_api", "method": "hmac",
             "config": {"base_url": hooks, "key_id": "k1", "signing_secret": "whsec-123"},
             **plan,
             "http": {"method": get, "url": hooks,
                      "headers": hmac_headers(hooks, "k1", "whsec-123", NOW_MS)}},
            {"provider": "salesforce", "method": "oauth",
             "config": {"instance_url": "https://acme.my.salesforce.com", "client_id": "c",
                        "client_secret": "s", "access_token": "t"}, **plan,
             "http": {"method": get,
                      "url": "https://acme.my.salesforce.com/services/oauth2/userinfo",
                      "headers": [["Authorization", "Bearer t"]]}},
            {"provider": "facebook", "method": "oauth",
             "config": {"app_id": "12345", "app_secret": "0123456789abcdef" * 2}, **plan,
             "unavailable": True},
            {"provider": "postgresql", "method": "connection_url",
             "config": {"url": "postgres://u:p@db.example.com/app"}, **plan,
             "sql": "postgres://u:p@db.example.com/app"},
            {"provider": "google_cloud", "method": "service_account",
             "config": {"project_id": "acme-events", "service_account_key": "{}"}, **plan,
             "token_url": "https://oauth2.googleapis.com/token"},
        ],
        "verdicts": [
            {"status": status, "rejected": rejected, "health": health}
            for status, rejected, health in [
                (200, [401, 403], "healthy"),
                (204, [401, 403], "healthy"),
                (401, [401, 403], "unhealthy"),
                (403, [401, 403], "unhealthy"),
                (400, [401, 403], "unknown"),
                (400, [400, 401, 403], "unhealthy"),
                (302, [401, 403], "unknown"),
                (429, [401, 403], "unknown"),
                (503, [401, 403], "unknown"),
            ]
        ],
        "moves": [
            {"from": "running", "change": "pause", "to": "paused"},
            {"from": "sleeping", "change": "pause", "to": "paused"},
            {"from": "paused", "change": "pause", "err": "status_conflict"},
            {"from": "completed", "change": "pause", "err": "status_conflict"},
            {"from": "paused", "change": "resume", "to": "sleeping"},
            {"from": "running", "change": "resume", "err": "status_conflict"},
            {"from": "sleeping", "change": "report:running", "to": "running"},
            {"from": "running", "change": "report:completed", "to": "completed"},
            {"from": "running", "change": "report:failed", "to": "failed"},
            {"from": "running", "change": "report:paused", "err": "status_conflict"},
            {"from": "paused", "change": "report:running", "err": "status_conflict"},
            {"from": "failed", "change": "report:running", "err": "status_conflict"},
        ],
        "buckets": [
            buckets("week", "2026-11-01T00:00:00Z", "2026-11-16T00:00:00Z", [
                ["2026-11-01T10:00:00Z", 2], ["2026-11-02T10:00:00Z", 3],
                ["2026-11-09T00:00:00Z", 4], ["2026-11-15T23:00:00Z", 1],
                ["2026-11-16T00:00:00Z", 100],  # at `to`, so outside the range
            ]),
            buckets("month", "2026-01-15T00:00:00Z", "2026-03-02T00:00:00Z", [
                ["2026-01-20T00:00:00Z", 7], ["2026-02-28T23:00:00Z", 1],
                ["2026-03-01T00:00:00Z", 2],
            ]),
        ],
    }


# ---- providers.json ----------------------------------------------------------------------


def providers():
    key = json.dumps({
        "type": "service_account",
        "client_email": "loader@acme-data.iam.gserviceaccount.com",
        "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
    })
    iterable_key = "0123456789abcdef0123456789ABCDEF"
    fb_secret = "0123456789abcdef" * 2
    sf = {"instance_url": "https://acme.my.salesforce.com", "client_id": "c",
          "client_secret": "s"}
    hook = {"base_url": "http://127.0.0.1:9000/hook", "key_id": "k1", "signing_secret": "s"}
    warehouse = "postgres://loader:pw@db.acme.internal:5432/warehouse?sslmode=require"

    def case(provider, method, config, ok=None, err=None):
        out = {"provider": provider, "method": method, "config": config}
        if err is None:
            out["ok"] = dict(config) if ok is None else ok
        else:
            out["err"] = err
        return out

    return {"validate": [
        case("sendgrid", "api_key", {"api_key": "  SG.abc123 "}, ok={"api_key": "SG.abc123"}),
        case("sendgrid", "api_key", {"api_key": "abc"}, err="api_key"),
        case("sendgrid", "api_key", {}, err="api_key"),
        case("sendgrid", "api_key", {"api_key": "SG.x", "apikey": "y"}, err="apikey"),
        case("iterable", "api_key", {"api_key": iterable_key, "region": "eu"}),
        case("iterable", "api_key", {"api_key": iterable_key, "region": "asia"}, err="region"),
        case("iterable", "api_key", {"api_key": "xyz", "region": "us"}, err="api_key"),
        case("google_cloud", "service_account",
             {"project_id": "acme-data", "service_account_key": key}),
        case("google_cloud", "service_account",
             {"project_id": "Acme", "service_account_key": key}, err="project_id"),
        case("google_cloud", "service_account",
             {"project_id": "acme-data", "service_account_key": '{"type":"user"}'},
             err="service_account_key"),
        case("facebook", "oauth", {"app_id": "1234567", "app_secret": fb_secret}),
        case("facebook", "oauth", {"app_id": "12a4567", "app_secret": fb_secret}, err="app_id"),
        case("salesforce", "oauth", {**sf, "instance_url": "http://acme.my.salesforce.com"},
             err="instance_url"),
        case("salesforce", "oauth", sf),
        case("http_api", "hmac", hook),
        case("http_api", "basic",
             {"base_url": "https://api.example.com", "username": "a\nb", "password": "p"},
             err="username"),
        case("postgresql", "connection_url", {"url": warehouse}),
        case("postgresql", "connection_url", {"url": "postgres://db.acme.internal/"}, err="url"),
        case("postgresql", "connection_url", {"url": "mysql://db/x"}, err="url"),
        case("pubsub", "api_key", {}, err="provider"),
        case("sendgrid", "oauth", {}, err="method"),
    ]}


# ---- foundation.json (hand-written; only its ids are computed) ---------------------------


def crockford_id(kind, hex_bytes):
    """`<kind>_` and the 128 bits as 26 lower-case Crockford base32 digits, most significant
    first (the first digit carries the top 3 bits)."""
    digits = "0123456789abcdefghjkmnpqrstvwxyz"
    n = int(hex_bytes, 16)
    return kind + "_" + "".join(digits[(n >> (5 * i)) & 31] for i in reversed(range(26)))


def check_foundation():
    data = json.loads((HERE / "foundation.json").read_text(encoding="utf-8"))
    bad = [c for c in data["ids"] if crockford_id(c["kind"], c["bytes"]) != c["ok"]]
    for c in bad:
        print(f"foundation.json: {c['ok']} should be {crockford_id(c['kind'], c['bytes'])}")
    return not bad


# ---- main ---------------------------------------------------------------------------------

FILES = {
    "apps.json": apps,
    "audit.json": audit,
    "authorizations.json": authorizations,
    "providers.json": providers,
}


def render(value):
    # The files' layout: one-space indent, UTF-8 as is, no final newline.
    return json.dumps(value, indent=1, ensure_ascii=False)


def main(argv):
    write = argv[1:] == ["--write"]
    if argv[1:] not in ([], ["--write"]):
        sys.exit(__doc__)
    ok = True
    for name, make in FILES.items():
        path = HERE / name
        text = render(make())
        if write:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {name}")
        elif path.read_text(encoding="utf-8") != text:
            print(f"{name} differs from what generate.py computes; rerun with --write "
                  "if the change is meant")
            ok = False
        else:
            print(f"{name} matches, byte for byte")
    if check_foundation():
        print("foundation.json's ids match their bytes")
    else:
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main(sys.argv)
