#!/usr/bin/env python3
"""fleetmock scenario driver: runs official SDK calls for ``fleetmock check``.

    <venv>/bin/python driver.py --sdk smartcar6|smartcar3|dimo --server http://127.0.0.1:PORT

One long-lived process per SDK. It reads one JSON object per line on stdin:

    {"id": N, "session": "...", "op": "...", "args": {...},
     "context": {"server": URL, "sandbox": <GET /__fleetmock/sandboxes/{id}>}}

and writes one JSON line per request on stdout, in any order:

    {"id": N, "ok": true, "result": ...}
    {"id": N, "ok": false, "error": {"class", "module", "message", "attributes"}}
    {"id": N, "ok": false, "driverError": "..."}
    {"id": N, "ok": false, "unsupported": "..."}

A result or error may add ``"typed": [PATH, ...]``: the paths (``""``,
``meta``, ``items[0]``) of objects whose keys the SDK version's own types fix
(NamedTuples, dataclasses, SDK exceptions). A key missing there is a field
this version does not have, not a field the server left out.

``error`` is an exception the SDK raised; ``driverError`` means the operation
itself is unknown or misused (bad arguments, no ``connect`` yet, ...);
``unsupported`` means the installed SDK version cannot express the request
(an argument its signature lacks, a Connect mode it cannot ask for): the
runner skips such a case on a version other than the pinned one.
``{"op": "__describe__"}`` answers ``{"sdk", "package", "version", "ops"}``;
``{"op": "__end__", "session": ...}`` forgets a session. Requests run on a
thread pool; stdout carries nothing but protocol lines (anything the SDKs
print goes to stderr). The driver exits when stdin closes.

Operations are named as the SDK spells them (see scenarios/README.md,
"Driver operations"): smartcar top-level functions (``get_user``), ``auth.*``
(AuthClient), ``vehicle.*`` (Vehicle); for DIMO ``<module>.<method>`` of a
``DIMO`` client plus its own ``query``/``request``. Harness operations:
``connect``, ``login``, ``exchange``, ``control``. Everything is enumerated
by introspection of the installed SDK.

Only the standard library, the SDK and requests are used.
"""

import argparse
import collections.abc
import concurrent.futures
import copy
import dataclasses
import datetime
import decimal
import enum
import importlib
import inspect
import json
import math
import os
import pkgutil
import re
import sys
import threading
import traceback
import types
import uuid

# --- stdout belongs to the protocol -----------------------------------------
# Keep a private handle on the real stdout, then point fd 1 (and sys.stdout) at
# stderr, so prints from the SDKs (or C extensions) cannot corrupt the stream.
_PROTO = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
os.dup2(2, 1)
sys.stdout = sys.stderr
sys.dont_write_bytecode = True

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import requests  # noqa: E402

import fleetmock_client as fc  # noqa: E402

WORKERS = 8
SANDBOX_HEADER = "X-Fleetmock-Sandbox"
DIMO_CHAIN_ID = 137
DEFAULT_PRIVILEGES = [1, 2, 3, 4, 5, 6]

_write_lock = threading.Lock()
_tls = threading.local()  # per worker: the sandbox id of the request in hand


def emit(obj):
    line = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
    with _write_lock:
        _PROTO.write(line + "\n")
        _PROTO.flush()


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


class DriverError(Exception):
    """The operation is unknown or misused: answered as ``driverError``."""


class Unsupported(DriverError):
    """This SDK version cannot express the request: answered as ``unsupported``."""


class SDKRaised(Exception):
    """Wraps an exception raised from inside an SDK call."""

    def __init__(self, exc):
        super().__init__(str(exc))
        self.exc = exc


def sdk(fn, *args, **kwargs):
    """Call into the SDK; whatever it raises becomes an ``error`` answer."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every SDK exception is reported
        raise SDKRaised(exc) from exc


def _exc_message(exc):
    try:
        return str(exc)
    except Exception:  # noqa: BLE001
        return repr(exc)


def exception_attributes(exc):
    """Public instance attributes of an exception, JSON-ready.

    requests exceptions carry ``request``/``response`` objects: those become
    ``status_code`` and ``body`` (parsed JSON if possible, else text).
    """
    attrs = {}
    for key, value in vars(exc).items():
        if key.startswith("_"):
            continue
        if isinstance(exc, requests.RequestException) and key in ("request", "response"):
            continue
        attrs[key] = value
    if isinstance(exc, requests.RequestException):
        resp = getattr(exc, "response", None)
        if resp is not None:
            attrs["status_code"] = resp.status_code
            attrs["body"] = _response_body(resp)
    return to_json(attrs)


def error_object(exc, driver=None):
    cls = type(exc)
    err = {
        "class": cls.__name__,
        "module": cls.__module__,
        "message": _exc_message(exc),
        "attributes": exception_attributes(exc),
    }
    if driver is not None:
        driver.adapt_error(exc, err)
    cause = exc.__cause__ or exc.__context__
    if cause is not None and not isinstance(cause, SDKRaised):
        err["cause"] = {
            "class": type(cause).__name__,
            "module": type(cause).__module__,
            "message": _exc_message(cause),
        }
    return err


def flat_error(exc):
    """An SDK exception inside a result (batch items): class and attributes flat."""
    err = error_object(exc)
    flat = {"class": err["class"], "module": err["module"], "message": err["message"]}
    for key, value in err["attributes"].items():
        flat.setdefault(key, value)
    return flat


# ---------------------------------------------------------------------------
# results as JSON
# ---------------------------------------------------------------------------


def _response_body(resp):
    try:
        return resp.json()
    except Exception:  # noqa: BLE001
        try:
            return resp.text
        except Exception:  # noqa: BLE001
            return None


def _bytes_text(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def to_json(value, depth=0):
    """Serialise an SDK value generically (see the module docstring)."""
    if depth > 64:
        return repr(value)
    d = depth + 1
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, enum.Enum):
        return to_json(value.value, d)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes_text(bytes(value))
    if isinstance(value, requests.Response):
        return {
            "status_code": value.status_code,
            "headers": dict(value.headers),
            "body": _response_body(value),
        }
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # namedtuple
        return {str(k): to_json(v, d) for k, v in value._asdict().items()}
    if isinstance(value, collections.abc.Mapping):
        return {str(k): to_json(v, d) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v, d) for v in value]
    if isinstance(value, (types.GeneratorType, collections.abc.Iterator)):
        return [to_json(v, d) for v in value]
    if isinstance(value, types.FunctionType):
        # smartcar 6 batch: each attribute is a lambda returning the item's
        # NamedTuple or raising its SmartcarException.
        try:
            return to_json(value(), d)
        except Exception as exc:  # noqa: BLE001
            return {"error": flat_error(exc)}
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, BaseException):
        return flat_error(value)
    if dataclasses.is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name), d) for f in dataclasses.fields(value)}
    if hasattr(value, "__dict__"):
        return {k: to_json(v, d) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


# ---------------------------------------------------------------------------
# context and sessions
# ---------------------------------------------------------------------------


class Context:
    def __init__(self, raw, default_server):
        raw = raw or {}
        if not isinstance(raw, dict):
            raise DriverError("context must be an object")
        self.server = (raw.get("server") or default_server).rstrip("/")
        self.sandbox = raw.get("sandbox") or {}
        if not isinstance(self.sandbox, dict):
            raise DriverError("context.sandbox must be an object")

    @property
    def sandbox_id(self):
        return self.sandbox.get("id")

    def need(self, *keys):
        """A value of the sandbox credentials, by path."""
        cur = self.sandbox
        for key in keys:
            if isinstance(cur, dict) and key in cur:
                cur = cur[key]
            elif isinstance(cur, list) and isinstance(key, int) and 0 <= key < len(cur):
                cur = cur[key]
            else:
                raise DriverError(f"context.sandbox has no {'.'.join(map(str, keys))}")
        return cur

    @property
    def vehicles(self):
        return self.sandbox.get("vehicles") or []

    def sandbox_vehicle(self, index):
        if isinstance(index, bool) or not isinstance(index, int):
            raise DriverError(f"vehicle must be an integer index, got {index!r}")
        vehicles = self.vehicles
        if not 0 <= index < len(vehicles):
            raise DriverError(f"vehicle index {index} out of range: the sandbox has "
                              f"{len(vehicles)} vehicles")
        return vehicles[index]

    def vehicle_by(self, key, value):
        for v in self.vehicles:
            if v.get(key) == value:
                return v
        return None

    # owners ---------------------------------------------------------------
    def owner(self, vehicle):
        """The users[] entry owning ``vehicle`` (a sandbox vehicles[] entry)."""
        owner = vehicle.get("owner")
        if owner is None and self.sandbox_id and vehicle.get("vin"):
            try:
                resp = requests.get(
                    f"{self.server}/__fleetmock/sandboxes/{self.sandbox_id}/vehicles/"
                    f"{vehicle['vin']}", timeout=30)
                if resp.ok:
                    owner = resp.json().get("owner")
            except (requests.RequestException, ValueError):
                owner = None
        if owner is None:
            return None
        if isinstance(owner, dict):
            keys = {str(x).lower() for x in owner.values() if isinstance(x, (str, int))}
        else:
            keys = {str(owner).lower()}
        for user in self.sandbox.get("users") or []:
            ids = {str(x).lower() for x in user.values() if isinstance(x, (str, int))}
            if ids & keys:
                return user
        if isinstance(owner, dict):
            return owner
        return {"email": owner} if "@" in str(owner) else None


class Session:
    def __init__(self):
        self.lock = threading.Lock()
        # smartcar
        self.access = None
        self.vehicle_ids = []
        self.vehicles = {}  # (vehicle_id, access_token) -> Vehicle
        # dimo
        self.dev_jwt = None
        self.token_id = None
        self.vehicle_jwt = None
        self.jwts = {}  # token id -> vehicle JWT


_MISSING = object()


def _parse_datetime(text):
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is not None:  # the SDKs compare with naive utcnow()
        dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return dt


class Call:
    """One SDK operation: how to reach the callable and fill its arguments."""

    def __init__(self, name, resolve, fill=None, after=None):
        self.name = name
        self.resolve = resolve  # (driver, session, ctx, args) -> callable
        # (driver, session, ctx, name, parameter, kwargs, extra) -> value or _MISSING
        self.fill = fill
        self.after = after      # (driver, session, ctx, kwargs, result) -> None


# ---------------------------------------------------------------------------
# driver base
# ---------------------------------------------------------------------------


class Driver:
    sdk_name = ""
    package = ""

    def __init__(self, server):
        self.server = server.rstrip("/")
        self.sessions = {}
        self.sessions_lock = threading.Lock()
        self.calls = {}    # op -> Call
        self.harness = {}  # op -> handler(session, ctx, args)
        self.configure()
        self.enumerate()
        self.harness["control"] = self.op_control

    # to override
    def configure(self):
        pass

    def enumerate(self):
        pass

    @property
    def version(self):
        from importlib.metadata import version
        return version(self.package)

    def ops(self):
        return sorted(set(self.calls) | set(self.harness))

    def adapt_error(self, exc, err):
        """Adjust the error object of an exception this SDK raised, where a
        version renders the same server answer differently (in place)."""

    def describe(self):
        return {"sdk": self.sdk_name, "package": self.package, "version": self.version,
                "ops": self.ops()}

    def session(self, name):
        with self.sessions_lock:
            sess = self.sessions.get(name)
            if sess is None:
                sess = self.sessions[name] = Session()
            return sess

    def end(self, name):
        with self.sessions_lock:
            self.sessions.pop(name, None)

    # dispatch ------------------------------------------------------------
    def handle(self, msg):
        op = msg.get("op")
        if not isinstance(op, str) or not op:
            raise DriverError("missing op")
        args = msg.get("args")
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise DriverError("args must be an object")
        ctx = Context(msg.get("context"), self.server)
        sess = self.session(str(msg.get("session") or ""))
        _tls.sandbox_id = ctx.sandbox_id
        try:
            with sess.lock:
                if op in self.harness:
                    return self.harness[op](sess, ctx, dict(args))
                call = self.calls.get(op)
                if call is None:
                    raise DriverError(f"unknown op {op!r} for {self.sdk_name}")
                return self.run_call(call, sess, ctx, dict(args))
        finally:
            _tls.sandbox_id = None

    def run_call(self, call, sess, ctx, args):
        fn = call.resolve(self, sess, ctx, args)
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            sig = None
        kwargs = dict(args)
        extra = {"_op": call.name}
        params = sig.parameters if sig is not None else {}
        has_var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
        # `vehicle` selects a vehicle for the filled-in arguments, unless the
        # method itself takes a parameter of that name.
        if "vehicle" in kwargs and "vehicle" not in params:
            extra["vehicle"] = kwargs.pop("vehicle")
        if sig is not None:
            for name, p in params.items():
                if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or name in kwargs:
                    continue
                value = _MISSING
                if call.fill is not None:
                    value = call.fill(self, sess, ctx, name, p, kwargs, extra)
                if value is not _MISSING:
                    kwargs[name] = value
                elif p.default is not p.empty and isinstance(p.default, (dict, list)):
                    # A fresh copy of a mutable default: the SDKs mutate some
                    # (smartcar 6 Vehicle.request's headers={}), which would
                    # leak one session's token into the next.
                    kwargs[name] = copy.deepcopy(p.default)
            for name, p in params.items():
                if name in kwargs and name == "expiration" and isinstance(kwargs[name], str):
                    try:
                        kwargs[name] = _parse_datetime(kwargs[name])
                    except ValueError as exc:
                        raise DriverError(f"{name}: not an ISO 8601 datetime: {exc}")
            if not has_var_kw:
                unknown = set(kwargs) - set(params)
                if unknown:
                    raise Unsupported(f"{call.name} in {self.package} {self.version} takes no "
                                      f"argument {', '.join(sorted(unknown))}")
            try:
                sig.bind(**kwargs)
            except TypeError as exc:
                raise DriverError(f"{call.name}: bad arguments: {exc}")
        result = sdk(fn, **kwargs)
        _tls.typed = typed_paths(result)
        if call.after is not None:
            call.after(self, sess, ctx, kwargs, result)
        return sdk(to_json, result)

    # harness: control ----------------------------------------------------
    def op_control(self, sess, ctx, args):
        check_args("control", args, {"method", "path", "body"})
        sid = ctx.sandbox_id
        if not sid:
            raise DriverError("control: context.sandbox has no id")
        path = args.get("path") or ""
        if not isinstance(path, str):
            raise DriverError("control: path must be a string")
        if path and not path.startswith("/"):
            path = "/" + path
        body = args.get("body", _MISSING)
        method = (args.get("method") or ("GET" if body is _MISSING else "POST")).upper()
        kwargs = {"timeout": 60}
        if body is not _MISSING:
            kwargs["json"] = body
        try:
            resp = requests.request(method, f"{ctx.server}/__fleetmock/sandboxes/{sid}{path}",
                                    **kwargs)
        except requests.RequestException as exc:
            raise DriverError(f"control: {method} {path}: {exc}")
        body = None
        if resp.content:
            try:
                body = resp.json()
            except ValueError:
                body = resp.text
        return {"status": resp.status_code, "body": body}


def page_errors(resp):
    """The text of a Connect page's error elements (class "error"), if any."""
    try:
        html = resp.text
    except Exception:  # noqa: BLE001
        return ""
    found = re.findall(r'<[^>]*class="[^"]*\berror\b[^"]*"[^>]*>(.*?)</', html, re.S)
    return "; ".join(t for t in (re.sub(r"<[^>]+>", "", f).strip() for f in found) if t)


def check_args(op, args, allowed):
    unknown = set(args) - set(allowed)
    if unknown:
        raise DriverError(f"{op}: unknown arguments {sorted(unknown)} "
                          f"(allowed: {sorted(allowed)})")


def public_functions(cls):
    """Public functions defined on ``cls`` or its SDK bases, by name."""
    names = []
    for name, member in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        if inspect.isfunction(member) or inspect.ismethod(member):
            names.append(name)
    return sorted(names)


def parameters(fn):
    """The parameter names ``fn`` (or a class's ``__init__``) takes; empty if unknown."""
    try:
        return set(inspect.signature(fn).parameters) - {"self"}
    except (TypeError, ValueError):
        return set()


def module_functions(module):
    return sorted(n for n, f in inspect.getmembers(module, inspect.isfunction)
                  if not n.startswith("_") and f.__module__ == module.__name__)


# ---------------------------------------------------------------------------
# Smartcar (6.x and 3.x)
# ---------------------------------------------------------------------------


class SmartcarDriver(Driver):
    package = "smartcar"

    # version specific -----------------------------------------------------
    def access_field(self, access, name):
        raise NotImplementedError

    def make_auth_client(self, ctx, mode=None, scope=None):
        raise NotImplementedError

    def auth_url(self, client, scope, state, make, force):
        raise NotImplementedError

    def list_vehicle_ids(self, token):
        raise NotImplementedError

    def make_vehicle(self, vehicle_id, token):
        return self.smartcar.Vehicle(vehicle_id, token)

    # introspection -----------------------------------------------------------
    def enumerate(self):
        import smartcar.smartcar as top
        self.top = top
        for name in module_functions(top):
            self.calls[name] = Call(name, self._resolve_top(name), self.fill_smartcar,
                                    self.after_smartcar)
        for name in public_functions(self.smartcar.AuthClient):
            op = f"auth.{name}"
            self.calls[op] = Call(op, self._resolve_auth(name), self.fill_smartcar,
                                  self.after_smartcar)
        for name in public_functions(self.smartcar.Vehicle):
            op = f"vehicle.{name}"
            self.calls[op] = Call(op, self._resolve_vehicle(name), self.fill_smartcar,
                                  self.after_smartcar)
        self.harness["connect"] = self.op_connect

    def _resolve_top(self, name):
        def resolve(driver, sess, ctx, args):
            return getattr(driver.top, name)
        return resolve

    def _resolve_auth(self, name):
        def resolve(driver, sess, ctx, args):
            client = sdk(driver.make_auth_client, ctx)
            return getattr(client, name)
        return resolve

    def _resolve_vehicle(self, name):
        def resolve(driver, sess, ctx, args):
            selector = args.pop("vehicle", 0)
            token = driver.session_token(sess)
            vid = driver.select_vehicle_id(sess, ctx, selector)
            key = (vid, token)
            car = sess.vehicles.get(key)
            if car is None:
                car = sess.vehicles[key] = sdk(driver.make_vehicle, vid, token)
            return getattr(car, name)
        return resolve

    # session values --------------------------------------------------------
    def session_token(self, sess):
        if sess.access is None:
            raise DriverError("no access token in this session: run `connect` first")
        return self.access_field(sess.access, "access_token")

    def select_vehicle_id(self, sess, ctx, selector):
        if isinstance(selector, bool):
            raise DriverError(f"vehicle must be an index or an id, got {selector!r}")
        if isinstance(selector, int):
            if not sess.vehicle_ids:
                raise DriverError("no vehicle ids in this session: run `connect` first")
            if not 0 <= selector < len(sess.vehicle_ids):
                raise DriverError(f"vehicle index {selector} out of range: the session has "
                                  f"{len(sess.vehicle_ids)} vehicles {sess.vehicle_ids}")
            return sess.vehicle_ids[selector]
        if isinstance(selector, str) and selector:
            v = ctx.vehicle_by("vin", selector)
            return v.get("smartcarId", selector) if v else selector
        raise DriverError(f"vehicle must be an index or an id, got {selector!r}")

    def fill_smartcar(self, driver, sess, ctx, name, p, kwargs, extra):
        required = p.default is p.empty
        if name == "access_token":
            if sess.access is None:
                if required:
                    raise DriverError("no access token in this session: run `connect` first")
                return _MISSING
            return self.access_field(sess.access, "access_token")
        if name == "refresh_token":
            if sess.access is None:
                if required:
                    raise DriverError("no refresh token in this session: run `connect` first")
                return _MISSING
            return self.access_field(sess.access, "refresh_token")
        if name == "expiration":
            if sess.access is None:
                if required:
                    raise DriverError("no access in this session: run `connect` first")
                return _MISSING
            return self.access_field(sess.access, "expiration")
        if name == "vehicle_id":
            return self.select_vehicle_id(sess, ctx, extra.get("vehicle", 0))
        if name == "amt":
            return ctx.need("smartcar", "managementToken")
        if name == "vin" and required:
            selector = extra.get("vehicle", 0)
            if sess.vehicle_ids:
                vid = self.select_vehicle_id(sess, ctx, selector)
                v = ctx.vehicle_by("smartcarId", vid)
                if v and v.get("vin"):
                    return v["vin"]
            if isinstance(selector, int):
                return ctx.sandbox_vehicle(selector).get("vin", _MISSING)
            return _MISSING
        if name == "options" and extra.get("_op") in self.CLIENT_OPTIONS_OPS:
            # get_compatibility / get_compatibility_matrix read the client id
            # and secret from `options` (or from process-wide environment
            # variables, which cannot differ per sandbox).
            return self.client_options(ctx, None)
        return _MISSING

    CLIENT_OPTIONS_OPS = ()

    def client_options(self, ctx, given):
        options = dict(given or {})
        options.setdefault("client_id", ctx.need("smartcar", "clientId"))
        options.setdefault("client_secret", ctx.need("smartcar", "clientSecret"))
        return options

    def after_smartcar(self, driver, sess, ctx, kwargs, result):
        # A new access (auth.exchange_code / auth.exchange_refresh_token)
        # replaces the session's, so later steps use the refreshed token.
        if self.is_access(result):
            sess.access = result

    def is_access(self, value):
        return False

    # harness: connect ------------------------------------------------------
    def op_connect(self, sess, ctx, args):
        check_args("connect", args, {"email", "scope", "mode", "make", "vehicles", "approve",
                                     "state", "force"})
        smartcar_creds = ctx.need("smartcar")
        redirect_uri = smartcar_creds.get("redirectUri")
        if not redirect_uri:
            raise DriverError("context.sandbox.smartcar has no redirectUri")
        email = args.get("email")
        make = args.get("make")
        vehicles = args.get("vehicles")
        if vehicles is not None:
            if not isinstance(vehicles, list):
                raise DriverError("connect: vehicles must be a list")
            vehicles = [self._connect_vehicle(ctx, v) for v in vehicles]
            if make is None and vehicles:
                # One Connect covers one brand: the first listed vehicle's.
                listed = ctx.vehicle_by("smartcarId", vehicles[0])
                if listed is not None:
                    make = listed.get("make")
        mode = args.get("mode")
        if not email and mode in ("test", "simulated"):
            # Test and simulated Connect refuse the sandbox's live owners:
            # any other email makes an account (drive_connect invents one).
            email = None
            if make is None and ctx.vehicles:
                make = ctx.vehicles[0].get("make")
        elif not email:
            if not ctx.vehicles:
                raise DriverError("connect: the sandbox has no vehicles (pass email)")
            first = ctx.vehicles[0]
            owner = ctx.owner(first)
            if not owner or not owner.get("email"):
                raise DriverError(f"connect: cannot find the owner of vehicle 0 "
                                  f"({first.get('vin')}); pass email")
            email = owner["email"]
            if make is None:
                make = first.get("make")
        elif make is None:
            for v in ctx.vehicles:
                owner = ctx.owner(v)
                if owner and str(owner.get("email", "")).lower() == str(email).lower():
                    make = v.get("make")
                    break
        scope = args.get("scope")
        if scope is None:
            scope = list(fc.ALL_SCOPES)
        if isinstance(scope, str):
            scope = scope.split()
        approve = args.get("approve", True)
        force = args.get("force", True)
        client = sdk(self.make_auth_client, ctx, mode=mode, scope=scope)
        url = sdk(self.auth_url, client, scope, args.get("state"), make, force)
        browser = requests.Session()
        last = []

        def remember(resp, *a, **k):
            last[:] = [resp]

        browser.hooks["response"].append(remember)
        try:
            result = fc.drive_connect(url, redirect_uri, email=email, make=make,
                                      approve=bool(approve), vehicles=vehicles,
                                      session=browser)
        except (fc.FleetmockError, requests.RequestException) as exc:
            detail = page_errors(last[0]) if last else ""
            if not detail:
                detail = str(exc)
                detail = detail if len(detail) <= 400 else detail[:400] + "..."
            where = f" at {last[0].request.method} {last[0].url}" if last else ""
            raise DriverError(f"connect: the Connect pages failed{where}: {detail}")
        params = result.params
        if params.get("error") or not result.code:
            out = {"error": params.get("error"),
                   "error_description": params.get("error_description")}
            if "state" in params:
                out["state"] = params["state"]
            return out
        access = sdk(client.exchange_code, result.code)
        token = self.access_field(access, "access_token")
        ids = sdk(self.list_vehicle_ids, token)
        sess.access = access
        sess.vehicle_ids = list(ids)
        sess.vehicles = {}
        out = {"vehicles": list(ids), "access": to_json(access)}
        if "state" in params:
            out["state"] = params["state"]
        return out

    def _connect_vehicle(self, ctx, v):
        if isinstance(v, bool):
            raise DriverError(f"connect: bad vehicle {v!r}")
        if isinstance(v, int):
            sv = ctx.sandbox_vehicle(v)
            if not sv.get("smartcarId"):
                raise DriverError(f"connect: sandbox vehicle {v} has no smartcarId")
            return sv["smartcarId"]
        if isinstance(v, str):
            sv = ctx.vehicle_by("vin", v)
            return sv["smartcarId"] if sv and sv.get("smartcarId") else v
        raise DriverError(f"connect: bad vehicle {v!r}")

    def _collect_pages(self, fetch):
        """Every vehicle id, following offset paging."""
        ids = []
        for _ in range(100):
            page_ids, total = fetch(len(ids))
            ids.extend(page_ids)
            if not page_ids or total is None or len(ids) >= total:
                break
        return ids


class Smartcar6Driver(SmartcarDriver):
    """smartcar 6.x (API v2.0, typed NamedTuple results). Every 6.x release is
    driven by introspection: the origins are whatever ``smartcar.config``
    holds (``API_URL`` before 6.19, ``API_ORIGIN`` after), the access is the
    NamedTuple ``exchange_code`` returns (``smartcar.types`` or
    ``smartcar.v2_response``), and the Connect mode is passed only as far as
    ``AuthClient``'s signature takes it."""

    sdk_name = "smartcar6"

    def configure(self):
        origins = {
            "SMARTCAR_API_ORIGIN": self.server,
            "SMARTCAR_AUTH_ORIGIN": self.server + "/oauth/token",
            "SMARTCAR_CONNECT_ORIGIN": self.server,
            "SMARTCAR_MANAGEMENT_API_ORIGIN": self.server,
            "SMARTCAR_VEHICLE_API_V3_ORIGIN": self.server,
        }
        os.environ.update(origins)
        import smartcar
        import smartcar.config as config
        # Whatever origins this version has, read at call time from config.
        for name in dir(config):
            if name.endswith(("_ORIGIN", "_URL")) and isinstance(getattr(config, name), str):
                setattr(config, name, self.server + "/oauth/token"
                        if name.startswith("AUTH_") else self.server)
        self.smartcar = smartcar

    def access_field(self, access, name):
        return getattr(access, name)

    def is_access(self, value):
        fields = getattr(value, "_fields", ())
        return isinstance(value, tuple) and "access_token" in fields and "refresh_token" in fields

    def connect_mode(self, mode):
        """AuthClient keyword arguments for a Connect mode, as this version takes them."""
        params = parameters(self.smartcar.AuthClient)
        if "mode" in params:
            return {"mode": mode or "live"}
        if mode in (None, "live"):
            return {}
        if mode == "test" and "test_mode" in params:
            return {"test_mode": True}
        raise Unsupported(f"AuthClient in smartcar {self.version} cannot ask for {mode} mode "
                          f"(it takes {', '.join(sorted(params))})")

    def make_auth_client(self, ctx, mode=None, scope=None):
        creds = ctx.need("smartcar")
        return self.smartcar.AuthClient(creds.get("clientId"), creds.get("clientSecret"),
                                        creds.get("redirectUri"), **self.connect_mode(mode))

    def auth_url(self, client, scope, state, make, force):
        options = {}
        if state:
            options["state"] = state
        if force:
            options["force_prompt"] = True
        return client.get_auth_url(scope, options or None)

    def list_vehicle_ids(self, token):
        def fetch(offset):
            res = self.smartcar.get_vehicles(token, {"limit": 50, "offset": offset}
                                             if offset else None)
            return list(res.vehicles), res.paging.count if res.paging else None
        return self._collect_pages(fetch)

    CLIENT_OPTIONS_OPS = ("get_compatibility", "get_compatibility_matrix")

    def run_call(self, call, sess, ctx, args):
        # Options given without credentials still get the sandbox's.
        if call.name in ("get_compatibility", "get_compatibility_matrix") and isinstance(
                args.get("options"), dict):
            args["options"] = self.client_options(ctx, args["options"])
        return super().run_call(call, sess, ctx, args)


class Smartcar3Driver(SmartcarDriver):
    """smartcar 3.x, 4.x and 5.x: API v1.0 with dict results and exceptions
    by HTTP status. 3.x and 4.x put the version in ``const.API_URL``; 5.x
    keeps the origin there and adds ``smartcar.VERSION`` (default 1.0)."""

    sdk_name = "smartcar3"

    def configure(self):
        import smartcar
        import smartcar.const as const
        if hasattr(const, "API_VERSION"):
            const.API_URL = f"{self.server}/v{const.API_VERSION}"
        else:
            const.API_URL = self.server
        const.AUTH_URL = f"{self.server}/oauth/token"
        const.CONNECT_URL = self.server
        self.smartcar = smartcar

    def access_field(self, access, name):
        return access.get(name)

    def is_access(self, value):
        return isinstance(value, dict) and "access_token" in value and "expiration" in value

    def adapt_error(self, exc, err):
        """From smartcar 3.0.3 on (and in 4.x, 5.x), ``StateException`` keeps
        the v1.0 body's ``code`` and its ``str()`` is ``"CODE: message"``
        (``VS_002: Some of the vehicle's trunks are open.``); 3.0.0-3.0.1 have
        no ``code`` and ``str()`` is the message alone. The server answers the
        same body to both, so ``message`` stays the server's message as the SDK
        parsed it (its ``message`` attribute) and the rendering is kept as
        ``rendered``; ``code`` is reported as well. Only exactly that form is
        adapted: any other ``str()`` is reported as it is, so a rendering that
        is not ``code + ": " + message`` still fails the expectation."""
        from smartcar.exceptions import SmartcarException
        code = getattr(exc, "code", None)
        message = getattr(exc, "message", None)
        if (isinstance(exc, SmartcarException)
                and isinstance(code, str) and isinstance(message, str)
                and err["message"] == f"{code}: {message}"):
            err["attributes"]["rendered"] = err["message"]
            err["message"] = message

    def make_auth_client(self, ctx, mode=None, scope=None):
        creds = ctx.need("smartcar")
        if mode not in (None, "live", "test"):
            raise Unsupported(f"AuthClient in smartcar {self.version} cannot ask for {mode} mode "
                              f"(it has test_mode only)")
        return self.smartcar.AuthClient(
            creds.get("clientId"), creds.get("clientSecret"), creds.get("redirectUri"),
            scope=list(scope) if scope is not None else list(fc.ALL_SCOPES),
            test_mode=True if mode == "test" else None)

    def auth_url(self, client, scope, state, make, force):
        return client.get_auth_url(force=bool(force), state=state or None)

    def list_vehicle_ids(self, token):
        def fetch(offset):
            res = self.smartcar.get_vehicle_ids(token, limit=50, offset=offset)
            paging = res.get("paging") or {}
            return list(res.get("vehicles") or []), paging.get("count")
        return self._collect_pages(fetch)


# ---------------------------------------------------------------------------
# DIMO
# ---------------------------------------------------------------------------


class _SandboxSession(requests.Session):
    """A requests session naming the current request's sandbox in a header
    (fleetmock scopes public Identity queries by it). One DIMO client serves
    every session; the header comes from the worker thread."""

    def request(self, method, url, *args, **kwargs):
        sid = getattr(_tls, "sandbox_id", None)
        if sid:
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault(SANDBOX_HEADER, sid)
            kwargs["headers"] = headers
        return super().request(method, url, *args, **kwargs)


class DimoDriver(Driver):
    sdk_name = "dimo"
    package = "dimo-python-sdk"
    ENV = "Local"

    def configure(self):
        from dimo.environments import dimo_environment
        from dimo.constants import dimo_constants
        local = {}
        for key, url in dimo_environment["Production"].items():
            if url.rstrip("/").endswith("/query"):
                local[key] = f"{self.server}/{key.lower()}/query"
            else:
                local[key] = self.server
        dimo_environment[self.ENV] = local
        # token_exchange.exchange(env=...) reads the NFT address from here.
        dimo_constants.setdefault(self.ENV, dict(dimo_constants["Production"]))
        self.nft_address = dimo_constants["Production"]["NFT_address"]
        from dimo import DIMO
        if "session" in parameters(DIMO):
            self.client = DIMO(self.ENV, session=_SandboxSession())
        else:
            # Before 1.3 every request goes through one class-level session.
            import dimo.request as dimo_request
            dimo_request.Request.session = _SandboxSession()
            self.client = DIMO(self.ENV)

    def enumerate(self):
        import dimo
        modules = {}
        for pkg_name in ("dimo.api", "dimo.graphql"):
            try:
                pkg = importlib.import_module(pkg_name)
            except ImportError:
                continue
            for info in pkgutil.iter_modules(pkg.__path__):
                name = info.name
                if name.startswith("_"):
                    continue
                try:
                    service = getattr(self.client, name)
                except AttributeError:
                    continue
                if inspect.ismethod(service) or service is None:
                    continue
                modules[name] = service
        self.modules = modules
        for module, service in modules.items():
            for meth in public_functions(type(service)):
                op = f"{module}.{meth}"
                self.calls[op] = Call(op, self._resolve(module, meth), self.fill_dimo,
                                      self.after_dimo)
        for meth in public_functions(type(self.client)):
            self.calls[meth] = Call(meth, self._resolve(None, meth), self.fill_dimo,
                                    self.after_dimo)
        self.harness["login"] = self.op_login
        self.harness["exchange"] = self.op_exchange
        self.dimo = dimo

    def _resolve(self, module, meth):
        def resolve(driver, sess, ctx, args):
            target = driver.client if module is None else driver.modules[module]
            return getattr(target, meth)
        return resolve

    # session values --------------------------------------------------------
    def _token_id(self, sess, ctx, extra, required):
        selector = extra.get("vehicle", _MISSING)
        if selector is not _MISSING:
            if isinstance(selector, int) and not isinstance(selector, bool):
                tid = ctx.sandbox_vehicle(selector).get("dimoTokenId")
                if tid is None:
                    raise DriverError(f"sandbox vehicle {selector} has no dimoTokenId")
                return tid
            raise DriverError(f"vehicle must be an integer index, got {selector!r}")
        if sess.token_id is not None:
            return sess.token_id
        if ctx.vehicles and ctx.vehicles[0].get("dimoTokenId") is not None:
            return ctx.vehicles[0]["dimoTokenId"]
        if required:
            raise DriverError("no token id: run `exchange` first or pass token_id")
        return _MISSING

    def _did(self, token_id):
        return f"did:erc721:{DIMO_CHAIN_ID}:{self.nft_address}:{token_id}"

    def _selected_vehicle(self, sess, ctx, extra):
        selector = extra.get("vehicle", _MISSING)
        if selector is not _MISSING:
            return ctx.sandbox_vehicle(selector) if isinstance(selector, int) else None
        tid = sess.token_id
        if tid is not None:
            v = ctx.vehicle_by("dimoTokenId", tid)
            if v:
                return v
        return ctx.vehicles[0] if ctx.vehicles else None

    def fill_dimo(self, driver, sess, ctx, name, p, kwargs, extra):
        required = p.default is p.empty
        op = extra.get("_op", "")
        module = op.split(".", 1)[0] if "." in op else None  # None: the DIMO client itself
        if module is not None and name in ("token", "privileged_token"):
            # Before 1.3 the JWTs were `token` (the developer JWT for the token
            # exchange, the vehicle JWT elsewhere) and `privileged_token`.
            name = "developer_jwt" if module in ("auth", "token_exchange") else "vehicle_jwt"
        if name == "developer_jwt":
            if sess.dev_jwt is None:
                if required:
                    raise DriverError("no developer JWT in this session: run `login` first")
                return _MISSING
            return sess.dev_jwt
        if name == "token_id":
            return self._token_id(sess, ctx, extra, required)
        if name == "vehicle_jwt":
            tid = kwargs.get("token_id")
            if tid is None:
                tid = self._token_id(sess, ctx, extra, False)
            jwt = sess.jwts.get(tid) if tid is not _MISSING else None
            jwt = jwt or sess.vehicle_jwt
            if jwt is None:
                if required:
                    raise DriverError("no vehicle JWT in this session: run `exchange` first")
                return _MISSING
            return jwt
        if name in ("did", "token_did"):
            tid = self._token_id(sess, ctx, extra, required)
            return _MISSING if tid is _MISSING else self._did(tid)
        if name == "client_id":
            return ctx.need("dimo", "clientId")
        if name == "domain":
            return ctx.need("dimo", "domain")
        if name == "private_key":
            return ctx.need("dimo", "privateKey")
        if module == "auth" and name == "address" and required:
            return ctx.need("dimo", "clientId")
        if module == "identity":
            if name in ("address", "owner_address"):
                v = self._selected_vehicle(sess, ctx, extra)
                owner = ctx.owner(v) if v else None
                if owner and owner.get("dimoAddress"):
                    return owner["dimoAddress"]
                if required:
                    raise DriverError(f"cannot find the owner's DIMO address; pass {name}")
                return _MISSING
            if name == "dev_address":
                return ctx.need("dimo", "clientId")
        if module is None and name == "token" and kwargs.get("service") in ("Telemetry",
                                                                             "Fetch"):
            tid = self._token_id(sess, ctx, extra, False)
            jwt = (sess.jwts.get(tid) if tid is not _MISSING else None) or sess.vehicle_jwt
            return jwt if jwt is not None else _MISSING
        return _MISSING

    def after_dimo(self, driver, sess, ctx, kwargs, result):
        if isinstance(result, dict):
            # auth.get_dev_jwt / auth.submit_challenge: keep the developer JWT.
            if "access_token" in result and isinstance(result["access_token"], str):
                sess.dev_jwt = result["access_token"]
            # token_exchange.exchange: keep the vehicle JWT for its token id.
            if isinstance(result.get("token"), str) and "token_id" in kwargs:
                tid = kwargs["token_id"]
                sess.jwts[tid] = result["token"]
                sess.token_id = tid
                sess.vehicle_jwt = result["token"]

    # harness ---------------------------------------------------------------
    def op_login(self, sess, ctx, args):
        check_args("login", args, set())
        lic = ctx.need("dimo")
        for key in ("clientId", "domain", "privateKey"):
            if not lic.get(key):
                raise DriverError(f"context.sandbox.dimo has no {key}")
        auth = self.modules["auth"]
        # get_dev_jwt since 1.1; get_token before.
        login = getattr(auth, "get_dev_jwt", None) or getattr(auth, "get_token", None)
        if login is None:
            raise Unsupported(f"dimo-python-sdk {self.version} has no developer login")
        resp = sdk(login, client_id=lic["clientId"],
                   domain=lic["domain"], private_key=lic["privateKey"])
        if not isinstance(resp, dict) or not isinstance(resp.get("access_token"), str):
            raise DriverError(f"login: {login.__name__} returned no access_token: {resp!r}")
        sess.dev_jwt = resp["access_token"]
        return to_json(resp)

    def op_exchange(self, sess, ctx, args):
        check_args("exchange", args, {"vehicle", "privileges", "token_id"})
        if sess.dev_jwt is None:
            raise DriverError("exchange: no developer JWT in this session: run `login` first")
        if "token_id" in args:
            tid = args["token_id"]
        else:
            index = args.get("vehicle", 0)
            tid = ctx.sandbox_vehicle(index).get("dimoTokenId")
            if tid is None:
                raise DriverError(f"exchange: sandbox vehicle {index} has no dimoTokenId")
        privileges = args.get("privileges", list(DEFAULT_PRIVILEGES))
        exchange = self.modules["token_exchange"].exchange
        resp = sdk(exchange, **self.exchange_arguments(exchange, sess, ctx, tid, privileges))
        if not isinstance(resp, dict) or not isinstance(resp.get("token"), str):
            raise DriverError(f"exchange: token exchange returned no token: {resp!r}")
        sess.jwts[tid] = resp["token"]
        sess.token_id = tid
        sess.vehicle_jwt = resp["token"]
        out = to_json(resp)
        out.setdefault("tokenId", tid)
        return out


    def exchange_arguments(self, exchange, sess, ctx, tid, privileges):
        """token_exchange.exchange's keyword arguments, as its signature names them."""
        params = parameters(exchange)
        kwargs = {"token_id": tid, "privileges": privileges}
        kwargs["developer_jwt" if "developer_jwt" in params else "token"] = sess.dev_jwt
        if "client_id" in params:
            kwargs["client_id"] = ctx.need("dimo", "clientId")
        return kwargs


# ---------------------------------------------------------------------------
# main loop
# ---------------------------------------------------------------------------

DRIVERS = {"smartcar6": Smartcar6Driver, "smartcar3": Smartcar3Driver, "dimo": DimoDriver}


def typed_paths(value, path="", depth=0):
    """Paths of the objects in ``value`` whose keys are fixed by an SDK type."""
    if depth > 32:
        return []
    found = []
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        found.append(path)
        items = value._asdict().items()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.append(path)
        items = ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
    elif isinstance(value, collections.abc.Mapping):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += typed_paths(item, f"{path}[{index}]", depth + 1)
        return found
    else:
        return found
    for key, item in items:
        found += typed_paths(item, f"{path}.{key}" if path else str(key), depth + 1)
    return found


def answer(driver, msg):
    mid = msg.get("id")
    _tls.typed = []
    try:
        result = driver.handle(msg)
        reply = {"id": mid, "ok": True, "result": result}
        if _tls.typed:
            reply["typed"] = _tls.typed
        emit(reply)
    except SDKRaised as wrapped:
        try:
            err = error_object(wrapped.exc, driver)
        except Exception as exc:  # noqa: BLE001
            err = {"class": type(wrapped.exc).__name__, "module": type(wrapped.exc).__module__,
                   "message": _exc_message(wrapped.exc),
                   "attributes": {"_serialisation_error": repr(exc)}}
        reply = {"id": mid, "ok": False, "error": err}
        if not isinstance(wrapped.exc, requests.RequestException):
            reply["typed"] = [""]  # the SDK's exception class fixes its attributes
        emit(reply)
    except Unsupported as exc:
        emit({"id": mid, "ok": False, "unsupported": str(exc)})
    except DriverError as exc:
        emit({"id": mid, "ok": False, "driverError": str(exc)})
    except Exception as exc:  # noqa: BLE001 - a driver bug, reported as such
        traceback.print_exc(file=sys.stderr)
        emit({"id": mid, "ok": False,
              "driverError": f"internal driver error: {type(exc).__name__}: {exc}"})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdk", required=True, choices=sorted(DRIVERS))
    parser.add_argument("--server", required=True)
    opts = parser.parse_args(argv)
    driver = DRIVERS[opts.sdk](opts.server)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS,
                                                 thread_name_prefix="op")
    pending = {}  # session -> futures submitted for it (pruned as they finish)

    def end_session(name, mid, has_id, futures):
        # The pool's queue is FIFO: by the time this runs, every request of
        # the session sent before __end__ has started, so waiting is safe.
        concurrent.futures.wait(futures)
        driver.end(name)
        if has_id:
            emit({"id": mid, "ok": True, "result": None})

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
            if not isinstance(msg, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            emit({"id": None, "ok": False, "driverError": f"bad request line: {exc}"})
            continue
        op = msg.get("op")
        if op == "__describe__":
            emit({"id": msg.get("id"), "ok": True, "result": driver.describe()})
        elif op == "__end__":
            name = str(msg.get("session") or "")
            futures = [f for f in pending.pop(name, []) if not f.done()]
            pool.submit(end_session, name, msg.get("id"), "id" in msg, futures)
        else:
            name = str(msg.get("session") or "")
            futures = [f for f in pending.get(name, []) if not f.done()]
            futures.append(pool.submit(answer, driver, msg))
            pending[name] = futures
    pool.shutdown(wait=True)
    _PROTO.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
