"""The dashboard at /__fleetmock/ui in headless Chromium: a sandbox made in the page, its cars on the
map moving as the clock advances, a fault armed in the page that the official Smartcar SDK then meets
(and the journal shows), and a vehicle edited in the page that the Smartcar API then reports.
Screenshots of every page land in .fleetmock/screenshots/."""

import os

BASE = os.environ.get("FLEETMOCK_URL", "").strip().rstrip("/")
# The Smartcar SDK reads its origins once, at import.
os.environ["SMARTCAR_API_ORIGIN"] = BASE
os.environ["SMARTCAR_AUTH_ORIGIN"] = BASE + "/oauth/token"
os.environ["SMARTCAR_CONNECT_ORIGIN"] = BASE
os.environ["SMARTCAR_MANAGEMENT_API_ORIGIN"] = BASE

import pytest  # noqa: E402
import smartcar  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from conftest import ROOT, WAIT  # noqa: E402

SCREENSHOTS = os.path.join(ROOT, ".fleetmock", "screenshots")
UI = "/__fleetmock/ui"


def shot(driver, name, width=1280, height=800):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    driver.set_window_size(width, height)
    path = os.path.join(SCREENSHOTS, name + ".png")
    assert driver.save_screenshot(path), f"could not save {path}"


def until(driver, condition, message, timeout=WAIT):
    # Live fragments replace their contents every few seconds: an element read mid-swap is stale, so try again.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=[StaleElementReferenceException]).until(condition, message)


def no_error(driver):
    flash = driver.find_element(By.ID, "flash")
    assert "error" not in (flash.get_attribute("class") or ""), flash.text


def cars(driver):
    """VIN -> (latitude, longitude, activity) of every car drawn on the overview map."""
    rows = driver.execute_script(
        "return Array.from(document.querySelectorAll('#map circle.car'))"
        ".map(c => [c.dataset.vin, c.dataset.latitude, c.dataset.longitude, c.dataset.activity]);")
    return {vin: (lat, lon, activity) for vin, lat, lon, activity in rows}


@pytest.fixture
def ui_sandbox(driver, base_url, http):
    """A sandbox created through the dashboard's form: default fixtures, clock frozen at 08:00 in San Francisco."""
    driver.set_window_size(1280, 800)
    driver.get(base_url + UI + "/")
    form = driver.find_element(By.ID, "create-sandbox")
    form.find_element(By.NAME, "fixtures").send_keys("default")
    form.find_element(By.NAME, "historyDays").send_keys("1")
    form.find_element(By.NAME, "clock.now").send_keys("2026-06-01T15:00:00Z")
    form.find_element(By.NAME, "clock.frozen").click()
    shot(driver, "sandboxes")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(driver, lambda d: "/sandboxes/" in d.current_url and d.find_elements(By.ID, "sandbox-id"), "the new sandbox's page opens")
    sandbox_id = driver.find_element(By.ID, "sandbox-id").text
    yield sandbox_id
    http.delete(f"{base_url}/__fleetmock/sandboxes/{sandbox_id}", timeout=10)


def connect(http, base_url, sandbox_id, vin, scope):
    """A Smartcar connection through the control API's headless Connect, exchanged by the SDK."""
    credentials = http.get(f"{base_url}/__fleetmock/sandboxes/{sandbox_id}", timeout=10).json()
    vehicle = next(v for v in credentials["vehicles"] if v["vin"] == vin)
    code = http.post(f"{base_url}/__fleetmock/sandboxes/{sandbox_id}/smartcar/connect",
                     json={"email": vehicle["owner"], "scope": scope, "vehicles": [vin]}, timeout=10).json()["code"]
    sc = credentials["smartcar"]
    client = smartcar.AuthClient(sc["clientId"], sc["clientSecret"], sc["redirectUri"])
    access = client.exchange_code(code)
    return smartcar.Vehicle(vehicle["smartcarId"], access.access_token)


def test_a_sandbox_made_in_the_page_shows_every_car_on_the_map(driver, base_url, http, ui_sandbox):
    vehicles = http.get(f"{base_url}/__fleetmock/sandboxes/{ui_sandbox}/vehicles", timeout=10).json()["vehicles"]
    drawn = cars(driver)
    assert set(drawn) == {v["vin"] for v in vehicles}
    assert driver.find_element(By.ID, "clock-now").get_attribute("data-now").startswith("2026-06-01T15:00:00")
    assert "frozen" in driver.find_element(By.ID, "clock-mode").text
    shot(driver, "overview")
    shot(driver, "overview-narrow", width=420, height=900)


def test_advancing_the_clock_moves_cars_on_the_map_without_a_reload(driver, base_url, ui_sandbox):
    before = cars(driver)
    marker = driver.execute_script("window.__sameDocument = true; return 1;")
    assert marker == 1
    advance = driver.find_element(By.CSS_SELECTOR, "button[data-body*='advance'][data-body*='1h']")
    moved = []
    for _ in range(6):
        now = driver.find_element(By.ID, "clock-now").get_attribute("data-now")
        advance.click()
        until(driver, lambda d: d.find_element(By.ID, "clock-now").get_attribute("data-now") != now, "the clock fragment shows the new time")
        until(driver, lambda d: cars(d) and all(d.find_elements(By.ID, "map")), "the map is drawn again")
        no_error(driver)
        after = cars(driver)
        moved = [vin for vin in before if vin in after and after[vin][:2] != before[vin][:2]]
        if moved:
            break
    assert moved, "an hour of a San Francisco morning at a time moves at least one car"
    assert driver.execute_script("return window.__sameDocument === true"), "the page was not reloaded"
    shot(driver, "overview-after-advance")
    # The control API's own error shows in the page.
    form = driver.find_element(By.ID, "clock-set")
    form.find_element(By.NAME, "set").send_keys("2020-01-01T00:00:00Z")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(driver, lambda d: "error" in (d.find_element(By.ID, "flash").get_attribute("class") or ""), "the 409 is shown")
    assert "conflict" in driver.find_element(By.ID, "flash").text


def test_a_fault_armed_in_the_page_fails_the_next_sdk_call_and_the_journal_shows_it(driver, base_url, http, ui_sandbox):
    vin = sorted(cars(driver))[0]
    vehicle = connect(http, base_url, ui_sandbox, vin, ["read_odometer", "read_vehicle_info"])
    assert vehicle.odometer().distance > 0

    driver.get(f"{base_url}{UI}/sandboxes/{ui_sandbox}/faults")
    driver.find_element(By.ID, "catalog-search").send_keys("vehicle_state asleep")
    visible = [row for row in driver.find_elements(By.CSS_SELECTOR, "#catalog tr[data-search]") if row.is_displayed()]
    assert [row.find_element(By.CSS_SELECTOR, "td").text for row in visible] == ["smartcar.VEHICLE_STATE.ASLEEP"]
    visible[0].find_element(By.CSS_SELECTOR, "button[data-use-catalog]").click()
    form = driver.find_element(By.ID, "add-rule")
    assert form.find_element(By.NAME, "action.catalogId").get_attribute("value") == "smartcar.VEHICLE_STATE.ASLEEP"
    form.find_element(By.NAME, "match.path").send_keys("/v2.0/vehicles/*/odometer")
    form.find_element(By.NAME, "schedule.times").send_keys("1")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#rules tr[data-rule]"), "the armed rule is listed")
    no_error(driver)
    shot(driver, "faults")

    with pytest.raises(smartcar.exception.SmartcarException) as raised:
        vehicle.odometer()
    assert raised.value.status_code == 409 and raised.value.code == "ASLEEP"
    assert vehicle.odometer().distance > 0, "times: 1, so the next call passes"
    until(driver, lambda d: "0 of 1" in d.find_element(By.ID, "rules").text, "the rule shows it has fired")

    driver.get(f"{base_url}{UI}/sandboxes/{ui_sandbox}/journal")
    text = until(driver, lambda d: d.execute_script(
        "const r = document.querySelector(\"#journal-list tr[data-status='409']\"); return r && r.textContent;"), "the faulted call is in the journal")
    assert "/odometer" in text
    shot(driver, "journal")
    driver.find_element(By.NAME, "status").send_keys("409")
    until(driver, lambda d: all(r.get_attribute("data-status") == "409" for r in d.find_elements(By.CSS_SELECTOR, "#journal-list tr[data-status]")),
          "the status filter narrows the live list")
    href = until(driver, lambda d: d.execute_script(
        "const a = document.querySelector(\"#journal-list tr[data-status='409'] a\"); return a && a.href;"), "a link to the exchange")
    driver.get(href)
    until(driver, lambda d: d.find_elements(By.ID, "response-body"), "the exchange opens")
    assert "ASLEEP" in driver.find_element(By.ID, "response-body").text
    assert driver.find_element(By.ID, "entry-fault").text
    shot(driver, "journal-entry")


def test_a_vehicle_edited_in_the_page_is_what_the_smartcar_api_answers(driver, base_url, http, ui_sandbox):
    vin = sorted(cars(driver))[0]
    vehicle = connect(http, base_url, ui_sandbox, vin, ["read_odometer", "read_vehicle_info"])
    driver.get(f"{base_url}{UI}/sandboxes/{ui_sandbox}/vehicles/{vin}")
    shot(driver, "vehicle")
    patch = driver.find_element(By.ID, "patch")
    patch.find_element(By.NAME, "state").send_keys('{"odometerKm": 123456.7}')
    patch.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(driver, lambda d: d.find_element(By.ID, "odometer").get_attribute("data-km") == "123456.700", "the state fragment shows the new odometer")
    no_error(driver)
    assert abs(vehicle.odometer().distance - 123456.7) < 0.05
    # A bad patch is refused with the control API's message, and nothing changes.
    patch.find_element(By.NAME, "state").clear()
    patch.find_element(By.NAME, "state").send_keys('{"odometerKm": "far"}')
    patch.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(driver, lambda d: "error" in (d.find_element(By.ID, "flash").get_attribute("class") or ""), "the 400 is shown")
    assert "odometerKm" in driver.find_element(By.ID, "flash").text
    assert abs(vehicle.odometer().distance - 123456.7) < 0.05
    # A quick action: open a door.
    driver.find_element(By.XPATH, "//button[normalize-space()='Open front-left door']").click()
    until(driver, lambda d: "frontLeft OPEN" in d.find_element(By.ID, "doors").text, "the door shows open")
    shot(driver, "vehicle-edited")


def test_hostile_text_never_runs_on_a_dashboard_page(driver, base_url, http, ui_sandbox):
    hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>"
    created = http.post(f"{base_url}/__fleetmock/sandboxes/{ui_sandbox}/faults",
                        json={"match": {"path": "/v2.0/" + hostile}, "action": {"kind": "status", "status": 503, "message": hostile}}, timeout=10)
    assert created.status_code == 201
    http.get(f"{base_url}/v2.0/vehicles", params={"q": hostile}, timeout=10,
             headers={"X-Fleetmock-Sandbox": ui_sandbox, "Authorization": "Bearer " + "x" * 8})
    for page in ("/faults", "/journal", ""):
        driver.get(f"{base_url}{UI}/sandboxes/{ui_sandbox}{page}")
        until(driver, lambda d: d.execute_script("return document.readyState") == "complete", "the page loads")
        assert driver.execute_script("return window.__pwned === undefined"), page
    driver.get(f"{base_url}{UI}/sandboxes/{ui_sandbox}/webhooks")
    assert driver.execute_script("return window.__pwned === undefined")
    shot(driver, "webhooks")
