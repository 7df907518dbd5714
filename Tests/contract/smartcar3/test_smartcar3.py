"""Contract tests: the official Smartcar Python SDK 3.0.1 (API v1.0 era) against fleetmock.

3.0.1 has no environment variables: its hosts are module constants in
``smartcar.const`` (API_URL = "https://api.smartcar.com/v1.0", AUTH_URL =
".../oauth/token", CONNECT_URL = "https://connect.smartcar.com"), read on
every call, so this file overwrites them with FLEETMOCK_URL.

The SDK's Vehicle has only info, vin, permissions, odometer, location,
lock, unlock and disconnect; battery, charge and fuel are read through the
SDK's own ``Vehicle.api.get(<path>)`` (the same requester and error mapping).
Errors surface as 3.0.1's exception classes, chosen by HTTP status alone.
"""

import datetime
import inspect
import uuid

import pytest

import fleetmock_client as fc

import smartcar  # noqa: E402
import smartcar.api  # noqa: E402
import smartcar.const as const  # noqa: E402
import smartcar.exceptions as E  # noqa: E402
import smartcar.smartcar as sc  # noqa: E402

BASE = fc.configured_url()
const.API_URL = f"{BASE}/v{const.API_VERSION}"
const.AUTH_URL = f"{BASE}/oauth/token"
const.CONNECT_URL = BASE

SCOPES = fc.ALL_SCOPES
KM_TO_MI = 0.621371
DOORS = ("frontLeft", "frontRight", "backLeft", "backRight")


def approx(value, rel=1e-3, abs_=0.01):
    return pytest.approx(value, rel=rel, abs=abs_)


def expect(call, exc_class):
    """``call`` must raise exactly ``exc_class`` with a message from the body."""
    with pytest.raises(E.SmartcarException) as info:
        call()
    e = info.value
    assert type(e) is exc_class, f"{type(e).__name__}: {e}"
    assert str(e) and str(e) != "Unknown error", (
        "error body had neither 'message' nor 'error_description'")
    return e


def new_state():
    return uuid.uuid4().hex


def first(sandbox, powertrain):
    cars = sandbox.parked_first(sandbox.by_powertrain(powertrain))
    if not cars:
        pytest.fail(f"sandbox has no {powertrain} vehicle: {sandbox.vehicles}")
    return cars[0]


def safe_to_lock(state):
    patch = {"doors": {d: "CLOSED" for d in (state.get("doors") or {}) or DOORS}}
    for key in ("hood", "trunk"):
        if state.get(key) is not None:
            patch[key] = "CLOSED"
    if state.get("speedKph") is not None:
        patch["speedKph"] = 0
    if state.get("ignitionOn") is not None:
        patch["ignitionOn"] = False
    return patch


class Connection:
    def __init__(self, access, user, vehicle_ids, result=None, state=None):
        self.access = access  # the dict 3.0.1 returns
        self.user = user
        self.vehicle_ids = list(vehicle_ids)
        self.result = result
        self.state = state

    @property
    def token(self):
        return self.access["access_token"]


def headless_connect(sandbox, vehicle, scope=SCOPES):
    user = sandbox.owner(vehicle["vin"])
    state = new_state()
    data = sandbox.connect(user["email"], scope, vehicles=[vehicle["vin"]], mode="live",
                           redirect_uri=sandbox.redirect_uri, state=state)
    client = smartcar.AuthClient(sandbox.client_id, sandbox.client_secret,
                                 sandbox.redirect_uri, scope=list(scope))
    return client, Connection(client.exchange_code(data["code"]), user,
                              [vehicle["smartcarId"]], state=state)


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(sandbox):
    return smartcar.AuthClient(sandbox.client_id, sandbox.client_secret,
                               sandbox.redirect_uri, scope=SCOPES)


@pytest.fixture(scope="module")
def bev(sandbox):
    return first(sandbox, "BEV")


@pytest.fixture(scope="module")
def ice(sandbox):
    return first(sandbox, "ICE")


@pytest.fixture(scope="module")
def main(sandbox, client, bev):
    """Connect through the HTML pages with 3.0.1's auth URL (no ``mode``)."""
    user = sandbox.owner(bev["vin"])
    state = new_state()
    url = client.get_auth_url(force=True, state=state)
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
    user = sandbox.owner(ice["vin"])
    state = new_state()
    url = client.get_auth_url(state=state, vehicle_info={"make": ice["make"]})
    result = fc.drive_connect(url, sandbox.redirect_uri, email=user["email"],
                              vehicles=[ice["smartcarId"]])
    assert result.code and "brands" not in result.trace, result
    return smartcar.Vehicle(ice["smartcarId"], client.exchange_code(result.code)["access_token"])


# ---------------------------------------------------------------------------
# SDK set-up
# ---------------------------------------------------------------------------


def test_sdk_version_and_urls():
    assert smartcar.__version__ == "3.0.1"
    assert const.API_URL == BASE + "/v1.0"
    assert const.AUTH_URL == BASE + "/oauth/token"
    assert const.CONNECT_URL == BASE
    for cls in (E.ValidationException, E.AuthenticationException, E.PermissionException,
                E.ResourceNotFoundException, E.StateException, E.RateLimitingException,
                E.MonthlyLimitExceeded, E.ServerException, E.NotCapableException,
                E.GatewayTimeoutException):
        assert issubclass(cls, E.SmartcarException)


def test_auth_url_shape(sandbox):
    client = smartcar.AuthClient(sandbox.client_id, sandbox.client_secret,
                                 sandbox.redirect_uri, scope=["read_odometer", "read_vin"],
                                 test_mode=True)
    url = client.get_auth_url(force=True, state="s1", vehicle_info={"make": "TESLA"})
    assert url.startswith(BASE + "/oauth/authorize?")
    assert fc.query_params(url) == {
        "response_type": "code", "client_id": sandbox.client_id,
        "redirect_uri": sandbox.redirect_uri, "approval_prompt": "force", "mode": "test",
        "scope": "read_odometer read_vin", "state": "s1", "make": "TESLA",
    }


# ---------------------------------------------------------------------------
# Connect and OAuth
# ---------------------------------------------------------------------------


def test_connect_without_mode_is_live(sandbox, client, main, bev, bev_car):
    # 3.0.1 sends no `mode` unless test_mode: the server must default to live,
    # i.e. hand out the sandbox's own vehicles.
    assert "mode" not in fc.query_params(client.get_auth_url())
    assert bev_car.vin() == bev["vin"]
    assert main.result.trace == ["preamble", "brands", "login", "permissions"]
    assert main.result.params.get("state") == main.state
    assert bev["smartcarId"] in main.vehicle_ids


def test_headless_connect_redirect(sandbox, ice):
    user = sandbox.owner(ice["vin"])
    data = sandbox.connect(user["email"], ["read_odometer"], vehicles=[ice["vin"]],
                           redirect_uri=sandbox.redirect_uri, state="xyz")
    assert data["redirect"].startswith(sandbox.redirect_uri)
    assert fc.query_params(data["redirect"]) == {"code": data["code"], "state": "xyz"}


def test_exchange_code_returns_dict(main):
    access = main.access
    for key in ("access_token", "token_type", "expires_in", "refresh_token",
                "expiration", "refresh_expiration"):
        assert key in access, access
    assert access["token_type"] == "Bearer"
    assert access["expires_in"] == 7200
    assert smartcar.is_expired(access["expiration"]) is False
    assert access["expiration"] > datetime.datetime.utcnow()


def test_exchange_bad_code(client):
    e = expect(lambda: client.exchange_code("THIS_SHOULD_NOT_WORK"), E.ValidationException)
    assert str(e) == "Invalid code: THIS_SHOULD_NOT_WORK."


def test_exchange_bad_refresh_token(client):
    e = expect(lambda: client.exchange_refresh_token("THIS_SHOULD_NOT_WORK"),
               E.ValidationException)
    assert str(e) == "Invalid refresh_token: THIS_SHOULD_NOT_WORK."


def test_exchange_refresh_token(sandbox, ice):
    client, conn = headless_connect(sandbox, ice)
    fresh = client.exchange_refresh_token(conn.access["refresh_token"])
    assert fresh["refresh_token"] and fresh["refresh_token"] != conn.access["refresh_token"]
    assert fresh["access_token"] and fresh["access_token"] != conn.access["access_token"]
    assert smartcar.get_user_id(fresh["access_token"]) == conn.user["smartcarUserId"]


def test_token_expiry_on_virtual_clock(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    client, conn = headless_connect(sb, vehicle)
    assert smartcar.get_user_id(conn.token) == conn.user["smartcarUserId"]
    sb.advance_clock("3h")
    expect(lambda: smartcar.get_user_id(conn.token), E.AuthenticationException)
    fresh = client.exchange_refresh_token(conn.access["refresh_token"])
    car = smartcar.Vehicle(vehicle["smartcarId"], fresh["access_token"])
    assert car.vin() == vehicle["vin"]


# ---------------------------------------------------------------------------
# user, vehicles, compatibility
# ---------------------------------------------------------------------------


def test_get_user_id(main):
    assert smartcar.get_user_id(main.token) == main.user["smartcarUserId"]


def test_get_vehicle_ids(main):
    total = len(main.vehicle_ids)
    res = smartcar.get_vehicle_ids(main.token)
    assert res["paging"] == {"count": total, "offset": 0}
    assert len(res["vehicles"]) == min(total, 10)
    assert set(res["vehicles"]) <= set(main.vehicle_ids)
    seen = []
    for offset in range(total):
        page = smartcar.get_vehicle_ids(main.token, limit=1, offset=offset)
        assert page["paging"] == {"count": total, "offset": offset}
        seen += page["vehicles"]
    assert sorted(seen) == sorted(main.vehicle_ids)
    assert smartcar.get_vehicle_ids(main.token, limit=1, offset=total)["vehicles"] == []


def test_is_compatible(sandbox, client, bev):
    assert client.is_compatible(bev["vin"], ["read_odometer", "read_battery"]) is True


def test_is_compatible_documented_vins(client):
    # The v1-era node and ruby e2e pair: the Tesla is compatible, the Audi is not.
    scope = ["read_odometer", "read_location"]
    assert client.is_compatible("5YJXCDE22HF068739", scope) is True
    assert client.is_compatible("WAUAFAFL1GN014882", scope) is False


def test_is_compatible_bad_credentials(sandbox, bev):
    bad = smartcar.AuthClient(sandbox.client_id, "not-the-secret", sandbox.redirect_uri)
    expect(lambda: bad.is_compatible(bev["vin"], ["read_odometer"]),
           E.AuthenticationException)


# ---------------------------------------------------------------------------
# vehicle reads, checked against the control API's state
# ---------------------------------------------------------------------------


def test_info(sandbox, bev, bev_car):
    info = bev_car.info()
    control = sandbox.vehicle(bev["vin"])
    assert info["id"] == bev["smartcarId"]
    assert info["make"] == control["make"]
    assert info["model"] == control["model"]
    assert info["year"] == control["year"]


def test_vin(bev, bev_car):
    assert bev_car.vin() == bev["vin"]


def test_permissions(bev_car):
    assert sorted(bev_car.permissions()) == sorted(SCOPES)


def test_odometer(sandbox, bev, bev_car):
    odo = bev_car.odometer()
    assert odo["data"]["distance"] == pytest.approx(
        sandbox.state(bev["vin"])["odometerKm"], abs=0.01)
    assert odo["unit_system"] == "metric"
    assert isinstance(odo["age"], datetime.datetime)
    assert odo["age"].tzinfo is not None


def test_odometer_imperial(sandbox, bev, main):
    car = smartcar.Vehicle(bev["smartcarId"], main.token, unit_system="imperial")
    odo = car.odometer()
    assert odo["unit_system"] == "imperial"
    assert odo["data"]["distance"] == approx(
        sandbox.state(bev["vin"])["odometerKm"] * KM_TO_MI)
    car.set_unit_system("metric")
    assert car.odometer()["unit_system"] == "metric"
    with pytest.raises(ValueError):
        car.set_unit_system("furlongs")


def test_location(sandbox, bev, bev_car):
    loc = bev_car.location()
    state = sandbox.state(bev["vin"])
    assert loc["data"]["latitude"] == pytest.approx(state["latitude"], abs=1e-5)
    assert loc["data"]["longitude"] == pytest.approx(state["longitude"], abs=1e-5)
    assert isinstance(loc["age"], datetime.datetime)


def test_battery_and_charge_via_api(sandbox, bev, bev_car):
    battery = bev_car.api.get("battery").json()
    state = sandbox.state(bev["vin"])
    assert battery["percentRemaining"] == pytest.approx(state["stateOfCharge"], abs=1e-3)
    assert battery["range"] == approx(state["rangeKm"])
    charge = bev_car.api.get("charge").json()
    assert charge["isPluggedIn"] == state["isPluggedIn"]
    assert charge["state"] == state["chargeState"]


def test_fuel_via_api(sandbox, ice, ice_car):
    fuel = ice_car.api.get("fuel").json()
    state = sandbox.state(ice["vin"])
    assert fuel["percentRemaining"] == pytest.approx(state["fuelFraction"], abs=1e-3)
    assert fuel["range"] == approx(state["rangeKm"])
    odo = ice_car.odometer()
    assert odo["data"]["distance"] == pytest.approx(state["odometerKm"], abs=0.01)


# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------


def test_lock_and_unlock(sandbox, bev, bev_car):
    vin = bev["vin"]
    with sandbox.temporary_state(vin, safe_to_lock(sandbox.state(vin))):
        assert bev_car.unlock() == {"status": "success"}
        assert sandbox.state(vin)["isLocked"] is False
        assert bev_car.lock() == {"status": "success"}
        assert sandbox.state(vin)["isLocked"] is True


def test_lock_with_door_open_is_state_exception(sandbox, bev, bev_car):
    vin = bev["vin"]
    with sandbox.temporary_state(vin, safe_to_lock(sandbox.state(vin))):
        bev_car.unlock()
        with sandbox.temporary_state(vin, {"doors": {"frontLeft": "OPEN"}}):
            e = expect(bev_car.lock, E.StateException)
            assert "door" in str(e).lower(), str(e)
            assert sandbox.state(vin)["isLocked"] is False


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


def test_bev_fuel_is_not_capable(bev_car):
    expect(lambda: bev_car.api.get("fuel"), E.NotCapableException)


def test_bad_access_token(bev):
    expect(lambda: smartcar.get_user_id("THIS_SHOULD_NOT_WORK"), E.AuthenticationException)
    car = smartcar.Vehicle(bev["smartcarId"], "THIS_SHOULD_NOT_WORK")
    expect(car.odometer, E.AuthenticationException)


def test_bad_vehicle_id(main):
    expect(smartcar.Vehicle("bad_id", main.token).info, E.ValidationException)


def test_unknown_path(bev_car):
    expect(lambda: bev_car.api.get("not-a-real-endpoint"), E.ResourceNotFoundException)


def test_scope_not_granted(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    _, conn = headless_connect(sb, vehicle, scope=["read_vehicle_info", "read_odometer"])
    car = smartcar.Vehicle(vehicle["smartcarId"], conn.token)
    assert sorted(car.permissions()) == ["read_odometer", "read_vehicle_info"]
    assert car.odometer()["data"]["distance"] >= 0
    expect(car.location, E.PermissionException)
    expect(car.lock, E.PermissionException)


def test_disconnect(new_sandbox):
    sb = new_sandbox()
    vehicle = sb.vehicles[0]
    _, conn = headless_connect(sb, vehicle)
    car = smartcar.Vehicle(vehicle["smartcarId"], conn.token)
    assert car.info()["id"] == vehicle["smartcarId"]
    assert car.disconnect() is None
    expect(car.info, E.AuthenticationException)


# ---------------------------------------------------------------------------
# every SDK entry point is exercised above
# ---------------------------------------------------------------------------


def _functions(obj):
    return {n for n, _ in inspect.getmembers(obj, inspect.isfunction) if not n.startswith("_")}


def test_every_sdk_entry_point_is_covered():
    assert _functions(smartcar.Vehicle) == {
        "set_unit_system", "info", "vin", "permissions", "disconnect", "odometer",
        "location", "unlock", "lock"}
    assert _functions(smartcar.AuthClient) == {
        "get_auth_url", "exchange_code", "exchange_refresh_token", "is_compatible"}
    assert _functions(smartcar.api.Api) == {
        "set_unit_system", "action", "get", "permissions", "disconnect", "vehicles", "user"}
    module = {n for n, fn in inspect.getmembers(sc, inspect.isfunction)
              if fn.__module__ == sc.__name__}
    assert module == {"set_expiration", "is_expired", "get_vehicle_ids", "get_user_id"}
