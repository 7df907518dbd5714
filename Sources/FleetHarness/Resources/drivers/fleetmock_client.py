"""Helpers shared by the SDK contract suites (Smartcar and DIMO).

Two parts:

* ``Fleetmock`` / ``Sandbox``: thin wrappers over fleetmock's control API
  (``/__fleetmock/...``): create and delete sandboxes, read and patch a
  vehicle's state, headless Connect, DIMO sharing (SACD grants), and the
  virtual clock.
* ``Page`` / ``drive_connect``: a plain-HTTP "browser" for the Connect pages.
  It finds an element by id, finds its enclosing ``<form>``, collects the
  form's fields the way a browser does, and submits it. Only the standard
  library's ``html.parser`` and ``requests`` (which every Smartcar SDK already
  depends on) are used.

Nothing here imports an SDK, so every suite (smartcar 6.x and 3.x, dimo
1.8.0, each in its own virtualenv) can use it.
"""

import contextlib
import copy
import os
import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlparse, urlunparse

import requests

# Used when FLEETMOCK_URL is not set, so that importing an SDK configured from
# it never points at a real Smartcar host. Port 9 (discard) refuses at once.
UNSET_URL = "http://127.0.0.1:9"

# Every Vehicles API permission the SDK methods need.
ALL_SCOPES = [
    "read_vehicle_info",
    "read_vin",
    "read_odometer",
    "read_location",
    "read_battery",
    "read_charge",
    "control_charge",
    "read_fuel",
    "read_tires",
    "read_engine_oil",
    "read_security",
    "control_security",
    "control_navigation",
    "read_service_history",
    "read_diagnostics",
]

DENY_DESCRIPTION = "User denied access to application."


class FleetmockError(AssertionError):
    """The control API or a Connect page answered something unexpected."""


def fleetmock_url():
    """The server under test, from FLEETMOCK_URL, without a trailing slash."""
    url = os.environ.get("FLEETMOCK_URL", "").strip()
    if not url:
        raise FleetmockError(
            "FLEETMOCK_URL is not set: start fleetmock and export its URL "
            "(Tests/contract/run.sh does both)"
        )
    return url.rstrip("/")


def configured_url():
    """FLEETMOCK_URL if set, else a harmless placeholder (for collection)."""
    url = os.environ.get("FLEETMOCK_URL", "").strip()
    return url.rstrip("/") if url else UNSET_URL


def _describe(resp):
    body = resp.text
    if len(body) > 800:
        body = body[:800] + "..."
    return f"{resp.request.method} {resp.url} -> {resp.status_code}: {body}"


def _expect(resp, *statuses):
    if resp.status_code not in statuses:
        raise FleetmockError(f"expected HTTP {statuses}, got {_describe(resp)}")
    return resp


# ---------------------------------------------------------------------------
# Control API
# ---------------------------------------------------------------------------


class Fleetmock:
    """Client of fleetmock's control API at ``base_url``."""

    def __init__(self, base_url=None):
        self.url = (base_url or fleetmock_url()).rstrip("/")
        self.http = requests.Session()

    def _call(self, method, path, statuses=(200,), **kwargs):
        kwargs.setdefault("timeout", 30)
        resp = self.http.request(method, self.url + path, **kwargs)
        return _expect(resp, *statuses)

    def create_sandbox(self, require=("smartcar",), body=None):
        """``POST /__fleetmock/sandboxes`` {} -> 201; returns a Sandbox.

        ``require`` names the vendor blocks the caller needs in the answer
        (``"smartcar"``, ``"dimo"``) besides ``id``, ``users`` and ``vehicles``.
        """
        resp = self._call("POST", "/__fleetmock/sandboxes", (201,), json=body or {})
        data = resp.json()
        for key in ("id", "users", "vehicles", *require):
            if key not in data:
                raise FleetmockError(f"sandbox body lacks {key!r}: {data}")
        return Sandbox(self, data)

    def delete_sandbox(self, sandbox_id):
        self._call(
            "DELETE", f"/__fleetmock/sandboxes/{sandbox_id}", (200, 202, 204, 404)
        )


class Sandbox:
    """One sandbox: its credentials, users and vehicles, plus control calls."""

    def __init__(self, fleetmock, data):
        self.fm = fleetmock
        self.data = data
        self.id = data["id"]
        self.smartcar = data.get("smartcar")
        self.dimo = data.get("dimo")
        self.users = data["users"]
        self.vehicles = data["vehicles"]
        self._owner_cache = {}

    # -- credentials ------------------------------------------------------
    @property
    def client_id(self):
        return self.smartcar["clientId"]

    @property
    def client_secret(self):
        return self.smartcar["clientSecret"]

    @property
    def redirect_uri(self):
        return self.smartcar["redirectUri"]

    @property
    def management_token(self):
        return self.smartcar["managementToken"]

    def _path(self, suffix=""):
        return f"/__fleetmock/sandboxes/{self.id}{suffix}"

    def delete(self):
        self.fm.delete_sandbox(self.id)

    # -- vehicles ---------------------------------------------------------
    def vehicle(self, vin):
        """Control view of a vehicle, including ``owner`` and ``state``."""
        return self.fm._call("GET", self._path(f"/vehicles/{vin}")).json()

    def state(self, vin):
        return self.vehicle(vin)["state"]

    def patch_state(self, vin, state):
        """``PATCH .../vehicles/{vin}`` with ``{"state": state}``."""
        return self.fm._call(
            "PATCH", self._path(f"/vehicles/{vin}"), json={"state": state}
        ).json()

    @contextlib.contextmanager
    def temporary_state(self, vin, state):
        """Patch ``state`` and put the touched keys back afterwards."""
        before = self.state(vin)
        # Keys the state did not have (optional ones are omitted) stay changed.
        restore = {k: copy.deepcopy(before[k]) for k in state if before.get(k) is not None}
        self.patch_state(vin, state)
        try:
            yield
        finally:
            self.patch_state(vin, restore)

    def by_powertrain(self, powertrain):
        return [v for v in self.vehicles if v["powertrain"] == powertrain]

    def by_smartcar_id(self, smartcar_id):
        for v in self.vehicles:
            if v["smartcarId"] == smartcar_id:
                return v
        return None

    def by_dimo_token_id(self, token_id):
        for v in self.vehicles:
            if v.get("dimoTokenId") == token_id:
                return v
        return None

    def owner(self, vin):
        """The ``users`` entry that owns ``vin`` (from the control view)."""
        if vin in self._owner_cache:
            return self._owner_cache[vin]
        owner = self.vehicle(vin).get("owner")
        if isinstance(owner, dict):
            keys = {str(x) for x in owner.values() if x is not None}
        else:
            keys = {str(owner)}
        for user in self.users:
            ids = {
                str(user.get("email")),
                str(user.get("smartcarUserId")),
                str(user.get("dimoAddress")),
            }
            if ids & keys or any(k.lower() in {i.lower() for i in ids} for k in keys):
                self._owner_cache[vin] = user
                return user
        raise FleetmockError(f"owner {owner!r} of {vin} matches no sandbox user")

    def vehicles_of(self, user):
        return [v for v in self.vehicles if self.owner(v["vin"]) is user]

    # -- headless Connect and clock -----------------------------------------
    def connect(self, email, scope, vehicles=None, mode=None, redirect_uri=None,
                state=None):
        """Headless Connect -> ``{"code", "redirect"}``."""
        body = {"email": email, "scope": list(scope)}
        if vehicles is not None:
            body["vehicles"] = list(vehicles)
        if mode is not None:
            body["mode"] = mode
        if redirect_uri is not None:
            body["redirectUri"] = redirect_uri
        if state is not None:
            body["state"] = state
        data = self.fm._call(
            "POST", self._path("/smartcar/connect"), (200, 201), json=body
        ).json()
        if not data.get("code"):
            raise FleetmockError(f"headless connect returned no code: {data}")
        return data

    def freeze_clock(self):
        """Stop the sandbox's virtual clock (``{"freeze": true}``), so vehicle
        state only changes through commands, PATCHes and ``advance_clock``."""
        resp = self.fm._call("POST", self._path("/clock"), (200, 204), json={"freeze": True})
        return resp.json() if resp.content else None

    def parked_first(self, vehicles):
        """``vehicles`` reordered so parked ones (speed 0, ignition off) come first."""
        def moving(v):
            state = self.state(v["vin"])
            return bool(state.get("speedKph")) or bool(state.get("ignitionOn"))
        return sorted(vehicles, key=moving)

    def clock(self):
        """``GET .../clock``: ``{"now", "frozen", "scale", "offsetSeconds"}``."""
        return self.fm._call("GET", self._path("/clock")).json()

    # -- DIMO -------------------------------------------------------------
    def dimo_share(self, token_ids, permissions, expires_at=None):
        """``POST .../dimo/share``: the owners of ``token_ids`` grant the
        sandbox's developer license an SACD with these privilege ids
        (``expires_at``: an RFC 3339 string, optional)."""
        body = {"vehicles": list(token_ids), "permissions": list(permissions)}
        if expires_at is not None:
            body["expiresAt"] = expires_at
        resp = self.fm._call("POST", self._path("/dimo/share"), (200, 201, 204), json=body)
        return resp.json() if resp.content else None

    def advance_clock(self, advance):
        """Move the sandbox's virtual clock, e.g. ``"3h"`` or ``"11m"``."""
        resp = self.fm._call(
            "POST", self._path("/clock"), (200, 204), json={"advance": advance}
        )
        return resp.json() if resp.content else None


# ---------------------------------------------------------------------------
# HTML pages and forms
# ---------------------------------------------------------------------------


class Element:
    def __init__(self, tag, attrs, form):
        self.tag = tag
        self.attrs = attrs
        self.form = form
        self.text = ""
        self.options = []  # for <select>

    @property
    def id(self):
        return self.attrs.get("id")

    def has(self, attr):
        return attr in self.attrs

    def get(self, attr, default=None):
        return self.attrs.get(attr, default)

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


class Form:
    def __init__(self, attrs, index):
        self.attrs = attrs
        self.index = index
        self.elements = []

    def get(self, attr, default=None):
        return self.attrs.get(attr, default)


_FIELD_TAGS = {"input", "button", "select", "textarea", "option"}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.elements = []
        self._form = None
        self._select = None
        self._capture = []  # elements whose text is being collected

    def handle_starttag(self, tag, attrs):
        a = {}
        for key, value in attrs:
            a.setdefault(key, "" if value is None else value)
        if tag == "form":
            form = Form(a, len(self.forms))
            self.forms.append(form)
            self._form = form
            self.elements.append(Element(tag, a, form))
            return
        el = Element(tag, a, self._form)
        if tag in _FIELD_TAGS:
            if self._form is not None and tag != "option":
                self._form.elements.append(el)
            if tag == "select":
                self._select = el
            elif tag == "option" and self._select is not None:
                self._select.options.append(el)
            if tag in ("option", "textarea", "button"):
                self._capture.append(el)
        self.elements.append(el)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("option", "textarea", "button") and self._capture:
            self._capture.pop()

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        if tag in ("option", "textarea", "button"):
            for i in range(len(self._capture) - 1, -1, -1):
                if self._capture[i].tag == tag:
                    del self._capture[i]
                    break

    def handle_data(self, data):
        for el in self._capture:
            el.text += data


class Page:
    """A fetched HTML page whose forms can be submitted like a browser does."""

    def __init__(self, session, response):
        self.session = session
        self.response = response
        self.url = response.url
        self.html = response.text
        parser = _PageParser()
        parser.feed(self.html)
        parser.close()
        self.forms = parser.forms
        self.elements = parser.elements
        # Fields placed outside their form with form="<form id>".
        by_id = {f.get("id"): f for f in self.forms if f.get("id")}
        for el in self.elements:
            owner = el.get("form")
            if el.tag in _FIELD_TAGS and owner in by_id and el.form is not by_id[owner]:
                if el.form is not None and el in el.form.elements:
                    el.form.elements.remove(el)
                el.form = by_id[owner]
                el.form.elements.append(el)

    def find(self, element_id):
        for el in self.elements:
            if el.id == element_id:
                return el
        return None

    def by_class(self, cls):
        return [el for el in self.elements if cls in el.classes]

    def by_name(self, name, tag=None):
        return [
            el for el in self.elements
            if el.get("name") == name and (tag is None or el.tag == tag)
        ]

    def checkboxes(self, name):
        return [
            el for el in self.by_name(name, "input")
            if (el.get("type") or "").lower() == "checkbox"
        ]

    def describe(self):
        ids = [el.id for el in self.elements if el.id]
        return f"page {self.url} (HTTP {self.response.status_code}) with ids {ids}"

    @staticmethod
    def form_fields(form):
        """(name, value) pairs a browser would submit, minus the clicked button."""
        fields = []
        for el in form.elements:
            name = el.get("name")
            if not name or el.has("disabled"):
                continue
            if el.tag == "input":
                kind = (el.get("type") or "text").lower()
                if kind in ("submit", "button", "image", "reset", "file"):
                    continue
                if kind in ("checkbox", "radio"):
                    if el.has("checked"):
                        fields.append((name, el.get("value", "on")))
                    continue
                fields.append((name, el.get("value", "")))
            elif el.tag == "textarea":
                fields.append((name, el.text))
            elif el.tag == "select":
                chosen = [o for o in el.options if o.has("selected")]
                if not chosen and el.options and not el.has("multiple"):
                    chosen = el.options[:1]
                for opt in chosen:
                    if not opt.has("disabled"):
                        fields.append((name, opt.get("value", opt.text.strip())))
        return fields

    def submit(self, element_id, values=None, stop_at=None):
        """Click element ``element_id`` and submit its enclosing form.

        ``values`` maps a field name to a string or a list of strings; it
        replaces every value the form had under that name (so a list of
        checkbox values replaces the checked set) or adds the field.
        Redirects are followed within the server's origin, except one whose
        Location starts with ``stop_at`` (the app's redirect URI).
        """
        el = self.find(element_id)
        if el is None:
            raise FleetmockError(f"no element with id {element_id!r} on {self.describe()}")
        form = el.form
        if form is None:
            raise FleetmockError(f"element {el!r} is not inside a <form> on {self.url}")

        fields = self.form_fields(form)
        for name, value in (values or {}).items():
            new = [value] if isinstance(value, str) else list(value)
            positions = [i for i, (n, _) in enumerate(fields) if n == name]
            insert_at = positions[0] if positions else len(fields)
            fields = [(n, v) for (n, v) in fields if n != name]
            fields[insert_at:insert_at] = [(name, str(v)) for v in new]
        clickable = el.tag == "button" or (
            el.tag == "input"
            and (el.get("type") or "").lower() in ("submit", "image")
        )
        if clickable and el.get("name"):
            fields.append((el.get("name"), el.get("value", "")))

        method = (el.get("formmethod") or form.get("method") or "get").strip().upper()
        action = el.get("formaction")
        if action is None:
            action = form.get("action")
        target = urljoin(self.url, action) if action else self.url
        enctype = (el.get("formenctype") or form.get("enctype") or "").lower()

        if method == "GET":
            parts = urlparse(target)
            target = urlunparse(parts._replace(query=urlencode(fields), fragment=""))
            resp = self.session.get(target, allow_redirects=False, timeout=30)
        elif "multipart/form-data" in enctype:
            resp = self.session.request(
                method, target, files=[(n, (None, v)) for n, v in fields],
                allow_redirects=False, timeout=30,
            )
        else:
            resp = self.session.request(
                method, target, data=fields, allow_redirects=False, timeout=30
            )
        return follow(self.session, resp, stop_at)


def _same_origin(a, b):
    pa, pb = urlparse(a), urlparse(b)
    return (pa.scheme, pa.netloc) == (pb.scheme, pb.netloc)


def follow(session, resp, stop_at=None, limit=10):
    """Follow same-origin redirects, stopping at ``stop_at`` or off-origin."""
    for _ in range(limit):
        if not resp.is_redirect:
            return resp
        location = urljoin(resp.url, resp.headers["Location"])
        if stop_at and location.startswith(stop_at):
            return resp
        if not _same_origin(location, resp.url):
            return resp
        if resp.status_code in (307, 308):
            req = resp.request
            resp = session.request(
                req.method, location, data=req.body, allow_redirects=False,
                headers={"Content-Type": req.headers.get("Content-Type", "")},
                timeout=30,
            )
        else:
            resp = session.get(location, allow_redirects=False, timeout=30)
    raise FleetmockError(f"too many redirects, last at {resp.url}")


def query_params(url):
    """Query parameters of ``url``, single values as strings."""
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(urlparse(url).query).items()}


class ConnectResult:
    def __init__(self, location, pages, trace):
        self.location = location
        self.params = query_params(location)
        self.pages = pages  # kind -> Page, the last of each kind
        self.trace = trace  # kinds in the order they were seen

    @property
    def code(self):
        return self.params.get("code")

    @property
    def error(self):
        return self.params.get("error")

    def __repr__(self):
        return f"ConnectResult({self.trace}, {self.location})"


def page_kind(page):
    if page.find("approval-button") is not None or page.find("deny-button") is not None:
        return "permissions"
    if page.find("sign-in-button") is not None:
        return "login"
    if page.by_class("brand-list-item"):
        return "brands"
    if page.find("continue-button") is not None:
        return "preamble"
    return None


def brand_ids(page):
    return [el.get("value") or el.id for el in page.by_class("brand-list-item")]


def drive_connect(auth_url, redirect_uri, email=None, password="password",
                  make=None, approve=True, vehicles=None, session=None,
                  max_steps=12):
    """Walk the Connect pages over plain HTTP, as a browser user would.

    preamble (continue) -> brand list (``make``: a brand id, or a function
    choosing one from the listed ids; default the first brand) ->
    login (``email``/``password``; a random ``<uuid>@email.com`` if no email)
    -> permissions (approve or deny; ``vehicles`` = smartcar ids to leave
    checked, default: as the page has them). Returns a ConnectResult holding
    the final redirect's Location (not followed) and the pages seen.
    """
    session = session or requests.Session()
    email = email or f"{uuid.uuid4()}@email.com"
    resp = follow(session, session.get(auth_url, allow_redirects=False, timeout=30),
                  redirect_uri)
    pages, trace = {}, []
    for _ in range(max_steps):
        if resp.is_redirect:
            location = urljoin(resp.url, resp.headers["Location"])
            if not location.startswith(redirect_uri):
                raise FleetmockError(
                    f"Connect redirected to {location} (from {resp.url}) after {trace}, "
                    f"which is neither the server's origin nor the redirect URI {redirect_uri}")
            return ConnectResult(location, pages, trace)
        if resp.status_code != 200:
            raise FleetmockError(f"Connect step {len(trace) + 1} failed: {_describe(resp)}")
        page = Page(session, resp)
        kind = page_kind(page)
        if kind is None:
            raise FleetmockError(f"unrecognised Connect page after {trace}: {page.describe()}")
        pages[kind] = page
        trace.append(kind)
        if kind == "preamble":
            resp = page.submit("continue-button", stop_at=redirect_uri)
        elif kind == "brands":
            available = brand_ids(page)
            if not available:
                raise FleetmockError(f"empty brand list: {page.describe()}")
            choice = make(available) if callable(make) else (make or available[0])
            if page.find(choice) is None:
                raise FleetmockError(f"brand {choice!r} not in brand list {available}")
            resp = page.submit(choice, stop_at=redirect_uri)
        elif kind == "login":
            user_el, pass_el = page.find("username"), page.find("password")
            if user_el is None or pass_el is None:
                raise FleetmockError(f"login page lacks #username/#password: {page.describe()}")
            resp = page.submit(
                "sign-in-button",
                {user_el.get("name") or "username": email,
                 pass_el.get("name") or "password": password},
                stop_at=redirect_uri,
            )
        else:
            values = {"vehicle": list(vehicles)} if vehicles is not None else None
            button = "approval-button" if approve else "deny-button"
            resp = page.submit(button, values, stop_at=redirect_uri)
    raise FleetmockError(f"Connect did not finish after {trace}")
