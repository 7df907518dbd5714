#!/usr/bin/env python3
"""Issue 14: fleetmock hardening, measured. Run through scripts/hardening (it makes the virtualenv).

Areas (each prints one line with its counts):
  fuzz        mutation fuzzing of every route family with real credentials
  schema      schemathesis against scripts/hardening/smartcar-openapi.yaml (our own description
              of the Smartcar v2.0 routes; the published speakeasy document carries no licence)
  durability  write load on a --db file, kill -9 at random moments, restart, check every 2xx write
  load        64 connections mixing reads, commands, DIMO signals and clock advances; RSS across
              two rounds; 1,000 sandboxes created (time and memory per sandbox) and deleted
"""

import argparse
import base64
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, ".fleetmock", "hardening")
FINDINGS = []          # (area, text)
FINDINGS_LOCK = threading.Lock()
VERBOSE = False


def log(*args):
    if VERBOSE:
        print(*args, file=sys.stderr, flush=True)


def finding(area, text):
    with FINDINGS_LOCK:
        FINDINGS.append((area, text))
    log(f"[{area}] FINDING {text}")


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """`fleetmock serve` on loopback, port 0."""

    def __init__(self, binary, db=None, extra=(), name="server"):
        self.binary, self.db, self.extra, self.name = binary, db, list(extra), name
        self.proc = None
        self.host = self.port = None

    def start(self, timeout=60):
        os.makedirs(OUT_DIR, exist_ok=True)
        args = [self.binary, "serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "error"]
        args += ["--db", self.db] if self.db else ["--memory"]
        args += self.extra
        self.err = open(os.path.join(OUT_DIR, f"{self.name}.stderr"), "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, cwd=ROOT)
        deadline = time.time() + timeout
        line = b""
        # Read the announcement line without blocking forever.
        os.set_blocking(self.proc.stdout.fileno(), False)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: fleetmock exited with {self.proc.returncode} before listening")
            chunk = self.proc.stdout.read() or b""
            line += chunk
            m = re.search(rb"listening on http://([^:\s]+):(\d+)", line)
            if m:
                self.host, self.port = m.group(1).decode(), int(m.group(2))
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"{self.name}: no 'listening' line within {timeout}s")

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kb(self):
        return _status_kb(self.pid, "VmRSS")

    def hwm_kb(self):
        return _status_kb(self.pid, "VmHWM")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------------------------------
# A raw HTTP/1.1 client (full control over bytes: invalid UTF-8, odd methods, huge headers)


class Resp:
    __slots__ = ("status", "headers", "body", "elapsed", "closed")

    def __init__(self, status, headers, body, elapsed, closed):
        self.status, self.headers, self.body, self.elapsed, self.closed = status, headers, body, elapsed, closed

    def json(self):
        return json.loads(self.body)

    @property
    def ctype(self):
        return self.headers.get("content-type", "")


class HTTPFail(Exception):
    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind  # "timeout" | "reset" | "refused" | "badresponse"


class Client:
    def __init__(self, host, port, timeout=10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = None
        self.buf = b""

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.close()
        try:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except ConnectionRefusedError as exc:
            raise HTTPFail("refused", str(exc))
        except socket.timeout:
            raise HTTPFail("timeout", "connect")
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method, path, headers=None, body=b"", raw=None):
        """One request on a kept-alive connection (one retry on a stale connection)."""
        if isinstance(body, str):
            body = body.encode()
        if raw is None:
            lines = [f"{method} {path} HTTP/1.1".encode("latin-1", "surrogateescape") if isinstance(method, str) else method]
            hdrs = {"Host": f"{self.host}:{self.port}"}
            hdrs.update(headers or {})
            if body or method in ("POST", "PUT", "PATCH"):
                hdrs.setdefault("Content-Length", str(len(body)))
            for k, v in hdrs.items():
                if v is None:
                    continue
                kb = k.encode("latin-1") if isinstance(k, str) else k
                vb = v.encode("utf-8", "surrogateescape") if isinstance(v, str) else v
                lines.append(kb + b": " + vb)
            raw = b"\r\n".join(lines) + b"\r\n\r\n" + body
        for attempt in (0, 1):
            fresh = self.sock is None
            if fresh:
                self._connect()
            start = time.monotonic()
            try:
                self.sock.settimeout(self.timeout)
                send_error = None
                try:
                    self.sock.sendall(raw)
                except (BrokenPipeError, ConnectionResetError) as exc:
                    send_error = exc  # the server may have answered early (a body too large)
                resp = self._read(method if isinstance(method, str) else "", start)
                if resp is None:
                    raise HTTPFail("reset", f"no response ({send_error or 'connection closed'})")
                if resp.closed:
                    self.close()
                return resp
            except socket.timeout:
                self.close()
                raise HTTPFail("timeout", f"{self.timeout}s")
            except HTTPFail as exc:
                self.close()
                if exc.kind == "reset" and not fresh and attempt == 0:
                    continue  # a kept-alive connection the server had closed
                raise
            except (ConnectionResetError, BrokenPipeError, OSError) as exc:
                self.close()
                if not fresh and attempt == 0:
                    continue
                raise HTTPFail("reset", str(exc))
        raise HTTPFail("reset", "retry")

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def _readline(self):
        while b"\r\n" not in self.buf:
            if not self._recv():
                return None
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _readn(self, n):
        while len(self.buf) < n:
            if not self._recv():
                raise HTTPFail("reset", "body truncated")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _read(self, method, start):
        line = self._readline()
        if not line:
            return None
        m = re.match(rb"HTTP/1\.[01] (\d{3})", line)
        if not m:
            raise HTTPFail("badresponse", repr(line[:80]))
        status = int(m.group(1))
        headers = {}
        while True:
            h = self._readline()
            if h is None:
                raise HTTPFail("reset", "headers truncated")
            if h == b"":
                break
            k, _, v = h.partition(b":")
            headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
        closed = headers.get("connection", "").lower() == "close"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size_line = self._readline()
                if size_line is None:
                    raise HTTPFail("reset", "chunk truncated")
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    while self._readline() not in (b"", None):
                        pass
                    break
                parts.append(self._readn(size))
                self._readn(2)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = self._readn(int(headers["content-length"]))
        else:
            while self._recv():
                pass
            body, self.buf = self.buf, b""
            closed = True
        return Resp(status, headers, body, time.monotonic() - start, closed)


def call(client, method, path, body=None, headers=None, form=None):
    """A well-formed request; JSON body when `body` is given, a form when `form` is."""
    hdrs = dict(headers or {})
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return client.request(method, path, hdrs, data)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ---------------------------------------------------------------------------------------------
# Credentials: a sandbox, a Smartcar connection, a DIMO developer JWT and vehicle JWT

SMARTCAR_SCOPE = ["read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
                  "control_charge", "read_fuel", "read_tires", "read_engine_oil", "read_security", "control_security",
                  "control_navigation", "read_service_history", "read_diagnostics"]


class Creds:
    """Everything needed to reach past authentication on one sandbox."""

    def __init__(self, client, body=None, dimo=True):
        r = call(client, "POST", "/__fleetmock/sandboxes", body or {})
        if r.status != 201:
            raise RuntimeError(f"sandbox creation: {r.status} {r.body[:200]!r}")
        self.sb = r.json()
        self.id = self.sb["id"]
        sc = self.sb["smartcar"]
        self.client_id, self.client_secret = sc["clientId"], sc["clientSecret"]
        self.redirect_uri, self.mgmt = sc["redirectUri"], sc["managementToken"]
        self.vehicles = self.sb["vehicles"]
        self.users = self.sb["users"]
        self.token_ids = [v["dimoTokenId"] for v in self.vehicles if v.get("dimoTokenId") is not None]
        self.connect_all(client)
        self.dev_jwt = self.vehicle_jwt = None
        if dimo and self.sb.get("dimo"):
            self.dimo_login(client)

    def connect_all(self, client):
        user = self.owner_with_most(self.users, self.vehicles)
        self.email = user
        code = call(client, "POST", f"/__fleetmock/sandboxes/{self.id}/smartcar/connect",
                    {"email": user, "scope": SMARTCAR_SCOPE})
        if code.status not in (200, 201):
            raise RuntimeError(f"connect: {code.status} {code.body[:200]!r}")
        tok = self.exchange_code(client, code.json()["code"])
        self.access, self.refresh = tok["access_token"], tok["refresh_token"]
        r = call(client, "GET", "/v2.0/vehicles", headers={"Authorization": "Bearer " + self.access})
        self.vids = r.json()["vehicles"]

    def exchange_code(self, client, code):
        r = call(client, "POST", "/oauth/token", form={"grant_type": "authorization_code", "code": code,
                                                       "redirect_uri": self.redirect_uri},
                 headers={"Authorization": basic(self.client_id, self.client_secret)})
        if r.status != 200:
            raise RuntimeError(f"token exchange: {r.status} {r.body[:200]!r}")
        return r.json()

    @staticmethod
    def owner_with_most(users, vehicles):
        counts = {}
        for v in vehicles:
            counts[v.get("owner")] = counts.get(v.get("owner"), 0) + 1
        best = max(users, key=lambda u: (counts.get(u["email"], 0), counts.get(u.get("name"), 0), counts.get(u.get("smartcarUserId"), 0)))
        return best["email"]

    def dimo_login(self, client):
        from eth_account import Account
        from eth_account.messages import encode_defunct
        d = self.sb["dimo"]
        self.dimo = d
        if self.token_ids:
            r = call(client, "POST", f"/__fleetmock/sandboxes/{self.id}/dimo/share",
                     {"vehicles": self.token_ids, "permissions": [1, 2, 3, 4, 5, 6]})
            if r.status not in (200, 201, 204):
                raise RuntimeError(f"dimo share: {r.status} {r.body[:200]!r}")
        acct = Account.from_key(d["privateKey"])
        r = call(client, "POST", "/auth/web3/generate_challenge", form={
            "client_id": d["clientId"], "domain": d["domain"], "scope": "openid email",
            "response_type": "code", "address": d["clientId"]})
        if r.status != 200:
            raise RuntimeError(f"generate_challenge: {r.status} {r.body[:200]!r}")
        ch = json.loads(r.body)
        sig = acct.sign_message(encode_defunct(text=ch["challenge"])).signature.hex()
        if not sig.startswith("0x"):
            sig = "0x" + sig
        r = call(client, "POST", "/auth/web3/submit_challenge", form={
            "client_id": d["clientId"], "domain": d["domain"], "state": ch["state"], "signature": sig,
            "grant_type": "authorization_code"})
        if r.status != 200:
            raise RuntimeError(f"submit_challenge: {r.status} {r.body[:200]!r}")
        self.dev_jwt = r.json()["access_token"]
        self.vehicle_jwt = self.exchange_vehicle(client, self.token_ids[0]) if self.token_ids else None

    def exchange_vehicle(self, client, token_id):
        r = call(client, "POST", "/v1/tokens/exchange",
                 {"nftContractAddress": self.dimo["vehicleContract"], "privileges": [1, 2, 3, 4, 5, 6], "tokenId": token_id},
                 headers={"Authorization": "Bearer " + self.dev_jwt})
        if r.status != 200:
            raise RuntimeError(f"token exchange: {r.status} {r.body[:200]!r}")
        return r.json()["token"]


# ---------------------------------------------------------------------------------------------
# Area 1: mutation fuzzing

# Families whose every answer (but 204) is JSON upstream.
# DIMO's REST services answer gofiber's text/plain errors upstream (dimo-api.md), so only a body is required there.
JSON_FAMILIES = {"control", "smartcar-api", "smartcar-v3", "smartcar-mgmt", "oauth-token", "graphql"}

# Documented upstream 5xx quirks (../shared/reference/*-api.md): not a defect when the body is this.
UPSTREAM_5XX = [
    ("graphql", 500, b"Something went wrong while checking the JWT."),          # dimo-api.md: bad header format
    ("device-definitions", 500, b"Couldn't decode VIN."),                      # dimo-api.md: decode failure
    ("oauth-token", 500, b"server_error"),                                      # smartcar quirk: code of another client
    ("smartcar-api", 500, b"RECORD_NOT_FOUND"), ("smartcar-api", 500, b"MULTIPLE_RECORDS_FOUND"),
    ("smartcar-api", 501, b"VEHICLE_NOT_CAPABLE"), ("smartcar-api", 501, b"vehicle_not_capable_error"),  # upstream's 501
    ("smartcar-v3", 501, b"VEHICLE_NOT_CAPABLE"), ("smartcar-mgmt", 501, b"VEHICLE_NOT_CAPABLE"),
    ("auth", 500, b"server_error"),
]

# Mutations that break the HTTP framing itself: NIO's parser closes the connection with an empty 400,
# before any route (or fleetmock code) sees the request. Counted apart as "parser rejects".
PROTOCOL_MUTATIONS = {"odd-method-token", "oversized-header", "header-junk", "path-raw-bytes", "chunked-junk", "duplicate-headers"}
# These go on a connection of their own, closed afterwards: leftover bytes would poison the next request.

GRAPHQL_VALID = {
    "identity": ["{ vehicles(first: 5) { totalCount nodes { tokenId definition { make model year } owner } } }",
                 "{ developerLicense(by: {tokenId: %(license)s}) { owner clientId alias } }",
                 "query Q($id: Int!) { vehicle(tokenId: $id) { tokenId mintedAt sacds(first: 3) { nodes { grantee permissions } } } }",
                 "{ __schema { queryType { name } types { name } } }"],
    "telemetry": ["{ signalsLatest(tokenId: %(token)s) { speed { value timestamp } powertrainTransmissionTravelledDistance { value } } }",
                  "{ signals(tokenId: %(token)s, interval: \"1h\", from: \"%(from)s\", to: \"%(to)s\") { timestamp speed(agg: AVG) } }",
                  "{ availableSignals(tokenId: %(token)s) }",
                  "{ vinVCLatest(tokenId: %(token)s) { vin } }"],
    "fetch": ["{ latestIndex(did: \"%(did)s\") { cloudEventID } }",
              "{ indexes(did: \"%(did)s\", limit: 2) { cloudEventID } }"],
}


def build_seeds(c, b):
    """(family, method, path, headers, body) seeds with valid credentials. `c`: sandbox for the vendor
    surfaces; `b`: a second sandbox the control API, management and token seeds may mutate or delete."""
    seeds = []
    sc = {"Authorization": "Bearer " + c.access}
    for ver in ("v2.0", "v1.0"):
        seeds.append(("smartcar-api", "GET", f"/{ver}/vehicles", sc, None))
        seeds.append(("smartcar-api", "GET", f"/{ver}/user", sc, None))
        for vid in c.vids[:2]:
            base = f"/{ver}/vehicles/{vid}"
            for sub in ("", "/vin", "/odometer", "/location", "/battery", "/battery/capacity", "/battery/nominal_capacity",
                        "/charge", "/charge/limit", "/fuel", "/tires/pressure", "/engine/oil", "/security",
                        "/service/history?startDate=2025-01-01&endDate=2026-01-01", "/diagnostics/system_status",
                        "/diagnostics/dtcs", "/permissions?limit=5&offset=1"):
                seeds.append(("smartcar-api", "GET", base + sub, dict(sc, **{"SC-Unit-System": "imperial"}), None))
            seeds.append(("smartcar-api", "POST", base + "/security", sc, {"action": random.choice(["LOCK", "UNLOCK"])}))
            seeds.append(("smartcar-api", "POST", base + "/charge", sc, {"action": random.choice(["START", "STOP"])}))
            seeds.append(("smartcar-api", "POST", base + "/charge/limit", sc, {"limit": 0.8}))
            seeds.append(("smartcar-api", "POST", base + "/navigation/destination", sc, {"latitude": 37.4, "longitude": -122.1}))
            seeds.append(("smartcar-api", "POST", base + "/batch", sc, {"requests": [{"path": "/odometer"}, {"path": "/location"}, {"path": "/battery"}]}))
    for vid in c.vids[:2]:
        seeds.append(("smartcar-v3", "GET", f"/v3/vehicles/{vid}", sc, None))
        seeds.append(("smartcar-v3", "GET", f"/v3/vehicles/{vid}/signals", sc, None))
        for code in ("odometer-traveleddistance", "location-preciselocation", "tractionbattery-stateofcharge", "closure-islocked"):
            seeds.append(("smartcar-v3", "GET", f"/v3/vehicles/{vid}/signals/{code}", sc, None))
    seeds.append(("smartcar-mgmt", "GET", "/v2.0/management/connections?limit=5", {"Authorization": basic("default", b.mgmt)}, None))
    seeds.append(("smartcar-mgmt", "DELETE", f"/v2.0/management/connections?vehicle_id={b.vids[0]}", {"Authorization": basic("default", b.mgmt)}, None))
    vin = c.vehicles[0]["vin"]
    seeds.append(("smartcar-mgmt", "GET", f"/v2.0/compatibility?vin={vin}&scope=read_odometer%20read_battery&country=US",
                  {"Authorization": basic(c.client_id, c.client_secret)}, None))
    seeds.append(("smartcar-mgmt", "GET", "/v2.0/compatibility/matrix?make=TESLA&type=BEV",
                  {"Authorization": basic(c.client_id, c.client_secret)}, None))
    # OAuth token endpoint (sandbox b: a refresh rotates b's tokens, never c's)
    bauth = {"Authorization": basic(b.client_id, b.client_secret), "Content-Type": "application/x-www-form-urlencoded"}
    seeds.append(("oauth-token", "POST", "/oauth/token", bauth, {"__form__": {"grant_type": "refresh_token", "refresh_token": b.refresh}}))
    seeds.append(("oauth-token", "POST", "/oauth/token", bauth, {"__form__": {"grant_type": "authorization_code", "code": "x" * 36, "redirect_uri": b.redirect_uri}}))
    seeds.append(("oauth-token", "POST", "/oauth/token", bauth, {"__form__": {"grant_type": "client_credentials"}}))
    # Connect
    q = urllib.parse.urlencode({"response_type": "code", "client_id": b.client_id, "redirect_uri": b.redirect_uri,
                                "scope": " ".join(SMARTCAR_SCOPE[:4]), "mode": "simulated", "state": "s1"})
    seeds.append(("connect", "GET", "/oauth/authorize?" + q, {}, None))
    seeds.append(("connect", "GET", "/connect/brands?" + q, {}, None))
    seeds.append(("connect", "GET", "/connect/login?" + q + "&make=TESLA", {}, None))
    seeds.append(("connect", "POST", "/connect/login", {}, {"__form__": {"email": b.email, "password": "pw", "session": "x"}}))
    seeds.append(("connect", "POST", "/connect/grant", {}, {"__form__": {"session": "x", "vehicles": b.vids[0], "approve": "1"}}))
    seeds.append(("connect", "GET", "/connect/exit?" + q, {}, None))
    # Control API on sandbox b
    P = f"/__fleetmock/sandboxes/{b.id}"
    bvin = b.vehicles[0]["vin"]
    seeds += [("control", "GET", "/__fleetmock/health", {}, None),
              ("control", "GET", "/__fleetmock/catalog", {}, None),
              ("control", "GET", P, {}, None),
              ("control", "PATCH", P, {}, {"settings": {"rateLimits": False, "appBurst": 120, "journalSize": 500}}),
              ("control", "GET", P + "/clock", {}, None),
              ("control", "POST", P + "/clock", {}, {"advance": "5m"}),
              ("control", "POST", P + "/clock", {}, {"scale": 2}),
              ("control", "GET", P + "/journal?limit=5&status=200&path=/v2.0", {}, None),
              ("control", "GET", P + "/vehicles", {}, None),
              ("control", "GET", P + f"/vehicles/{bvin}", {}, None),
              ("control", "PATCH", P + f"/vehicles/{bvin}", {}, {"state": {"doors": {"frontLeft": "OPEN"}, "isPluggedIn": True}}),
              ("control", "PUT", P + f"/vehicles/{bvin}/plan", {}, {"steps": [{"plugIn": True}], "resumeRoutine": True}),
              ("control", "GET", P + f"/vehicles/{bvin}/plan", {}, None),
              ("control", "POST", P + "/smartcar/connect", {}, {"email": b.email, "scope": ["read_odometer"]}),
              ("control", "POST", P + "/dimo/share", {}, {"vehicles": b.token_ids[:1], "permissions": [1, 4]}),
              ("control", "GET", P + "/faults", {}, None),
              ("control", "POST", P + "/faults", {}, {"fault": "smartcar.RATE_LIMIT.VEHICLE", "path": "/v2.0/nothing/*", "times": 1}),
              ("control", "GET", P + "/smartcar/webhooks", {}, None),
              ("control", "GET", P + "/webhooks/deliveries?limit=3", {}, None),
              ("control", "POST", "/__fleetmock/sandboxes", {}, {"seed": 7, "vehicles": 2, "historyDays": 0}),
              ("control", "GET", "/__fleetmock/sandboxes", {}, None)]
    # DIMO
    d = c.dimo
    seeds.append(("auth", "POST", "/auth/web3/generate_challenge", {}, {"__form__": {
        "client_id": d["clientId"], "domain": d["domain"], "scope": "openid email", "response_type": "code", "address": d["signerAddress"]}}))
    seeds.append(("auth", "POST", "/auth/web3/submit_challenge", {}, {"__form__": {
        "client_id": d["clientId"], "domain": d["domain"], "state": "abc", "signature": "0x" + "11" * 65, "grant_type": "authorization_code"}}))
    seeds.append(("auth", "GET", "/keys", {}, None))
    seeds.append(("auth", "GET", "/.well-known/openid-configuration", {}, None))
    dev = {"Authorization": "Bearer " + c.dev_jwt}
    veh = {"Authorization": "Bearer " + c.vehicle_jwt}
    tid = c.token_ids[0]
    seeds.append(("token-exchange", "POST", "/v1/tokens/exchange", dev,
                  {"nftContractAddress": d["vehicleContract"], "privileges": [1, 4], "tokenId": tid}))
    seeds.append(("token-exchange", "POST", "/v1/tokens/exchange", dev,
                  {"asset": f"did:erc721:137:{d['vehicleContract']}:{tid}", "permissions": ["privilege:GetNonLocationHistory"]}))
    now = time.gmtime()
    vals = {"token": tid, "license": d.get("licenseTokenId", 1), "did": f"did:erc721:137:{d['vehicleContract']}:{tid}",
            "from": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 3 * 86400)),
            "to": time.strftime("%Y-%m-%dT00:00:00Z", now)}
    for api, queries in GRAPHQL_VALID.items():
        hdr = {} if api == "identity" else veh
        for qtext in queries:
            qq = qtext % vals
            body = {"query": qq}
            if "$id" in qq:
                body["variables"] = {"id": tid}
            seeds.append(("graphql", "POST", f"/{api}/query", hdr, body))
        seeds.append(("graphql", "GET", f"/{api}/query?" + urllib.parse.urlencode({"query": queries[0] % vals}), hdr, None))
    seeds.append(("attestation", "POST", f"/v2/attestation/vin/{tid}", veh, None))
    seeds.append(("attestation", "POST", f"/v2/attestation/odometer-statement/{tid}", veh, None))
    seeds.append(("device-definitions", "POST", "/device-definitions/decode-vin", dev, {"countryCode": "USA", "vin": vin}))
    seeds.append(("device-definitions", "GET", "/device-definitions/search?query=tesla&page=1&pageSize=5", dev, None))
    seeds.append(("device-definitions", "GET", "/device-definitions/tesla_model-3_2022", dev, None))
    seeds.append(("valuations", "GET", f"/v2/vehicles/{tid}/valuations", veh, None))
    seeds.append(("valuations", "GET", f"/v2/vehicles/{tid}/offers", veh, None))
    seeds.append(("valuations", "POST", f"/v2/vehicles/{tid}/instant-offer", veh, None))
    seeds.append(("trips", "GET", f"/v1/vehicle/{tid}/trips?page=1", veh, None))
    did = vals["did"]
    seeds += [("triggers", "GET", "/v1/webhooks", dev, None),
              ("triggers", "GET", "/v1/webhooks/signals", dev, None),
              ("triggers", "POST", "/v1/webhooks", dev, {"service": "telemetry.signals", "metricName": "speed", "condition": "valueNumber > 100",
                                                         "coolDownPeriod": 30, "description": "d", "displayName": "n",
                                                         "targetURL": "https://127.0.0.1:9/hook", "status": "enabled", "verificationToken": "tok"}),
              ("triggers", "PUT", "/v1/webhooks/00000000-0000-0000-0000-000000000000", dev, {"condition": "valueNumber > 5", "status": "disabled"}),
              ("triggers", "GET", f"/v1/webhooks/vehicles/{did}", dev, None),
              ("triggers", "POST", f"/v1/webhooks/00000000-0000-0000-0000-000000000000/subscribe/{did}", dev, None),
              ("triggers", "POST", "/v1/webhooks/00000000-0000-0000-0000-000000000000/subscribe/list", dev, {"assetDIDs": [did]}),
              ("triggers", "DELETE", "/v1/webhooks/00000000-0000-0000-0000-000000000000/unsubscribe/all", dev, None)]
    seeds += [("agents", "GET", "/", {}, None),
              ("agents", "POST", "/agents", dev, {"personality": "uncle_mechanic", "type": "driver_agent_v1",
                                                  "variables": {"USER_WALLET": c.users[0].get("dimoAddress", "0x0")}}),
              ("agents", "POST", "/agents/agent-0000000000000000/message", dev, {"message": "what is my odometer?"}),
              ("agents", "GET", "/agents/agent-0000000000000000/history?limit=3", dev, None)]
    seeds += [("login", "GET", "/login?" + urllib.parse.urlencode({"clientId": d["clientId"], "redirectUri": d["domain"], "entryState": "EMAIL_INPUT"}), {}, None),
              ("login", "POST", "/login/email", {}, {"__form__": {"email": c.email, "session": "x"}}),
              ("login", "POST", "/login/otp", {}, {"__form__": {"otp": "123456", "session": "x"}})]
    return seeds


JUNK_VALUES = [None, True, False, 0, -1, 2 ** 63, -2 ** 63 - 1, 1e308, -0.0, 3.5, "", "x", "\u0000", "\ud83d\ude97" * 10,
               "a" * 10000, [], [1, "a", None], {}, {"a": {"b": {"c": []}}}, "1970-01-01T00:00:00Z", "9999-99-99",
               "NaN", "-1", "0x", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "\\u0000"]
PATH_JUNK = ["/..", "/../..", "//", "/%2e%2e/%2e%2e", "/%00", "/%ff", "/%c0%af", "/%", "/%zz", "/" + "a" * 5000,
             "/%E2%80%AE", "/;x=1", "/.", "/~", "/*", "/%2F", "?%", "?a=%ff&b=%", "?" + "a=b&" * 2000, "#frag",
             "/\u00e9", "/%u0041", "/%25%32%65", "/%0d%0aX-Injected:%201", "/null", "/undefined", "/-1", "/99999999999999999999"]
ODD_METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "POST", "GET", "PROPFIND", "SEARCH", "LINK"]


def _mutate_json(value, rnd, depth=0):
    """Wrong types / missing fields / junk values somewhere in a JSON document."""
    if isinstance(value, dict) and value:
        v = dict(value)
        k = rnd.choice(list(v))
        op = rnd.random()
        if op < 0.3:
            del v[k]
        elif op < 0.7 or depth > 3:
            v[k] = rnd.choice(JUNK_VALUES)
        else:
            v[k] = _mutate_json(v[k], rnd, depth + 1)
        if rnd.random() < 0.15:
            v[rnd.choice(["__proto__", "", "x" * 300, "constructor", "\u0000"])] = rnd.choice(JUNK_VALUES)
        return v
    if isinstance(value, list):
        if not value or rnd.random() < 0.3:
            return rnd.choice([[], [rnd.choice(JUNK_VALUES)] * rnd.randint(1, 500), value * 100])
        v = list(value)
        i = rnd.randrange(len(v))
        v[i] = _mutate_json(v[i], rnd, depth + 1)
        return v
    return rnd.choice(JUNK_VALUES)


def _graphql_attack(rnd, body):
    q = (body or {}).get("query", "{ __typename }")
    kind = rnd.choice(["deep", "alias", "fragments", "huge-vars", "garbage", "batch", "directives", "introspect-deep", "long-string"])
    if kind == "deep":
        n = rnd.choice([50, 500, 5000])
        return {"query": "{ " + "vehicles(first: 1) { nodes { owner " * 3 + "a { " * n + "b" + " }" * n + " }" * 6 + " }"}
    if kind == "alias":
        n = rnd.choice([100, 300, 1000])  # Identity has no complexity limit upstream: 1,000 aliases is ~8 s of real work
        inner = re.sub(r"^\s*(query[^{]*)?\{", "", q.strip(), count=1).rsplit("}", 1)[0]
        return {"query": "{ " + " ".join(f"a{i}: {inner}" for i in range(n)) + " }"}
    if kind == "fragments":
        n = rnd.choice([10, 200])
        frags = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(n)) + f" fragment F{n} on Query {{ ...F0 }}"
        return {"query": "{ ...F0 } " + frags}
    if kind == "huge-vars":
        return {"query": q, "variables": {"id": 1, "x": ["a" * 1000] * rnd.choice([10, 1000]),
                                          "deep": json.loads("[" * 200 + "]" * 200)}}
    if kind == "garbage":
        return {"query": rnd.choice(["{", "}", "{{{{", "query {", "\u0000", "mutation { x }", "subscription { x }",
                                     "{ a(b: ) }", "{ a(b: \"unterminated) }", "{ a(b: 1e99999) }", "{ a(b: 99999999999999999999999) }",
                                     "query Q($x: Int!) { vehicle(tokenId: $x) { tokenId } }", "# only a comment", "",
                                     "{ __type(name: \"Query\") { fields { args { type { ofType { ofType { ofType { name } } } } } } } }"]),
                "variables": rnd.choice([None, {}, [], "x", {"x": "notint"}]), "operationName": rnd.choice([None, "", "Nope", 5])}
    if kind == "batch":
        return [{"query": q}] * rnd.choice([2, 100])
    if kind == "directives":
        return {"query": q.replace("{", "{ __typename @skip(if: true) @include(if: false) @deprecated @nope ", 1)}
    if kind == "introspect-deep":
        return {"query": "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }"}
    return {"query": q.replace("}", " __typename }", 1), "variables": {"s": "\ud83d" * 10}}


def mutate(seed, rnd, counters):
    """A mutated request from a seed: (kind, method, path, headers, body bytes, raw bytes or None)."""
    family, method, path, headers, body = seed
    headers = dict(headers)
    form = body.get("__form__") if isinstance(body, dict) and "__form__" in body else None

    def encode(b):
        if form is not None and b is body:
            return urllib.parse.urlencode(form).encode()
        if b is None:
            return b""
        return json.dumps(b, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "surrogatepass")

    if form is None and body is not None:
        headers.setdefault("Content-Type", "application/json")
    elif form is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    kinds = ["valid", "invalid-json", "wrong-types", "missing-fields", "invalid-utf8", "odd-method", "path-junk",
             "percent-junk", "query-junk", "auth-junk", "content-type", "header-junk", "empty-body", "huge-body",
             "oversized-header", "odd-method-token", "path-raw-bytes", "duplicate-headers", "chunked-junk"]
    weights = [10, 8, 10, 8, 6, 6, 8, 6, 5, 5, 4, 2, 4, 0.15, 0.5, 0.6, 0.6, 2, 2]
    if family == "graphql":
        kinds.append("graphql-attack")
        weights.append(30)
    kind = rnd.choices(kinds, weights)[0]
    if kind == "huge-body" and counters.get("huge-body", 0) >= counters.get("huge-body-max", 10):
        kind = "invalid-json"
    counters[kind] = counters.get(kind, 0) + 1
    data = encode(body)
    raw = None
    if kind == "invalid-json":
        data = rnd.choice([b"{", b"{\"a\":}", b"[1,2", b"nul", b"{'a': 1}", b"\x00\x01", b"{\"a\":1}garbage",
                           data[: max(1, len(data) // 2)], b"1" * 400, b"[" * 10000 + b"]" * 10000, b"{\"a\":" * 5000,
                           b"\"\\ud800\"", b"{\"a\": 1e999999}", b"{\"a\": -}", b"\xef\xbb\xbf" + data])
    elif kind == "wrong-types":
        if form is not None:
            f = dict(form)
            f[rnd.choice(list(f))] = rnd.choice(["", "\x00", "a" * 5000, "[]", "{}", "%ff", "-1", "\u202e"])
            data = urllib.parse.urlencode(f).encode()
        else:
            data = encode(_mutate_json(body if body is not None else {}, rnd))
    elif kind == "missing-fields":
        if form is not None:
            f = {k: v for k, v in form.items() if rnd.random() < 0.5}
            data = urllib.parse.urlencode(f).encode()
        elif isinstance(body, dict):
            data = encode({k: v for k, v in body.items() if rnd.random() < 0.4})
        else:
            data = rnd.choice([b"{}", b"[]", b"null", b"\"\""])
    elif kind == "invalid-utf8":
        bad = rnd.choice([b"\xff\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x28\xa1"])
        if data and rnd.random() < 0.6:
            i = rnd.randrange(len(data))
            data = data[:i] + bad + data[i:]
        elif rnd.random() < 0.5:
            headers[rnd.choice(["X-Junk", "User-Agent", "SC-Unit-System", "Authorization", "X-Fleetmock-Sandbox"])] = bad.decode("latin-1")
        else:
            data = b"{\"query\": \"" + bad + b"\", \"a\": \"" + bad + b"\"}"
    elif kind == "odd-method":
        method = rnd.choice(ODD_METHODS)
        if family == "control" and method == "DELETE" and rnd.random() < 0.8:
            method = "PUT"  # the control sandbox survives most of the run
    elif kind == "path-junk":
        j = rnd.choice(PATH_JUNK)
        if rnd.random() < 0.5 and "?" not in path:
            path = path + j
        else:
            segs = path.split("?")[0].split("/")
            i = rnd.randrange(1, len(segs)) if len(segs) > 1 else 1
            segs.insert(i, j.strip("/?#") or "x")
            path = "/".join(segs) + ("?" + path.split("?", 1)[1] if "?" in path else "")
    elif kind == "percent-junk":
        segs = path.split("/")
        i = rnd.randrange(1, len(segs))
        segs[i] = rnd.choice(["%", "%z", "%zz", "%ff", "%c3%28", "%00", "%2f%2e%2e", "%25", "%%", "%E0%A4%A",
                              urllib.parse.quote(segs[i], safe="") + "%", "".join("%%%02x" % ord(ch) for ch in segs[i][:40])])
        path = "/".join(segs)
    elif kind == "query-junk":
        sep = "&" if "?" in path else "?"
        k = rnd.choice(["limit", "offset", "vin", "scope", "startDate", "endDate", "status", "path", "query", "page",
                        "pageSize", "country", "make", "vehicle_id", "client_id", "redirect_uri", "mode", "state", "x"])
        v = rnd.choice(["-1", "0", "99999999999999999999", "abc", "", "%ff", "%", "1.5", "[]", "NaN", "a" * 3000,
                        "2026-13-45", "true", "%00", "+", "\u00e9"])
        path = path + sep + k + "=" + (v if v.startswith("%") else urllib.parse.quote(v)) + ("&" + k + "=2" if rnd.random() < 0.3 else "")
    elif kind == "auth-junk":
        headers["Authorization"] = rnd.choice(["", "Bearer", "Bearer ", "Basic", "Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode(),
                                               "Bearer a.b.c", "Bearer " + "A" * 8000, "bearer " + headers.get("Authorization", "x")[7:],
                                               "Bearer eyJhbGciOiJub25lIn0.eyJ0b2tlbl9pZCI6MX0.", "Digest x", "Bearer \x01",
                                               "Basic " + base64.b64encode(b"default:").decode(), "Bearer " + "a.b" * 3])
        if rnd.random() < 0.3:
            headers.pop("Authorization", None)
    elif kind == "content-type":
        headers["Content-Type"] = rnd.choice(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                              "application/json; charset=latin-1", "", "application/graphql", "*/*", "application/json;;;"])
        if rnd.random() < 0.3:
            headers.pop("Content-Type", None)
    elif kind == "header-junk":
        headers[rnd.choice(["X-Fleetmock-Sandbox", "SC-Unit-System", "Accept", "Host", "Expect", "Transfer-Encoding", "Connection"])] = \
            rnd.choice(["", "\u00e9\u00e9", "../x", "a" * 2000, "100-continue", "chunked, identity", "keep-alive, upgrade", "imperial;x"])
    elif kind == "empty-body":
        data = b""
    elif kind == "huge-body":
        size = 10 * 1024 * 1024
        data = rnd.choice([b"{\"a\":\"" + b"x" * (size - 10) + b"\"}", b"[" + b"1," * (size // 2 - 2) + b"1]", b"x" * size])
    elif kind == "oversized-header":
        headers["X-Big"] = "b" * rnd.choice([70000, 200000])
    elif kind == "odd-method-token":
        method = rnd.choice(["BREW", "get", "G E T", "GET\x00", "ÄÖÜ", "M" * 300, "CONNECT"])
    elif kind == "path-raw-bytes":
        path = path + rnd.choice(["/a b", "/\x00", "/\x7f", "/\xff", "/\r", "/\t"])
    elif kind == "duplicate-headers":
        raw_lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        for k, v in headers.items():
            raw_lines += [f"{k}: {v}", f"{k}: {v}x"]
        raw_lines.append(f"Content-Length: {len(data)}")
        raw = ("\r\n".join(raw_lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + data
    elif kind == "chunked-junk":
        hdr = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked"] + [f"{k}: {v}" for k, v in headers.items()]
        chunks = rnd.choice([b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data), b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nab\r\n0\r\n\r\n",
                             b"%x\r\n%s\r\n" % (len(data), data) + b"0\r\n\r\n"])
        raw = ("\r\n".join(hdr) + "\r\n\r\n").encode("utf-8", "surrogateescape") + chunks
    elif kind == "graphql-attack":
        data = json.dumps(_graphql_attack(rnd, body)).encode("utf-8", "surrogatepass")
    return kind, method, path, headers, data, raw


def is_default_body(resp, method):
    """Hummingbird/NIO's default answers: an empty error body or plain text nobody wrote."""
    if resp.status < 400 or method == "HEAD":
        return False
    return len(resp.body.strip()) == 0


def check_response(family, kind, method, resp):
    """'' when fine, else the problem."""
    if resp.status >= 500:
        for fam, status, marker in UPSTREAM_5XX:
            if fam == family and resp.status == status and marker in resp.body:
                return ""
        return f"{resp.status}"
    if is_default_body(resp, method):
        # An empty 400 that also closes the connection is NIO's parser refusing the bytes (raw non-ASCII in
        # the target, control characters in a header value...) before any route runs.
        if resp.closed and resp.status == 400:
            return "parser"
        # 405 with an Allow header is an upstream answer on some services.
        if resp.status in (404, 405) and family in ("auth", "connect", "login", "agents"):
            return ""
        return f"empty {resp.status}"
    if family in JSON_FAMILIES and resp.status != 204 and method != "HEAD":
        ct = resp.ctype.lower()
        if "json" not in ct and not (resp.closed and resp.status == 400 and kind in PROTOCOL_MUTATIONS):
            return f"content-type {ct or '(none)'} {resp.status}"
    return ""


def describe_request(method, path, headers, data, raw):
    if raw is not None:
        return f"raw {raw[:200]!r}"
    h = {k: (v[:60] + "…" if len(v) > 60 else v) for k, v in headers.items() if k != "Host"}
    b = data[:160]
    return f"{method} {path[:200]} headers={h} body[{len(data)}]={b!r}"


def area_fuzz(binary, budget, seed):
    total = 50000 if budget == "full" else 6000
    seconds = 900 if budget == "full" else 55
    server = Server(binary, name="fuzz", extra=["--tick", "5"]).start()
    rnd0 = random.Random(seed)
    setup = Client(server.host, server.port, timeout=30)
    c = Creds(setup)
    b = Creds(setup, dimo=False)
    seeds = build_seeds(c, b)
    families = sorted({s[0] for s in seeds})
    stats = {"requests": 0, "5xx": 0, "hangs": 0, "resets": 0, "default": 0, "ctype": 0, "parser": 0, "ok": 0}
    per_family = {f: 0 for f in families}
    problems = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    counters = {"huge-body-max": 20 if budget == "full" else 4}
    budget_left = [total]
    crashed = [False]

    def worker(wid):
        rnd = random.Random(seed * 1000 + wid)
        cl = Client(server.host, server.port, timeout=15)
        while time.monotonic() < stop_at and not crashed[0]:
            with lock:
                if budget_left[0] <= 0:
                    break
                budget_left[0] -= 1
            s = rnd.choice(seeds)
            with lock:
                kind, method, path, headers, data, raw = mutate(s, rnd, counters)
            family = s[0]
            problem = ""
            one_shot = kind in PROTOCOL_MUTATIONS or kind == "huge-body"
            try:
                if one_shot:
                    cl.close()
                cl.timeout = 3 if method == "CONNECT" else (30 if kind == "graphql-attack" else 15)
                resp = cl.request(method, path, headers, data, raw)
                problem = check_response(family, kind, method if isinstance(method, str) else "", resp)
            except HTTPFail as exc:
                if exc.kind == "timeout" and method == "CONNECT":
                    problem = "parser"  # NIO switches a CONNECT connection to tunnel mode and never answers
                elif exc.kind == "timeout":
                    problem = "hang"
                elif kind in ("huge-body", "chunked-junk", "oversized-header", "odd-method-token", "path-raw-bytes", "duplicate-headers"):
                    problem = "" if server.alive() else "crash"
                    with lock:
                        stats["resets"] += 1
                else:
                    problem = "reset" if server.alive() else "crash"
            with lock:
                stats["requests"] += 1
                per_family[family] += 1
                if problem == "":
                    stats["ok"] += 1
                elif problem == "parser":
                    stats["parser"] += 1
                else:
                    key = "5xx" if problem[:1] == "5" else {"hang": "hangs", "reset": "resets", "crash": "crash"}.get(
                        problem, "ctype" if problem.startswith("content-type") else "default")
                    stats[key] = stats.get(key, 0) + 1
                    sig = (family, kind, problem, re.sub(r"[0-9a-f-]{8,}", "*", path.split("?")[0])[:80])
                    if sig not in problems:
                        problems[sig] = describe_request(method, path, headers, data, raw)
                        finding("fuzz", f"{problem} [{family}/{kind}] {problems[sig]} -> "
                                        f"{resp.status if problem not in ('hang', 'reset', 'crash') else problem} "
                                        f"{(resp.body[:160] if problem not in ('hang', 'reset', 'crash') else b'')!r}")
                if problem == "crash":
                    crashed[0] = True
            if one_shot:
                cl.close()

    # A refresher: the control sandbox b may be deleted or reset by the fuzzing; the server must stay up.
    def watchdog():
        cl = Client(server.host, server.port, timeout=15)
        while time.monotonic() < stop_at and not crashed[0] and budget_left[0] > 0:
            time.sleep(1)
            if not server.alive():
                crashed[0] = True
                finding("fuzz", f"server died (exit {server.proc.returncode})")
                return
            try:
                r = cl.request("GET", "/__fleetmock/health")
                if r.status != 200:
                    finding("fuzz", f"health {r.status}")
            except HTTPFail as exc:
                finding("fuzz", f"health check failed: {exc}")

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(6)]
    threads.append(threading.Thread(target=watchdog, daemon=True))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.monotonic() - t0
    alive = server.alive()
    rss = server.hwm_kb()
    server.stop()
    failures = stats["5xx"] + stats["hangs"] + stats["default"] + stats["ctype"] + stats.get("crash", 0) + \
        (0 if alive else 1) + stats.get("reset", 0)
    unexpected_resets = len([p for p in problems if p[2] == "reset"])
    ok = failures == 0 and unexpected_resets == 0 and alive
    fams = " ".join(f"{f}={n}" for f, n in sorted(per_family.items()))
    line = (f"fuzz: {stats['requests']} requests in {elapsed:.0f}s over {len(families)} families ({len(seeds)} seeds), "
            f"5xx={stats['5xx']} hangs={stats['hangs']} default-bodies={stats['default']} non-json={stats['ctype']} "
            f"unexpected-resets={unexpected_resets} crashed={'no' if alive else 'YES'} "
            f"parser-rejects={stats['parser']} early-close={stats['resets']} distinct-findings={len(problems)} peak-rss={rss // 1024 if rss else '?'}MiB")
    log("fuzz families: " + fams)
    return ok, line


# ---------------------------------------------------------------------------------------------
# Area 2: schemathesis against our own description of the Smartcar v2.0 routes


def area_schema(binary, budget, seed):
    import yaml
    examples = 100 if budget == "full" else 10
    server = Server(binary, name="schema").start()
    try:
        cl = Client(server.host, server.port, timeout=30)
        c = Creds(cl, dimo=False)
        with open(os.path.join(ROOT, "scripts", "hardening.d", "smartcar-v2.openapi.yaml")) as f:
            doc = yaml.safe_load(f)
        doc["components"]["parameters"]["vehicle_id"]["schema"] = {"type": "string", "enum": c.vids}
        doc["servers"] = [{"url": f"http://{server.host}:{server.port}/v2.0"}]
        tmp = tempfile.mkdtemp(prefix="h14-schema-")
        spec = os.path.join(tmp, "spec.json")
        with open(spec, "w") as f:
            json.dump(doc, f)
        cassette = os.path.join(tmp, "cassette.yaml")
        st = os.path.join(os.path.dirname(sys.executable), "st")
        cmd = [st, "run", spec, "--base-url", f"http://{server.host}:{server.port}/v2.0",
               "-H", f"Authorization: Bearer {c.access}", "--checks", "response_schema_conformance,content_type_conformance,status_code_conformance",
               "--hypothesis-max-examples", str(examples), "--hypothesis-seed", str(seed), "--hypothesis-phases", "explicit,generate",
               "--data-generation-method", "all", "--request-timeout", "15000", "--cassette-path", cassette, "--no-color",
               "--exitfirst" if False else "--max-response-time", "15000"]
        t0 = time.monotonic()
        env = dict(os.environ, SCHEMATHESIS_TELEMETRY="false")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
        out = proc.stdout + proc.stderr
        with open(os.path.join(OUT_DIR, "schemathesis.log"), "w") as f:
            f.write(out)
        requests = 0
        if os.path.exists(cassette):
            with open(cassette) as f:
                requests = sum(1 for line in f if line.startswith("- id:"))
        summary = (re.findall(r"=+ (.*? in [0-9.]+s) =+", out) or [""])[-1]
        def count(word):
            m = re.search(r"(\d+) " + word, summary)
            return int(m.group(1)) if m else 0
        passed_ops, failed_ops, errored = count("passed"), count("failed"), count("errored")
        if failed_ops or errored or proc.returncode != 0:
            for block in re.findall(r"_{5,} (.+?) _{5,}\n(.*?)(?=\n_{5,}|\n={5,})", out, re.S)[:20]:
                finding("schema", block[0].strip() + ": " + " ".join(block[1].split())[:400])
        alive = server.alive()
        ok = proc.returncode == 0 and alive
        return ok, (f"schema: {requests} requests over {passed_ops + failed_ops + errored} operations, {passed_ops} passed, "
                    f"{failed_ops} failed, {errored} errored (checks: response schema, content type, status code; 5xx other than upstream 501s is the fuzz area's check; "
                    f"{examples} examples each, positive and negative) in {time.monotonic() - t0:.0f}s; crashed={'no' if alive else 'YES'}")
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# Area 3: durability under kill -9


def possible_final_values(log_):
    """The values a key may hold after concurrent writes: those of every write that no acknowledged write
    started after. Entries are [value, acked, sent_at, acked_at]; an unacknowledged write may have landed at
    any time after it was sent. (Taking the order the writes were *sent* in would wrongly call a value lost
    when two writers' requests overtake each other on the way.)"""
    acked_starts = [e[2] for e in log_ if e[1]]
    return {e[0] for e in log_ if not any(start > (e[3] if e[1] else float("inf")) for start in acked_starts)}


def area_durability(binary, budget, seed):
    rounds = 8 if budget == "full" else 3
    rnd = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="h14-durability-")
    db = os.path.join(tmp, "fleet.sqlite")
    server = Server(binary, db=db, name="durability", extra=["--tick", "0"]).start()
    cl = Client(server.host, server.port, timeout=30)
    s1 = Creds(cl, body={"clock": {"frozen": True}, "historyDays": 1}, dimo=False)   # PATCHes and commands
    r = call(cl, "POST", "/__fleetmock/sandboxes", {"clock": {"frozen": True}, "historyDays": 0})
    s2 = r.json()["id"]                                                               # clock advances
    clock0 = call(cl, "GET", f"/__fleetmock/sandboxes/{s2}/clock").json()["now"]
    vin_of = {v["smartcarId"]: v["vin"] for v in s1.vehicles}
    vins = [v["vin"] for v in s1.vehicles][:4]
    # write logs: key -> list of (value, acked)
    temps = {vin: [] for vin in vins}
    locks = {vid: [] for vid in s1.vids[:4]}
    advances = []         # acked bool per "1m" advance
    sandboxes = []        # (id or None, acked)
    lock = threading.Lock()
    lost = []
    checked = [0]
    kills = [0]

    def writer(wid, stop_at):
        w = Client(server.host, server.port, timeout=10)
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            op = rnd.random()
            try:
                if op < 0.4:
                    vin = rnd.choice(vins)
                    val = round(10 + (wid * 100000 + n) % 1500 / 100, 2)
                    with lock:
                        temps[vin].append([val, False, time.monotonic(), None])
                        entry = temps[vin][-1]
                    r = call(w, "PATCH", f"/__fleetmock/sandboxes/{s1.id}/vehicles/{vin}", {"state": {"cabinTempC": val}})
                elif op < 0.7:
                    vid = rnd.choice(list(locks))
                    act = rnd.choice(["LOCK", "UNLOCK"])
                    with lock:
                        locks[vid].append([act == "LOCK", False, time.monotonic(), None])
                        entry = locks[vid][-1]
                    r = call(w, "POST", f"/v2.0/vehicles/{vid}/security", {"action": act}, headers={"Authorization": "Bearer " + s1.access})
                elif op < 0.85:
                    with lock:
                        advances.append([None, False])
                        entry = advances[-1]
                    r = call(w, "POST", f"/__fleetmock/sandboxes/{s2}/clock", {"advance": "1m"})
                else:
                    with lock:
                        sandboxes.append([None, False])
                        entry = sandboxes[-1]
                    r = call(w, "POST", "/__fleetmock/sandboxes", {"seed": n, "vehicles": 1, "historyDays": 0})
                    if r.status == 201:
                        entry[0] = r.json()["id"]
                if 200 <= r.status < 300:
                    entry[1] = True
                    if len(entry) > 2:
                        entry[3] = time.monotonic()
                elif r.status != 409:
                    finding("durability", f"write answered {r.status}: {r.body[:200]!r}")
            except (HTTPFail, OSError):
                return  # the server was killed mid-request: this write is unacknowledged

    def verify():
        v = Client(server.host, server.port, timeout=30)
        for vin, log_ in temps.items():
            acked = [i for i, e in enumerate(log_) if e[1]]
            if not acked:
                continue
            allowed = possible_final_values(log_)
            got = call(v, "GET", f"/__fleetmock/sandboxes/{s1.id}/vehicles/{vin}").json()["state"]["cabinTempC"]
            checked[0] += len(acked)
            if not any(abs(got - a) < 0.006 for a in allowed):
                lost.append(f"PATCH cabinTempC on {vin}: last acknowledged {log_[acked[-1]][0]}, found {got}")
        for vid, log_ in locks.items():
            acked = [i for i, e in enumerate(log_) if e[1]]
            if not acked:
                continue
            allowed = possible_final_values(log_)
            got = call(v, "GET", f"/__fleetmock/sandboxes/{s1.id}/vehicles/{vin_of[vid]}").json()["state"]["isLocked"]
            checked[0] += len(acked)
            if got not in allowed:
                lost.append(f"security {vid}: last acknowledged isLocked={log_[acked[-1]][0]}, found {got}")
        acked_adv = sum(1 for e in advances if e[1])
        now = call(v, "GET", f"/__fleetmock/sandboxes/{s2}/clock").json()["now"]
        t_now = _ts(now) - _ts(clock0)
        checked[0] += acked_adv
        if t_now + 0.5 < acked_adv * 60 or t_now > len(advances) * 60 + 0.5:
            lost.append(f"clock advances: {acked_adv} acknowledged of {len(advances)} sent, clock moved {t_now:.0f}s")
        for sid, acked in sandboxes:
            if acked:
                checked[0] += 1
                r = call(v, "GET", f"/__fleetmock/sandboxes/{sid}")
                if r.status != 200:
                    lost.append(f"sandbox {sid} acknowledged with 201, now {r.status}")

    integrity = []
    t0 = time.monotonic()
    for rnd_i in range(rounds):
        stop_at = time.monotonic() + rnd.uniform(1.0, 4.0 if budget == "short" else 8.0)
        threads = [threading.Thread(target=writer, args=(i, stop_at + 30), daemon=True) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(max(0, stop_at - time.monotonic()))
        server.kill()  # SIGKILL, mid-load
        kills[0] += 1
        for t in threads:
            t.join(15)
        con = sqlite3.connect(db)
        integrity.append(con.execute("PRAGMA integrity_check").fetchone()[0])
        con.close()
        server = Server(binary, db=db, name="durability", extra=["--tick", "0"]).start()
        verify()
    alive = server.alive()
    server.stop()
    acked = checked[0]
    bad_integrity = [x for x in integrity if x != "ok"]
    for x in lost:
        finding("durability", "lost: " + x)
    ok = not lost and not bad_integrity and alive
    writes = sum(len(x) for x in temps.values()) + sum(len(x) for x in locks.values()) + len(advances) + len(sandboxes)
    return ok, (f"durability: {kills[0]} kill -9 under load, {writes} writes sent, {acked} acknowledged writes checked "
                f"(cumulative over restarts), {len(lost)} lost, integrity_check ok {len(integrity) - len(bad_integrity)}/{len(integrity)}, "
                f"restarted {kills[0]}/{kills[0]} in {time.monotonic() - t0:.0f}s")


def _ts(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# ---------------------------------------------------------------------------------------------
# Area 4: load (64 connections) and many sandboxes


def area_load(binary, budget, seed):
    seconds = 60 if budget == "full" else 10
    sandbox_count = 1000 if budget == "full" else 200
    # historyDays 1: a default sandbox simulates 30 days of history (~1.2 s each in a debug build), which
    # measures the simulator, not the per-sandbox cost; the fleet is the same size.
    sb_body = {"historyDays": 1}
    server = Server(binary, name="load").start()
    cl = Client(server.host, server.port, timeout=30)
    c = Creds(cl)
    tid = c.token_ids[0]
    now = time.time()
    sig_q = json.dumps({"query": "{ signals(tokenId: %d, interval: \"1h\", from: \"%s\", to: \"%s\") { timestamp speed(agg: AVG) } }" % (
        tid, time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now - 2 * 86400)), time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now)))})
    sc = {"Authorization": "Bearer " + c.access}
    # Clock advances go to a second sandbox: the vehicle JWT expires (correctly) by its sandbox's clock.
    clock_sb = call(cl, "POST", "/__fleetmock/sandboxes", {"historyDays": 0}).json()["id"]
    stats = {"requests": 0, "errors": 0}
    seen = set()
    lat = []
    lock = threading.Lock()

    def worker(wid, stop_at):
        rnd = random.Random(seed + wid)
        w = Client(server.host, server.port, timeout=30)
        while time.monotonic() < stop_at:
            op = rnd.random()
            vid = rnd.choice(c.vids)
            try:
                t = time.monotonic()
                if op < 0.5:
                    r = call(w, "GET", f"/v2.0/vehicles/{vid}/" + rnd.choice(["odometer", "location", "battery", "security", "charge"]), headers=sc)
                elif op < 0.65:
                    r = call(w, "POST", f"/v2.0/vehicles/{vid}/security", {"action": rnd.choice(["LOCK", "UNLOCK"])}, headers=sc)
                elif op < 0.9:
                    r = w.request("POST", "/telemetry/query", {"Authorization": "Bearer " + c.vehicle_jwt, "Content-Type": "application/json"}, sig_q)
                else:
                    r = call(w, "POST", f"/__fleetmock/sandboxes/{clock_sb}/clock", {"advance": "10s"})
                # Smartcar's own 409 VEHICLE_STATE (in motion, door open) and 501 VEHICLE_NOT_CAPABLE are answers, not errors.
                vendor = r.status in (409, 501) and b'"statusCode"' in r.body[:20]
                bad = not (200 <= r.status < 300 or vendor) or (b'"errors"' in r.body[:20])
                if bad and (r.status, r.body[:60]) not in seen:
                    seen.add((r.status, r.body[:60]))
                    finding("load", f"{r.status} {r.body[:200]!r}")
            except HTTPFail as exc:
                bad = True
                finding("load", f"transport {exc}")
            with lock:
                stats["requests"] += 1
                stats["errors"] += bad
                lat.append(time.monotonic() - t)

    rss = []
    t0 = time.monotonic()
    for round_i in range(2):
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=worker, args=(round_i * 100 + i, stop_at), daemon=True) for i in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)
        rss.append(server.rss_kb())
    load_time = time.monotonic() - t0
    lat.sort()
    p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else 0
    growth = (rss[1] - rss[0]) / rss[0] if rss[0] else 0
    load_ok = stats["errors"] == 0 and growth < 0.15 and server.alive()

    # Many sandboxes
    base_count = len(call(cl, "GET", "/__fleetmock/sandboxes").json().get("sandboxes", []))
    ids, times, mem = [], [], []
    rss_before = server.rss_kb()
    for i in range(sandbox_count):
        t = time.monotonic()
        r = call(cl, "POST", "/__fleetmock/sandboxes", sb_body)
        times.append(time.monotonic() - t)
        if r.status != 201:
            finding("load", f"sandbox #{i}: {r.status} {r.body[:200]!r}")
            break
        ids.append(r.json()["id"])
        if (i + 1) % 100 == 0:
            mem.append(server.rss_kb())
    per_ms_first = sum(times[:100]) / max(1, len(times[:100])) * 1000
    per_ms_last = sum(times[-100:]) / max(1, len(times[-100:])) * 1000
    kb_first = (mem[0] - rss_before) / 100 if mem else 0
    kb_last = (mem[-1] - mem[-2]) / 100 if len(mem) >= 2 else kb_first
    rss_peak = server.rss_kb()
    deleted = 0
    for sid in ids:
        r = call(cl, "DELETE", f"/__fleetmock/sandboxes/{sid}")
        deleted += 200 <= r.status < 300
    after = len(call(cl, "GET", "/__fleetmock/sandboxes").json().get("sandboxes", []))
    rss_after = server.rss_kb()
    # Memory returned to the allocator is not always returned to the OS; a second create/delete cycle of the
    # same size must not grow RSS much (no leak per sandbox).
    for i in range(min(200, sandbox_count)):
        r = call(cl, "POST", "/__fleetmock/sandboxes", sb_body)
        if r.status == 201:
            call(cl, "DELETE", f"/__fleetmock/sandboxes/{r.json()['id']}")
    rss_cycle = server.rss_kb()
    alive = server.alive()
    server.stop()
    flat_time = per_ms_last <= per_ms_first * 2 + 5
    flat_mem = kb_last <= max(kb_first * 2, kb_first + 64)
    freed = deleted == len(ids) and after == base_count and rss_cycle <= rss_after * 1.05 + 4096
    ok = load_ok and len(ids) == sandbox_count and flat_time and flat_mem and freed and alive
    return ok, (f"load: 64 connections x 2 rounds of {seconds}s: {stats['requests']} requests, {stats['errors']} errors, p99 {p99:.0f}ms, "
                f"RSS {rss[0] // 1024}->{rss[1] // 1024}MiB ({growth * 100:+.1f}%); sandboxes: {len(ids)} created, "
                f"first 100 {per_ms_first:.1f}ms/{kb_first:.0f}KB each, last 100 {per_ms_last:.1f}ms/{kb_last:.0f}KB each, "
                f"{deleted} deleted (list back to {after}), RSS {rss_before // 1024}->{rss_peak // 1024}->{rss_after // 1024}MiB, "
                f"after another 200 create+delete {rss_cycle // 1024}MiB")


# ---------------------------------------------------------------------------------------------

AREAS = ["fuzz", "schema", "durability", "load"]


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", choices=["short", "full"], default="short")
    ap.add_argument("--areas", default=",".join(AREAS))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("HARDENING_SEED", "14")))
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    binary = os.environ.get("FLEETMOCK_BIN") or os.path.join(ROOT, ".build", "debug", "fleetmock")
    if not os.access(binary, os.X_OK):
        print(f"hardening: no fleetmock binary at {binary} (build it or set FLEETMOCK_BIN)", file=sys.stderr)
        return 2
    os.makedirs(OUT_DIR, exist_ok=True)
    random.seed(args.seed)
    passed = failed = 0
    t0 = time.monotonic()
    for name in args.areas.split(","):
        fn = globals().get("area_" + name.strip())
        if fn is None:
            print(f"{name}: unknown area", flush=True)
            failed += 1
            continue
        start = time.monotonic()
        try:
            ok, line = fn(binary, args.budget, args.seed)
        except Exception as exc:  # an area that cannot run is a failure, with the reason
            ok, line = False, f"{name}: could not run: {type(exc).__name__}: {exc}"
        print(f"{'PASS' if ok else 'FAIL'} {line} [{time.monotonic() - start:.0f}s]", flush=True)
        passed += ok
        failed += not ok
    with open(os.path.join(OUT_DIR, "findings.txt"), "w") as f:
        for area, text in FINDINGS:
            f.write(f"[{area}] {text}\n")
    if FINDINGS:
        print(f"findings: {len(FINDINGS)} (one reproducer each) in {os.path.relpath(os.path.join(OUT_DIR, 'findings.txt'), ROOT)}", flush=True)
    print(f"{passed} passed, {failed} failed ({time.monotonic() - t0:.0f}s, budget {args.budget})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
