"""Contract tests: the official Smartcar Python SDK 6.19.1 against fleetmock.

Every Smartcar host the SDK knows is pointed at FLEETMOCK_URL through the
SDK's own environment variables (read once, when ``smartcar.config`` is
imported), so this file sets them before importing the SDK.

Connect is driven through fleetmock's HTML pages over plain HTTP (see
Sources/FleetHarness/Resources/drivers/fleetmock_client.py); values the SDK returns are checked against the
vehicle state that fleetmock's control API reports.
"""

import base64
import datetime
import inspect
import os
import re
import uuid

import pytest

import fleetmock_client as fc

BASE = fc.configured_url()
os.environ["SMARTCAR_API_ORIGIN"] = BASE
os.environ["SMARTCAR_AUTH_ORIGIN"] = BASE + "/oauth/token"  # the full token URL
os.environ["SMARTCAR_CONNECT_ORIGIN"] = BASE
os.environ["SMARTCAR_MANAGEMENT_API_ORIGIN"] = BASE
os.environ["SMARTCAR_VEHICLE_API_V3_ORIGIN"] = BASE

import smartcar  # noqa: E402
import smartcar.config  # noqa: E402
import smartcar.smartcar as sc  # noqa: E402
import smartcar.v2_response as v2  # noqa: E402
from smartcar import SmartcarException  # noqa: E402

SCOPES = fc.ALL_SCOPES
# The main Connect marks a few permissions required, as the SDK's own e2e does;
# the API must report them without the prefix.
MAIN_SCOPE = ["required:" + s if s in ("read_vehicle_info", "read_odometer", "read_vin")
              else s for s in SCOPES]
ACTION_MESSAGE = "Successfully sent request to vehicle"
AUTH_DESCRIPTION = (
    "The authorization header is missing or malformed, or it contains invalid or "
    "expired authentication credentials. Please check for missing parameters, "
    "spelling and casing mistakes, and other syntax issues."
)
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
KM_TO_MI = 0.621371
KPA_TO_PSI = 0.145038
DOORS = ("frontLeft", "frontRight", "backLeft", "backRight")


def approx(value, rel=1e-3, abs_=0.01):
    return pytest.approx(value, rel=rel, abs=abs_)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def check_meta(meta, data_age=False, unit_system=None):
    """Response meta built by the SDK from sc-* headers."""
    assert meta is not None, "response carried no sc-* header at all"
    assert hasattr(meta, "request_id"), f"no SC-Request-Id header: {meta}"
    assert len(meta.request_id) == 36, meta.request_id
    if data_age:
        assert hasattr(meta, "data_age"), f"no SC-Data-Age header: {meta}"
    if hasattr(meta, "data_age"):
        assert ISO_MS.match(meta.data_age), f"SC-Data-Age not YYYY-MM-DDTHH:mm:ss.SSSZ: {meta.data_age}"
    if hasattr(meta, "fetched_at"):
        assert ISO_MS.match(meta.fetched_at), f"SC-Fetched-At format: {meta.fetched_at}"
    if unit_system is not None:
        assert getattr(meta, "unit_system", None) == unit_system, meta


def expect_error(call, status, type_, code=None, check_code=True):
    """Run ``call``; it must raise a v2.0 SmartcarException as described."""
    with pytest.raises(SmartcarException) as info:
        call()
    e = info.value
    assert e.status_code == status, e.__dict__
    assert e.type == type_, e.__dict__
    if check_code:
        assert e.code == code, e.__dict__
    assert e.description, e.__dict__
    assert e.doc_url, e.__dict__
    assert e.request_id and len(e.request_id) == 36, e.__dict__
    assert isinstance(e.resolution, dict) and set(e.resolution) == {"type", "url"}, e.__dict__
    prefix = f"{type_}:{e.code} - " if e.code else f"{type_} - "
    assert e.message.startswith(prefix), e.message
    return e


def expect_oauth_error(call, status):
    with pytest.raises(SmartcarException) as info:
        call()
    e = info.value
    assert e.status_code == status, e.__dict__
    assert e.type, e.__dict__  # the OAuth "error" field
    return e


def status_map(items):
    return {item["type"]: item["status"] for item in items}


def safe_to_lock(state):
    """A patch that makes LOCK possible: doors, hood, trunk shut, parked."""
    patch = {"doors": {d: "CLOSED" for d in (state.get("doors") or {}) or DOORS}}
    for key in ("hood", "trunk"):
        if state.get(key) is not None:
            patch[key] = "CLOSED"
    if state.get("speedKph") is not None:
        patch["speedKph"] = 0
    if state.get("ignitionOn") is not None:
        patch["ignitionOn"] = False
    return patch


def new_state():
    return uuid.uuid4().hex


class Connection:
    def __init__(self, access, user, vehicle_ids, result=None, state=None):
        self.access = access
        self.user = user
        self.vehicle_ids = list(vehicle_ids)
        self.result = result
        self.state = state

    @property
    def token(self):
        return self.access.access_token


def html_connect(sandbox, client, vehicle, scope=SCOPES):
    """Connect one vehicle through the HTML pages, brand list bypassed."""
    user = sandbox.owner(vehicle["vin"])
    state = new_state()
    url = client.get_auth_url(
        scope, {"state": state, "make_bypass": vehicle["make"], "force_prompt": True}
    )
    result = fc.drive_connect(url, sandbox.redirect_uri, email=user["email"],
                              vehicles=[vehicle["smartcarId"]])
    assert result.code, result
    assert result.params.get("state") == state, result
    assert "brands" not in result.trace, f"make= did not skip the brand list: {result.trace}"
    return Connection(client.exchange_code(result.code), user, [vehicle["smartcarId"]],
                      result, state)


def headless_connect(sandbox, vehicle, scope=SCOPES):
    """Connect one vehicle through the control API; returns (client, Connection)."""
    user = sandbox.owner(vehicle["vin"])
    state = new_state()
    data = sandbox.connect(user["email"], scope, vehicles=[vehicle["vin"]], mode="live",
                           redirect_uri=sandbox.redirect_uri, state=state)
    params = fc.query_params(data["redirect"])
    assert data["redirect"].startswith(sandbox.redirect_uri), data
    assert params.get("code") == data["code"] and params.get("state") == state, data
    client = smartcar.AuthClient(sandbox.client_id, sandbox.client_secret,
                                 sandbox.redirect_uri)
    return client, Connection(client.exchange_code(data["code"]), user,
                              [vehicle["smartcarId"]])


def first(sandbox, powertrain, required=True):
    cars = sandbox.parked_first(sandbox.by_powertrain(powertrain))
    if not cars:
        if required:
            pytest.fail(f"sandbox has no {powertrain} vehicle: {sandbox.vehicles}")
        pytest.skip(f"sandbox has no {powertrain} vehicle")
    return cars[0]


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(sandbox):
    return smartcar.AuthClient(sandbox.client_id, sandbox.client_secret,
                               sandbox.redirect_uri, mode="live")


@pytest.fixture(scope="module")
def bev(sandbox):
    return first(sandbox, "BEV")


@pytest.fixture(scope="module")
def ice(sandbox):
    return first(sandbox, "ICE")


@pytest.fixture(scope="module")
def main(sandbox, client, bev):
    """Live Connect through every HTML page as the BEV's owner, all scopes."""
    user = sandbox.owner(bev["vin"])
    state = new_state()
    url = client.get_auth_url(MAIN_SCOPE, {"state": state})
    result = fc.drive_connect(url, sandbox.redirect_uri, email=user["email"],
                              make=bev["make"])
    assert result.code, result
    approved = [el.get("value") for el in result.pages["permissions"].checkboxes("vehicle")
                if el.has("checked")]
    return Connection(client.exchange_code(result.code), user, approved, result, state)


@pytest.fixture(scope="module")
def bev_car(main, bev):
    assert bev["smartcarId"] in main.vehicle_ids
    return smartcar.Vehicle(bev["smartcarId"], main.token)


@pytest.fixture(scope="module")
def ice_car(sandbox, client, main, ice):
    if ice["smartcarId"] in main.vehicle_ids:
        return smartcar.Vehicle(ice["smartcarId"], main.token)
    return smartcar.Vehicle(ice["smartcarId"], html_connect(sandbox, client, ice).token)


@pytest.fixture(scope="module")
def phev_car(sandbox, client, main):
    phev = first(sandbox, "PHEV", required=False)
    if phev["smartcarId"] in main.vehicle_ids:
        return phev, smartcar.Vehicle(phev["smartcarId"], main.token)
    return phev, smartcar.Vehicle(phev["smartcarId"], html_connect(sandbox, client, phev).token)


# ---------------------------------------------------------------------------
# SDK set-up and pure functions
# ---------------------------------------------------------------------------


def test_sdk_version_and_origins():
    assert smartcar.__version__ == "6.19.1"
    assert smartcar.config.API_ORIGIN == BASE
    assert smartcar.config.AUTH_ORIGIN == BASE + "/oauth/token"
    assert smartcar.config.CONNECT_ORIGIN == BASE
    assert smartcar.config.MANAGEMENT_API_ORIGIN == BASE
    assert smartcar.config.VEHICLE_API_ORIGIN == BASE


def test_hash_challenge_and_verify_payload():
    vector = "9baf5a7464bd86740ad5a06e439dcf535a075022ed2c92d74efacf646d79328e"
    assert smartcar.hash_challenge("amt", "challenge") == vector
    assert smartcar.verify_payload("amt", vector, "challenge") is True
    assert smartcar.verify_payload("amt", vector, "challenge!") is False


def test_management_token_encoding():
    token = sc.get_management_token("amt")
    assert base64.b64decode(token).decode() == "default:amt"


def test_api_version_setting():
    assert smartcar.get_api_version() == "2.0"
    with pytest.raises(ValueError):
        smartcar.set_api_version("two")
    smartcar.set_api_version("1.0")
    try:
        assert smartcar.get_api_version() == "1.0"
    finally:
        smartcar.set_api_version("2.0")


def test_set_unit_system_always_raises_in_6_19_1():
    # SDK bug (`!= or !=`): documented here so nobody relies on it; use
    # Vehicle(..., {"unit_system": "imperial"}) instead.
    with pytest.raises(ValueError):
        smartcar.Vehicle("id", "token").set_unit_system("metric")


def test_auth_url_shape(sandbox, client):
    url = client.get_auth_url(
        ["read_odometer", "read_vin"],
        {"force_prompt": True, "state": "s1", "make_bypass": "TESLA",
         "single_select": {"vin": "5YJSA1CN5DFP00101"},
         "flags": {"country": "US", "flag": True}, "user": "u-1"},
    )
    assert url.startswith(BASE + "/oauth/authorize?")
    assert fc.query_params(url) == {
        "response_type": "code", "client_id": sandbox.client_id,
        "approval_prompt": "force", "mode": "live",
        "redirect_uri": sandbox.redirect_uri, "scope": "read_odometer read_vin",
        "state": "s1", "make": "TESLA", "single_select_vin": "5YJSA1CN5DFP00101",
        "single_select": "true", "flags": "country:US flag:true", "user": "u-1",
    }


# ---------------------------------------------------------------------------
# Connect and OAuth
# ---------------------------------------------------------------------------


def test_live_connect_walks_every_page(sandbox, main, bev):
    result = main.result
    assert result.trace == ["preamble", "brands", "login", "permissions"], result.trace
    assert result.location.startswith(sandbox.redirect_uri)
    assert result.params.get("state") == main.state
    assert "error" not in result.params

    brands = result.pages["brands"]
    for button in brands.by_class("brand-list-item"):
        assert button.tag == "button"
        assert button.get("name") == "make"
        assert button.get("value") == button.id
        assert button.id == button.id.upper()
    assert bev["make"] in fc.brand_ids(brands)

    login = result.pages["login"]
    assert (login.find("password").get("type") or "").lower() == "password"
    assert login.find("username").get("name") == "username"

    perms = result.pages["permissions"]
    listed = [el.get("value") for el in perms.checkboxes("vehicle")]
    assert bev["smartcarId"] in listed
    owned = {v["smartcarId"] for v in sandbox.vehicles_of(main.user)}
    assert set(listed) <= owned, "permission page lists vehicles the user does not own"
    assert perms.find("deny-button").get("value") == "deny"
    assert perms.find("approval-button").get("value") == "approve"


def test_exchange_code_returns_access(main):
    access = main.access
    assert isinstance(access, v2.Access)
    assert access.token_type == "Bearer"
    assert access.expires_in == 7200
    assert access.access_token and access.refresh_token
    assert access.access_token != access.refresh_token
    assert access.expiration > datetime.datetime.utcnow()


def test_exchange_bad_code(client):
    e = expect_oauth_error(lambda: client.exchange_code("THIS_SHOULD_NOT_WORK"), 400)
    assert e.message == "Invalid code: THIS_SHOULD_NOT_WORK."


def test_exchange_bad_refresh_token(client):
    e = expect_oauth_error(lambda: client.exchange_refresh_token("THIS_SHOULD_NOT_WORK"), 400)
    assert e.message == "Invalid refresh_token: THIS_SHOULD_NOT_WORK."


def test_exchange_with_wrong_client_secret(sandbox, ice):
    user = sandbox.owner(ice["vin"])
    code = sandbox.connect(user["email"], SCOPES, vehicles=[ice["vin"]],
                           redirect_uri=sandbox.redirect_uri)["code"]
    bad = smartcar.AuthClient(sandbox.client_id, "not-the-secret", sandbox.redirect_uri)
    expect_oauth_error(lambda: bad.exchange_code(code), 401)


def test_code_is_single_use(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    user = sb.owner(vehicle["vin"])
    code = sb.connect(user["email"], SCOPES, vehicles=[vehicle["vin"]],
                      redirect_uri=sb.redirect_uri)["code"]
    client = smartcar.AuthClient(sb.client_id, sb.client_secret, sb.redirect_uri)
    client.exchange_code(code)
    expect_oauth_error(lambda: client.exchange_code(code), 400)


def test_code_expires_after_ten_minutes(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    user = sb.owner(vehicle["vin"])
    code = sb.connect(user["email"], SCOPES, vehicles=[vehicle["vin"]],
                      redirect_uri=sb.redirect_uri)["code"]
    sb.advance_clock("11m")
    client = smartcar.AuthClient(sb.client_id, sb.client_secret, sb.redirect_uri)
    expect_oauth_error(lambda: client.exchange_code(code), 400)


def test_access_token_expires_on_virtual_clock_and_refresh_works(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    client, conn = headless_connect(sb, vehicle)
    assert smartcar.get_user(conn.token).id == conn.user["smartcarUserId"]
    sb.advance_clock("3h")
    expect_error(lambda: smartcar.get_user(conn.token), 401, "AUTHENTICATION")
    fresh = client.exchange_refresh_token(conn.access.refresh_token)
    assert smartcar.get_user(fresh.access_token).id == conn.user["smartcarUserId"]
    odo = smartcar.Vehicle(vehicle["smartcarId"], fresh.access_token).odometer()
    assert odo.distance == approx(sb.state(vehicle["vin"])["odometerKm"])


def test_exchange_refresh_token(sandbox, client, ice):
    conn = html_connect(sandbox, client, ice)
    fresh = client.exchange_refresh_token(conn.access.refresh_token)
    assert isinstance(fresh, v2.Access)
    assert fresh.refresh_token and fresh.refresh_token != conn.access.refresh_token
    assert fresh.access_token and fresh.access_token != conn.access.access_token
    assert fresh.expires_in == 7200
    assert smartcar.get_user(fresh.access_token).id == conn.user["smartcarUserId"]
    odo = smartcar.Vehicle(ice["smartcarId"], fresh.access_token).odometer()
    assert odo.distance == approx(sandbox.state(ice["vin"])["odometerKm"])


def test_deny_redirects_with_access_denied(sandbox, client, bev):
    user = sandbox.owner(bev["vin"])
    state = new_state()
    url = client.get_auth_url(SCOPES, {"state": state, "make_bypass": bev["make"]})
    result = fc.drive_connect(url, sandbox.redirect_uri, email=user["email"], approve=False)
    assert result.location.startswith(sandbox.redirect_uri)
    assert result.params.get("error") == "access_denied", result
    assert result.params.get("error_description") == fc.DENY_DESCRIPTION
    assert result.params.get("state") == state
    assert "code" not in result.params


def test_test_mode_connect_yields_chosen_brand(sandbox):
    client = smartcar.AuthClient(sandbox.client_id, sandbox.client_secret,
                                 sandbox.redirect_uri, mode="test")
    state = new_state()
    url = client.get_auth_url(SCOPES, {"state": state})
    assert fc.query_params(url)["mode"] == "test"
    chosen = []

    def choose(brands):
        chosen.append(brands[len(brands) // 2])
        return chosen[0]

    result = fc.drive_connect(url, sandbox.redirect_uri,
                              email=f"{uuid.uuid4()}@email.com", make=choose)
    assert result.trace == ["preamble", "brands", "login", "permissions"], result.trace
    assert result.code and result.params.get("state") == state, result
    access = client.exchange_code(result.code)
    vehicles = smartcar.get_vehicles(access.access_token).vehicles
    assert vehicles
    for vehicle_id in vehicles:
        car = smartcar.Vehicle(vehicle_id, access.access_token)
        assert car.attributes().make == chosen[0]
        assert len(car.vin().vin) == 17
        assert car.odometer().distance >= 0


@pytest.fixture(scope="module")
def volt(sandbox):
    """The SDK's own e2e set-up: a test-mode CHEVROLET login with a throwaway
    email; its first car is a Chevrolet Volt, a plug-in hybrid."""
    client = smartcar.AuthClient(sandbox.client_id, sandbox.client_secret,
                                 sandbox.redirect_uri, mode="test")
    url = client.get_auth_url(SCOPES, {"state": new_state()})
    result = fc.drive_connect(url, sandbox.redirect_uri,
                              email=f"{uuid.uuid4()}@email.com", make="CHEVROLET")
    access = client.exchange_code(result.code)
    vehicle_id = smartcar.get_vehicles(access.access_token).vehicles[0]
    return smartcar.Vehicle(vehicle_id, access.access_token)


def test_test_mode_volt_answers_every_read(volt):
    attributes = volt.attributes()
    assert (attributes.make, attributes.model) == ("CHEVROLET", "Volt")
    assert 10_000 <= volt.odometer().distance <= 300_000
    location = volt.location()
    assert 37 <= location.latitude <= 41 and -109.05 <= location.longitude <= -102.04
    battery = volt.battery()
    assert 0 <= battery.percent_remaining <= 1 and 0 <= battery.range <= 483
    assert volt.battery_capacity().capacity > 0
    assert volt.charge().is_plugged_in in (True, False)
    fuel = volt.fuel()
    assert 0 <= fuel.percent_remaining <= 1 and 0 <= fuel.range <= 483
    assert 0 <= fuel.amount_remaining <= 500
    assert 0 <= volt.engine_oil().life_remaining <= 1
    tires = volt.tire_pressure()
    for value in (tires.front_left, tires.front_right, tires.back_left, tires.back_right):
        assert isinstance(value, float) and 175 <= value <= 237, tires
    assert volt.lock_status().is_locked in (True, False)
    assert isinstance(volt.diagnostic_system_status().systems, list)


def test_test_mode_volt_commands_succeed(volt):
    for command in (volt.lock, volt.unlock, volt.start_charge, volt.stop_charge,
                    lambda: volt.set_charge_limit(0.7),
                    lambda: volt.send_destination(40.748817, -73.985428)):
        response = command()
        assert response.status == "success" and response.message == ACTION_MESSAGE
    assert volt.charge().is_plugged_in is True
    assert volt.get_charge_limit().limit == approx(0.7)


def test_test_mode_volt_batch_and_raw_request(volt):
    batch = volt.batch(["/odometer", "/location", "/charge/limit", "/engine/oil",
                        "/battery/capacity", "/tires/pressure"])
    assert batch.odometer().distance is not None
    assert batch.engine_oil().life_remaining is not None
    assert batch.battery_capacity().capacity is not None
    assert batch.tire_pressure().front_left is not None
    raw = volt.request("post", "batch",
                       {"requests": [{"path": "/odometer"}, {"path": "/tires/pressure"}]})
    odometer, tires = raw.body["responses"]
    assert odometer["code"] == 200 and isinstance(odometer["body"]["distance"], (int, float))
    for corner in ("frontLeft", "frontRight", "backLeft", "backRight"):
        assert isinstance(tires["body"][corner], float), tires


# ---------------------------------------------------------------------------
# user and vehicle list
# ---------------------------------------------------------------------------


def test_get_user(main):
    user = smartcar.get_user(main.token)
    assert isinstance(user, v2.User)
    assert user.id == main.user["smartcarUserId"]
    check_meta(user.meta)


def test_get_vehicles_and_paging(main):
    total = len(main.vehicle_ids)
    res = smartcar.get_vehicles(main.token)
    assert isinstance(res, v2.Vehicles)
    assert res.paging.count == total
    assert res.paging.offset == 0
    assert len(res.vehicles) == min(total, 10)
    assert set(res.vehicles) <= set(main.vehicle_ids)
    check_meta(res.meta)

    seen = []
    for offset in range(total):
        page = smartcar.get_vehicles(main.token, {"limit": 1, "offset": offset})
        assert len(page.vehicles) == 1
        assert page.paging == v2.Paging(total, offset)
        seen += page.vehicles
    assert sorted(seen) == sorted(main.vehicle_ids)

    past = smartcar.get_vehicles(main.token, {"limit": 1, "offset": total})
    assert past.vehicles == []
    assert past.paging.offset == total


# ---------------------------------------------------------------------------
# vehicle reads, checked against the control API's state
# ---------------------------------------------------------------------------


def test_attributes(sandbox, bev, bev_car):
    attrs = bev_car.attributes()
    assert isinstance(attrs, v2.Attributes)
    control = sandbox.vehicle(bev["vin"])
    assert attrs.id == bev["smartcarId"]
    assert attrs.make == control["make"] == bev["make"]
    assert attrs.model == control["model"]
    assert attrs.year == control["year"]
    check_meta(attrs.meta)


def test_vin(bev, bev_car):
    vin = bev_car.vin()
    assert vin.vin == bev["vin"]
    assert len(vin.vin) == 17
    check_meta(vin.meta)


def test_odometer(sandbox, bev, bev_car):
    odo = bev_car.odometer()
    assert isinstance(odo, v2.Odometer)
    assert odo.distance == pytest.approx(sandbox.state(bev["vin"])["odometerKm"], abs=0.01)
    check_meta(odo.meta, data_age=True, unit_system="metric")


def test_location(sandbox, bev, bev_car):
    loc = bev_car.location()
    state = sandbox.state(bev["vin"])
    assert loc.latitude == pytest.approx(state["latitude"], abs=1e-5)
    assert loc.longitude == pytest.approx(state["longitude"], abs=1e-5)
    assert -90 <= loc.latitude <= 90 and -180 <= loc.longitude <= 180
    check_meta(loc.meta, data_age=True)


def test_battery(sandbox, bev, bev_car):
    battery = bev_car.battery()
    state = sandbox.state(bev["vin"])
    assert state["stateOfCharge"] is not None
    assert battery.percent_remaining == pytest.approx(state["stateOfCharge"], abs=1e-3)
    assert 0 <= battery.percent_remaining <= 1
    assert battery.range == approx(state["rangeKm"])
    check_meta(battery.meta, data_age=True, unit_system="metric")


def test_battery_capacity(sandbox, bev, bev_car):
    cap = bev_car.battery_capacity()
    assert isinstance(cap, v2.BatteryCapacity)
    assert isinstance(cap.capacity, (int, float)) and cap.capacity > 0
    kwh = sandbox.vehicle(bev["vin"]).get("batteryCapacityKWh")
    if kwh is not None:
        assert cap.capacity == approx(kwh)
    check_meta(cap.meta, data_age=True)


def test_nominal_capacity(bev_car):
    nominal = bev_car.nominal_capacity()
    assert isinstance(nominal, v2.NominalCapcity)
    for item in nominal.availableCapacities:
        assert isinstance(item.capacity, (int, float)) and item.capacity > 0
    if nominal.capacity is None:
        assert nominal.url, "capacity null requires a battery-capacity url"
    else:
        assert nominal.capacity["nominal"] > 0
        assert nominal.capacity["source"] in ("USER_SELECTED", "SMARTCAR")
    check_meta(nominal.meta, data_age=True)


def test_charge_status(sandbox, bev, bev_car):
    charge = bev_car.charge()
    state = sandbox.state(bev["vin"])
    assert charge.is_plugged_in == state["isPluggedIn"]
    assert charge.state == state["chargeState"]
    assert charge.state in ("CHARGING", "FULLY_CHARGED", "NOT_CHARGING")
    check_meta(charge.meta, data_age=True)


def test_get_charge_limit(sandbox, bev, bev_car):
    limit = bev_car.get_charge_limit()
    assert limit.limit == pytest.approx(sandbox.state(bev["vin"])["chargeLimit"], abs=1e-3)
    check_meta(limit.meta)


def test_tire_pressure(sandbox, bev, bev_car):
    tires = bev_car.tire_pressure()
    kpa = sandbox.state(bev["vin"])["tirePressureKPa"]
    assert tires.front_left == approx(kpa["frontLeft"])
    assert tires.front_right == approx(kpa["frontRight"])
    assert tires.back_left == approx(kpa["backLeft"])
    assert tires.back_right == approx(kpa["backRight"])
    check_meta(tires.meta, data_age=True, unit_system="metric")


def test_lock_status(sandbox, bev, bev_car):
    status = bev_car.lock_status()
    assert isinstance(status, v2.LockStatus)
    state = sandbox.state(bev["vin"])
    assert status.is_locked == state["isLocked"]
    assert status_map(status.doors) == state["doors"]
    assert status_map(status.windows) == state["windows"]
    for group in (status.doors, status.windows, status.sunroof, status.storage,
                  status.charging_port):
        for item in group:
            assert item["status"] in ("OPEN", "CLOSED", "UNKNOWN"), item
    storage = status_map(status.storage)
    if "rear" in storage and isinstance(state.get("trunk"), str):
        assert storage["rear"] == state["trunk"]
    if status.sunroof and isinstance(state.get("sunroof"), str):
        assert status.sunroof[0]["status"] == state["sunroof"]
    if status.charging_port and isinstance(state.get("chargingPort"), str):
        assert status.charging_port[0]["status"] == state["chargingPort"]
    check_meta(status.meta)


def test_permissions(main, bev_car):
    perms = bev_car.permissions()
    assert isinstance(perms, v2.Permissions)
    assert sorted(perms.permissions) == sorted(SCOPES), "granted scope, no 'required:' prefix"
    assert perms.paging.count == len(SCOPES)
    assert perms.paging.offset == 0
    check_meta(perms.meta)

    page = bev_car.permissions({"limit": 2, "offset": 1})
    assert len(page.permissions) == 2
    assert set(page.permissions) <= set(SCOPES)
    assert page.paging == v2.Paging(len(SCOPES), 1)


def test_service_history(sandbox, bev, bev_car):
    history = bev_car.service_history()
    assert isinstance(history, v2.ServiceHistory)
    assert isinstance(history.items, list)
    odometer = sandbox.state(bev["vin"])["odometerKm"]
    for record in history.items:
        assert isinstance(record["odometerDistance"], (int, float))
        assert 0 < record["odometerDistance"] <= odometer + 0.01
        assert "serviceDate" in record and "serviceTasks" in record
    check_meta(history.meta)

    ranged = bev_car.service_history("2023-05-20", "2024-02-10")
    for record in ranged.items:
        assert "2023-05-20" <= record["serviceDate"][:10] <= "2024-02-10", record


def test_diagnostic_system_status(bev_car):
    status = bev_car.diagnostic_system_status()
    assert isinstance(status, v2.DiagnosticSystemStatus)
    for system in status.systems:
        assert isinstance(system, v2.DiagnosticSystem)
        assert system.system_id and system.status in ("OK", "ALERT")
    check_meta(status.meta, data_age=True)


def test_diagnostic_trouble_codes(bev_car):
    dtcs = bev_car.diagnostic_trouble_codes()
    assert isinstance(dtcs, v2.DiagnosticTroubleCodes)
    for code in dtcs.active_codes:
        assert isinstance(code, v2.DiagnosticTroubleCode) and code.code
        assert code.timestamp is None or ISO_MS.match(code.timestamp)
    check_meta(dtcs.meta, data_age=True)


def test_ice_fuel_and_engine_oil(sandbox, ice, ice_car):
    fuel = ice_car.fuel()
    control = sandbox.vehicle(ice["vin"])
    state = control["state"]
    assert fuel.percent_remaining == pytest.approx(state["fuelFraction"], abs=1e-3)
    assert fuel.range == approx(state["rangeKm"])
    assert fuel.amount_remaining is None or fuel.amount_remaining >= 0
    if control.get("fuelTankLiters") is not None and fuel.amount_remaining is not None:
        assert fuel.amount_remaining == pytest.approx(
            state["fuelFraction"] * control["fuelTankLiters"], abs=0.05)
    check_meta(fuel.meta, data_age=True, unit_system="metric")

    oil = ice_car.engine_oil()
    assert oil.life_remaining == pytest.approx(state["oilLife"], abs=1e-3)
    check_meta(oil.meta, data_age=True)

    odo = ice_car.odometer()
    assert odo.distance == pytest.approx(state["odometerKm"], abs=0.01)


def test_phev_has_battery_and_fuel(sandbox, phev_car):
    phev, car = phev_car
    state = sandbox.state(phev["vin"])
    assert car.battery().percent_remaining == pytest.approx(state["stateOfCharge"], abs=1e-3)
    assert car.fuel().percent_remaining == pytest.approx(state["fuelFraction"], abs=1e-3)


# ---------------------------------------------------------------------------
# capability errors
# ---------------------------------------------------------------------------


def test_bev_fuel_is_not_capable(bev_car):
    e = expect_error(bev_car.fuel, 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
    assert e.message.startswith("COMPATIBILITY:VEHICLE_NOT_CAPABLE - ")


def test_ice_battery_is_not_capable(ice_car):
    expect_error(ice_car.battery, 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


# ---------------------------------------------------------------------------
# units, flags, API versions, bad ids
# ---------------------------------------------------------------------------


def test_imperial_units(sandbox, bev, main):
    car = smartcar.Vehicle(bev["smartcarId"], main.token, {"unit_system": "imperial"})
    odo = car.odometer()
    state = sandbox.state(bev["vin"])
    assert odo.distance == approx(state["odometerKm"] * KM_TO_MI)
    check_meta(odo.meta, data_age=True, unit_system="imperial")
    tires = car.tire_pressure()
    assert tires.front_left == approx(state["tirePressureKPa"]["frontLeft"] * KPA_TO_PSI)
    check_meta(tires.meta, unit_system="imperial")
    battery = car.battery()
    assert battery.range == approx(state["rangeKm"] * KM_TO_MI)
    assert battery.percent_remaining == pytest.approx(state["stateOfCharge"], abs=1e-3)


def test_flags_are_accepted(sandbox, bev, main):
    car = smartcar.Vehicle(bev["smartcarId"], main.token,
                           {"flags": {"country": "DE", "flag": True}})
    assert car.odometer().distance == pytest.approx(
        sandbox.state(bev["vin"])["odometerKm"], abs=0.01)


def test_unknown_numeric_version_serves_latest(sandbox, bev, main):
    car = smartcar.Vehicle(bev["smartcarId"], main.token, {"version": "99999999.99"})
    assert car.odometer().distance == pytest.approx(
        sandbox.state(bev["vin"])["odometerKm"], abs=0.01)


def test_non_numeric_version_is_404(bev, main):
    car = smartcar.Vehicle(bev["smartcarId"], main.token, {"version": "Johnny Appleseed"})
    with pytest.raises(SmartcarException) as info:
        car.odometer()
    assert info.value.status_code == 404


def test_v1_through_sdk6(sandbox, bev, main):
    car = smartcar.Vehicle(bev["smartcarId"], main.token, {"version": "1.0"})
    assert car.odometer().distance == pytest.approx(
        sandbox.state(bev["vin"])["odometerKm"], abs=0.01)
    bad = smartcar.Vehicle("bad_id", main.token, {"version": "1.0"})
    with pytest.raises(SmartcarException) as info:
        bad.attributes()
    e = info.value
    assert e.type == "validation_error", e.__dict__  # v1.0 error body: "error" + "message"
    assert e.status_code == 400, e.__dict__
    assert "resolution" not in e.__dict__
    assert e.message


def test_bad_vehicle_id_is_validation_error(main):
    e = expect_error(smartcar.Vehicle("bad_id", main.token).attributes, 400, "VALIDATION",
                     check_code=False)
    assert e.resolution == {"type": None, "url": None}


# ---------------------------------------------------------------------------
# commands change the car
# ---------------------------------------------------------------------------


def test_lock_and_unlock(sandbox, bev, bev_car):
    vin = bev["vin"]
    with sandbox.temporary_state(vin, safe_to_lock(sandbox.state(vin))):
        res = bev_car.unlock()
        assert isinstance(res, v2.Action)
        assert (res.status, res.message) == ("success", ACTION_MESSAGE)
        check_meta(res.meta)
        assert sandbox.state(vin)["isLocked"] is False
        assert bev_car.lock_status().is_locked is False

        res = bev_car.lock()
        assert (res.status, res.message) == ("success", ACTION_MESSAGE)
        assert sandbox.state(vin)["isLocked"] is True
        assert bev_car.lock_status().is_locked is True


def test_lock_with_door_open_is_409(sandbox, bev, bev_car):
    vin = bev["vin"]
    with sandbox.temporary_state(vin, safe_to_lock(sandbox.state(vin))):
        bev_car.unlock()
        with sandbox.temporary_state(vin, {"doors": {"frontLeft": "OPEN"}}):
            assert status_map(bev_car.lock_status().doors)["frontLeft"] == "OPEN"
            expect_error(bev_car.lock, 409, "VEHICLE_STATE", "DOOR_OPEN")
            assert sandbox.state(vin)["isLocked"] is False


def test_start_and_stop_charge(sandbox, bev, bev_car):
    vin = bev["vin"]
    plugged = {"isPluggedIn": True, "chargeState": "NOT_CHARGING",
               "stateOfCharge": 0.5, "chargeLimit": 0.9}
    with sandbox.temporary_state(vin, plugged):
        res = bev_car.start_charge()
        assert (res.status, res.message) == ("success", ACTION_MESSAGE)
        charge = bev_car.charge()
        assert (charge.is_plugged_in, charge.state) == (True, "CHARGING")
        assert sandbox.state(vin)["chargeState"] == "CHARGING"

        res = bev_car.stop_charge()
        assert (res.status, res.message) == ("success", ACTION_MESSAGE)
        assert bev_car.charge().state == "NOT_CHARGING"
        assert sandbox.state(vin)["chargeState"] == "NOT_CHARGING"


def test_start_charge_unplugged_is_409(sandbox, bev, bev_car):
    vin = bev["vin"]
    with sandbox.temporary_state(vin, {"isPluggedIn": False, "chargeState": "NOT_CHARGING"}):
        expect_error(bev_car.start_charge, 409, "VEHICLE_STATE",
                     "CHARGING_PLUG_NOT_CONNECTED")


def test_set_and_get_charge_limit(sandbox, bev, bev_car):
    vin = bev["vin"]
    plugged = {"isPluggedIn": True, "chargeState": "NOT_CHARGING", "chargeLimit": 0.9}
    with sandbox.temporary_state(vin, plugged):
        res = bev_car.set_charge_limit(0.7)
        assert (res.status, res.message) == ("success", ACTION_MESSAGE)
        assert bev_car.get_charge_limit().limit == pytest.approx(0.7, abs=1e-6)
        assert sandbox.state(vin)["chargeLimit"] == pytest.approx(0.7, abs=1e-6)
        expect_error(lambda: bev_car.set_charge_limit(0.2), 400, "VALIDATION",
                     check_code=False)
        assert sandbox.state(vin)["chargeLimit"] == pytest.approx(0.7, abs=1e-6)


def test_send_destination(bev_car):
    res = bev_car.send_destination(40.748817, -73.985428)
    assert isinstance(res, v2.Action)
    assert (res.status, res.message) == ("success", ACTION_MESSAGE)
    check_meta(res.meta)


# ---------------------------------------------------------------------------
# batch and raw requests
# ---------------------------------------------------------------------------


def test_batch(sandbox, bev, bev_car):
    paths = ["/", "/vin", "/odometer", "/location", "/battery", "/charge",
             "/charge/limit", "/tires/pressure", "/security", "/fuel"]
    batch = bev_car.batch(paths)
    assert set(batch._fields) == {
        "attributes", "vin", "odometer", "location", "battery", "charge",
        "get_charge_limit", "tire_pressure", "lock_status", "fuel", "meta"}
    check_meta(batch.meta)
    state = sandbox.state(bev["vin"])

    assert batch.attributes().id == bev["smartcarId"]
    assert batch.attributes().make == bev["make"]
    assert batch.vin().vin == bev["vin"]
    odo = batch.odometer()
    assert odo.distance == pytest.approx(state["odometerKm"], abs=0.01)
    check_meta(odo.meta, data_age=True, unit_system="metric")
    assert batch.location().latitude == pytest.approx(state["latitude"], abs=1e-5)
    assert batch.battery().percent_remaining == pytest.approx(state["stateOfCharge"], abs=1e-3)
    assert batch.charge().state == state["chargeState"]
    assert batch.get_charge_limit().limit == pytest.approx(state["chargeLimit"], abs=1e-3)
    assert batch.tire_pressure().front_left == approx(state["tirePressureKPa"]["frontLeft"])
    assert batch.lock_status().is_locked == state["isLocked"]
    # a per-path error does not fail the batch; it raises when read
    expect_error(batch.fuel, 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")


def test_batch_with_unknown_path_fails_whole(bev_car):
    expect_error(lambda: bev_car.batch(["/odometer", "/LOCATIONNNNNNNN"]), 400,
                 "VALIDATION", check_code=False)


def test_request_with_unit_header(sandbox, bev, bev_car):
    res = bev_car.request("GET", "odometer", None, {"sc-unit-system": "imperial"})
    assert isinstance(res, v2.Response)
    assert res.body["distance"] == approx(sandbox.state(bev["vin"])["odometerKm"] * KM_TO_MI)
    check_meta(res.meta, unit_system="imperial")


def test_request_with_body(bev_car):
    res = bev_car.request(
        "post", "batch", {"requests": [{"path": "/odometer"}, {"path": "/tires/pressure"}]}, {})
    responses = res.body["responses"]
    assert [r["path"] for r in responses] == ["/odometer", "/tires/pressure"]
    assert all(r["code"] == 200 and isinstance(r["headers"], dict) for r in responses)
    assert isinstance(responses[0]["body"]["distance"], (int, float))
    for key in ("frontLeft", "frontRight", "backLeft", "backRight"):
        assert isinstance(responses[1]["body"][key], (int, float))
    check_meta(res.meta)


def test_request_with_bad_authorization(bev_car):
    e = expect_error(
        lambda: bev_car.request("GET", "odometer", None,
                                {"sc-unit-system": "imperial", "Authorization": "Bearer abc"}),
        401, "AUTHENTICATION")
    assert e.message == "AUTHENTICATION - " + AUTH_DESCRIPTION


# ---------------------------------------------------------------------------
# auth and permission errors
# ---------------------------------------------------------------------------


def test_bad_access_token(bev):
    e = expect_error(lambda: smartcar.get_user("THIS_SHOULD_NOT_WORK"), 401, "AUTHENTICATION")
    assert e.detail is None
    assert e.resolution == {"type": None, "url": None}
    expect_error(smartcar.Vehicle(bev["smartcarId"], "THIS_SHOULD_NOT_WORK").odometer,
                 401, "AUTHENTICATION")


def test_scope_not_granted_is_403(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    _, conn = headless_connect(sb, vehicle, scope=["read_vehicle_info", "read_odometer"])
    car = smartcar.Vehicle(vehicle["smartcarId"], conn.token)
    assert sorted(car.permissions().permissions) == ["read_odometer", "read_vehicle_info"]
    assert car.odometer().distance == pytest.approx(sb.state(vehicle["vin"])["odometerKm"],
                                                    abs=0.01)
    e = expect_error(car.location, 403, "PERMISSION")
    assert len(e.__dict__) == 10, e.__dict__  # 9 body fields + message, no retry_after
    assert e.resolution["type"] == "REAUTHENTICATE"

    batch = car.batch(["/", "/odometer", "/location"])
    assert batch.attributes().id == vehicle["smartcarId"]
    assert batch.odometer().distance >= 0
    expect_error(batch.location, 403, "PERMISSION")


# ---------------------------------------------------------------------------
# v3 signals and vehicle
# ---------------------------------------------------------------------------


def _unwrap(body):
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else body


def test_v3_get_signal(sandbox, bev, bev_car):
    state = sandbox.state(bev["vin"])
    res = bev_car.get_signal("odometer-traveleddistance")
    signal = _unwrap(res["body"])
    attrs = signal["attributes"]
    assert attrs["code"] == "odometer-traveleddistance"
    assert attrs["status"]["value"] == "SUCCESS"
    assert attrs["body"]["unit"] == "kilometers"
    assert attrs["body"]["value"] == pytest.approx(state["odometerKm"], abs=0.01)

    soc = _unwrap(bev_car.get_signal("tractionbattery-stateofcharge")["body"])["attributes"]
    assert soc["body"]["unit"] == "percent"
    assert soc["body"]["value"] == pytest.approx(state["stateOfCharge"] * 100, abs=0.1)

    loc = _unwrap(bev_car.get_signal("location-preciselocation")["body"])["attributes"]
    assert loc["body"]["latitude"] == pytest.approx(state["latitude"], abs=1e-5)
    assert loc["body"]["longitude"] == pytest.approx(state["longitude"], abs=1e-5)


def test_v3_get_signals(sandbox, bev, bev_car):
    res = bev_car.get_signals()
    body = res["body"]
    signals = body["data"]
    assert isinstance(signals, list) and signals
    for signal in signals:
        assert signal["type"] == "signal"
        assert signal["attributes"]["code"] == signal["id"]
    assert body["meta"]["totalCount"] >= len(signals)
    odo = [s for s in signals if s["id"] == "odometer-traveleddistance"]
    if odo:
        assert odo[0]["attributes"]["body"]["value"] == pytest.approx(
            sandbox.state(bev["vin"])["odometerKm"], abs=0.01)


def test_v3_get_vehicle(sandbox, bev, main):
    res = sc.get_vehicle(main.token, bev["smartcarId"])
    vehicle = _unwrap(res["body"])
    assert vehicle["id"] == bev["smartcarId"]
    assert vehicle["attributes"]["make"] == bev["make"]
    assert vehicle["attributes"]["model"] == bev["model"]
    assert str(vehicle["attributes"]["year"]) == str(bev["year"])


# ---------------------------------------------------------------------------
# compatibility
# ---------------------------------------------------------------------------


def test_get_compatibility(sandbox, bev):
    res = smartcar.get_compatibility(
        bev["vin"], ["read_odometer", "read_battery", "read_fuel"], "US",
        {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    assert isinstance(res, v2.CompatibilityV2)
    assert res.compatible is True
    assert res.reason is None
    check_meta(res.meta)
    by_permission = {}
    for cap in res.capabilities:
        assert isinstance(cap, v2.Capability)
        assert cap.endpoint.startswith("/")
        by_permission.setdefault(cap.permission, []).append(cap)
    assert any(c.capable for c in by_permission["read_odometer"])
    assert any(c.capable for c in by_permission["read_battery"])
    assert by_permission["read_fuel"]
    for cap in by_permission["read_fuel"]:
        assert cap.capable is False and cap.reason == "VEHICLE_NOT_CAPABLE", cap


def test_get_compatibility_documented_vins(sandbox):
    """The live answers the SDKs' e2e suites assert (Python's v2 test, node's Tesla/Audi pair)."""
    creds = {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret,
             "version": "2.0"}
    gm = smartcar.get_compatibility("0SCGMCT0386A85356", ["read_odometer", "read_fuel"],
                                    "US", creds)
    assert (gm.compatible, gm.reason) == (True, None)
    assert [(c.permission, c.endpoint, c.capable, c.reason) for c in gm.capabilities] == [
        ("read_odometer", "/odometer", True, None),
        ("read_fuel", "/fuel", False, "VEHICLE_NOT_CAPABLE")]
    scope = ["read_odometer", "read_location"]
    tesla = smartcar.get_compatibility("5YJXCDE22HF068739", scope, "US", creds)
    assert tesla.compatible and all(c.capable for c in tesla.capabilities)
    audi = smartcar.get_compatibility("WAUAFAFL1GN014882", scope, "US", creds)
    assert audi.compatible and len(audi.capabilities) == 2
    assert not any(c.capable for c in audi.capabilities)


def test_get_compatibility_bad_credentials(bev):
    expect_error(lambda: smartcar.get_compatibility(
        bev["vin"], ["read_odometer"], "US",
        {"client_id": "nope", "client_secret": "nope"}), 401, "AUTHENTICATION")


def test_get_compatibility_matrix(sandbox, bev):
    matrix = sc.get_compatibility_matrix(
        "US", bev["make"],
        {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret,
         "type": "BEV", "scope": ["read_battery"]})
    assert bev["make"] in matrix, matrix.keys()
    for models in matrix.values():
        for model in models:
            assert isinstance(model, v2.CompatibilityMatrixModel)
            assert model.type == "BEV"
            assert model.startYear <= model.endYear
            assert "read_battery" in model.permissions


# ---------------------------------------------------------------------------
# management API
# ---------------------------------------------------------------------------


def test_get_connections(sandbox, main, bev):
    amt = sandbox.management_token
    user_id = main.user["smartcarUserId"]
    mine = sc.get_connections(amt, {"user_id": user_id})
    assert isinstance(mine, v2.GetConnections)
    check_meta(mine.meta)
    assert set(main.vehicle_ids) <= {c.vehicle_id for c in mine.connections}
    for conn in mine.connections:
        assert conn.user_id == user_id
        assert conn.connected_at and ISO_MS.match(conn.connected_at), conn

    one = sc.get_connections(amt, {"vehicle_id": bev["smartcarId"]})
    assert one.connections
    assert all(c.vehicle_id == bev["smartcarId"] for c in one.connections)

    everything = sc.get_connections(amt, paging={"limit": 100})
    first_page = sc.get_connections(amt, paging={"limit": 1})
    assert len(first_page.connections) == 1
    if len(everything.connections) > 1:
        assert first_page.paging.cursor
        second = sc.get_connections(amt, paging={"limit": 1, "cursor": first_page.paging.cursor})
        assert len(second.connections) == 1
        assert second.connections[0] != first_page.connections[0]


def test_get_connections_bad_token():
    expect_error(lambda: sc.get_connections("not-the-management-token"), 401,
                 "AUTHENTICATION")


def test_delete_connections(new_sandbox):
    sb = new_sandbox()
    amt = sb.management_token
    vehicle = sb.vehicles[0]
    _, conn = headless_connect(sb, vehicle)
    deleted = smartcar.delete_connections(amt, {"vehicle_id": vehicle["smartcarId"]})
    assert isinstance(deleted, v2.DeleteConnections)
    assert [(c.vehicle_id, c.user_id) for c in deleted.connections] == [
        (vehicle["smartcarId"], conn.user["smartcarUserId"])]
    check_meta(deleted.meta)
    assert sc.get_connections(amt, {"vehicle_id": vehicle["smartcarId"]}).connections == []
    with pytest.raises(SmartcarException) as info:
        smartcar.Vehicle(vehicle["smartcarId"], conn.token).odometer()
    assert info.value.status_code in (401, 403), info.value.__dict__

    other = sb.vehicles[1]
    _, conn2 = headless_connect(sb, other)
    uid = conn2.user["smartcarUserId"]
    by_user = smartcar.delete_connections(amt, {"user_id": uid})
    assert other["smartcarId"] in {c.vehicle_id for c in by_user.connections}
    assert all(c.user_id == uid for c in by_user.connections)
    assert sc.get_connections(amt, {"user_id": uid}).connections == []

    with pytest.raises(Exception):
        smartcar.delete_connections(amt, {"user_id": uid, "vehicle_id": other["smartcarId"]})


# ---------------------------------------------------------------------------
# webhooks
# ---------------------------------------------------------------------------


def _sandbox_webhook_id(sandbox):
    for holder in (sandbox.smartcar, sandbox.data):
        if holder.get("webhookId"):
            return holder["webhookId"]
        hooks = holder.get("webhooks")
        if hooks:
            return hooks[0]["id"] if isinstance(hooks[0], dict) else hooks[0]
    return None


def test_subscribe_and_unsubscribe(sandbox, bev, bev_car):
    webhook_id = _sandbox_webhook_id(sandbox)
    if webhook_id is None:
        pytest.skip("the sandbox body names no webhook (smartcar.webhookId / webhooks)")
    sub = bev_car.subscribe(webhook_id)
    assert isinstance(sub, v2.Subscribe)
    assert (sub.webhook_id, sub.vehicle_id) == (webhook_id, bev["smartcarId"])
    check_meta(sub.meta)
    unsub = bev_car.unsubscribe(sandbox.management_token, webhook_id)
    assert isinstance(unsub, v2.Status) and unsub.status == "success"


def test_subscribe_unknown_webhook_is_400(bev_car):
    expect_error(lambda: bev_car.subscribe(str(uuid.uuid4())), 400, "VALIDATION",
                 check_code=False)


def test_unsubscribe_with_bad_management_token_is_401(bev_car):
    expect_error(lambda: bev_car.unsubscribe("not-the-management-token", str(uuid.uuid4())),
                 401, "AUTHENTICATION")


# ---------------------------------------------------------------------------
# disconnect
# ---------------------------------------------------------------------------


def test_disconnect(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    _, conn = headless_connect(sb, vehicle)
    car = smartcar.Vehicle(vehicle["smartcarId"], conn.token)
    assert car.vin().vin == vehicle["vin"]
    res = car.disconnect()
    assert isinstance(res, v2.Status)
    assert res.status == "success"
    check_meta(res.meta)
    expect_error(car.odometer, 401, "AUTHENTICATION")


# ---------------------------------------------------------------------------
# every SDK entry point is exercised above
# ---------------------------------------------------------------------------

VEHICLE_METHODS = {
    "attributes", "vin", "odometer", "location", "battery", "battery_capacity",
    "nominal_capacity", "charge", "get_charge_limit", "set_charge_limit", "start_charge",
    "stop_charge", "fuel", "tire_pressure", "engine_oil", "lock_status", "lock", "unlock",
    "send_destination", "service_history", "diagnostic_system_status",
    "diagnostic_trouble_codes", "permissions", "batch", "request", "subscribe",
    "unsubscribe", "get_signals", "get_signal", "disconnect", "set_unit_system",
}
MODULE_FUNCTIONS = {
    "get_user", "get_vehicles", "get_compatibility", "get_compatibility_matrix",
    "get_vehicle", "hash_challenge", "verify_payload", "get_management_token",
    "get_connections", "delete_connections", "set_api_version", "get_api_version",
}
AUTH_CLIENT_METHODS = {"get_auth_url", "exchange_code", "exchange_refresh_token"}


def test_every_sdk_entry_point_is_covered():
    vehicle = {n for n, _ in inspect.getmembers(smartcar.Vehicle, inspect.isfunction)
               if not n.startswith("_")}
    assert vehicle == VEHICLE_METHODS
    auth = {n for n, _ in inspect.getmembers(smartcar.AuthClient, inspect.isfunction)
            if not n.startswith("_")}
    assert auth == AUTH_CLIENT_METHODS
    module = {n for n, fn in inspect.getmembers(sc, inspect.isfunction)
              if not n.startswith("_") and fn.__module__ == sc.__name__}
    assert module == MODULE_FUNCTIONS
