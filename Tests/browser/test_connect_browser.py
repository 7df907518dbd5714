"""Smartcar Connect's pages in a real browser (headless Chromium via Selenium).

The server is the one in FLEETMOCK_URL (Tests/browser/run.sh starts one).
Each module-level sandbox registers fleetmock's own health URL as an extra
redirect URI, so the final redirect of a Connect flow lands on a page that
exists (the health JSON) and ``driver.current_url`` carries ``code``/``error``
and ``state`` without any network error page.

Screenshots of every Connect page go to ``.fleetmock/browser/*.png`` (or
``$FLEETMOCK_BROWSER_SHOTS``). Only explicit Selenium waits are used.

Environment:
  FLEETMOCK_URL            server under test (required)
  CHROMEDRIVER             default /usr/bin/chromedriver
  CHROMIUM                 default /usr/bin/chromium (if present)
  FLEETMOCK_BROWSER_SHOTS  screenshot folder, default <repo>/.fleetmock/browser
  FLEETMOCK_BROWSER_WAIT   seconds for each explicit wait, default 20
"""

import os
import uuid
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest
from selenium.common.exceptions import NoAlertPresentException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHOTS = os.environ.get("FLEETMOCK_BROWSER_SHOTS") or os.path.join(ROOT, ".fleetmock", "browser")
WAIT = float(os.environ.get("FLEETMOCK_BROWSER_WAIT", "20"))

SCOPE = "read_odometer read_vehicle_info"
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
DENY_DESCRIPTION = "User denied access to application."

CONTINUE = (By.ID, "continue-button")
BRAND = (By.CSS_SELECTOR, "button.brand-list-item")
USERNAME = (By.ID, "username")
APPROVE = (By.ID, "approval-button")
VEHICLE_BOXES = (By.CSS_SELECTOR, "input[name=vehicle][type=checkbox]")


def brand(make):
    # By attribute rather than "#MAKE": a make is not always a valid CSS identifier.
    return (By.CSS_SELECTOR, f'button.brand-list-item[id="{make}"]')


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


class Sandbox:
    def __init__(self, data, callback):
        self.data = data
        self.id = data["id"]
        self.client_id = data["smartcar"]["clientId"]
        self.client_secret = data["smartcar"]["clientSecret"]
        self.callback = callback
        self.vehicles = data["vehicles"]

    def owner_email(self, vehicle):
        owner = vehicle["owner"]
        if isinstance(owner, dict):
            return owner.get("email")
        return owner


@pytest.fixture(scope="module")
def sandbox(base_url, http):
    callback = base_url + "/__fleetmock/health"
    resp = http.post(base_url + "/__fleetmock/sandboxes", json={"smartcar": {"redirectUris": [callback]}}, timeout=30)
    assert resp.status_code == 201, f"POST /__fleetmock/sandboxes -> {resp.status_code}: {resp.text[:500]}"
    data = resp.json()
    assert callback in data["smartcar"].get("redirectUris", []), data["smartcar"]
    sb = Sandbox(data, callback)
    yield sb
    http.delete(f"{base_url}/__fleetmock/sandboxes/{sb.id}", timeout=30)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def authorize_url(base_url, sandbox, *, state, mode="live", redirect_uri=None, **extra):
    params = {
        "response_type": "code",
        "client_id": sandbox.client_id,
        "redirect_uri": redirect_uri or sandbox.callback,
        "scope": SCOPE,
        "state": state,
        "mode": mode,
    }
    params.update(extra)
    return base_url + "/oauth/authorize?" + urlencode(params, quote_via=quote)


def wait(driver, timeout=None):
    # While a page is being replaced, Chromium's inspector can report a node of the old document
    # ("Node with given id does not belong to the document"): poll again instead of failing.
    return WebDriverWait(driver, timeout or WAIT, ignored_exceptions=(WebDriverException,))


def shoot(driver, shots, name):
    path = os.path.join(shots, name + ".png")
    assert driver.save_screenshot(path), f"could not save screenshot {path}"
    return path


def assert_no_alert(driver):
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return
    text = alert.text
    alert.accept()
    pytest.fail(f"a JavaScript dialog opened on {driver.current_url}: {text!r}")


def assert_no_script(driver):
    """Connect's pages carry no script at all, so any <script> element is injected."""
    assert_no_alert(driver)
    scripts = driver.find_elements(By.TAG_NAME, "script")
    assert scripts == [], f"{len(scripts)} <script> element(s) on {driver.current_url}"


def click_through(driver, locator, then=None):
    """Click ``locator``, wait for the page to be replaced, then for ``then``."""
    element = wait(driver).until(EC.element_to_be_clickable(locator))
    element.click()
    wait(driver).until(EC.staleness_of(element))
    if then is not None:
        return wait(driver).until(EC.presence_of_element_located(then))
    return None


def open_connect(driver, url):
    driver.get(url)
    wait(driver).until(EC.element_to_be_clickable(CONTINUE))
    assert "Smartcar Connect" in driver.title


def to_permissions(driver, base_url, sandbox, *, state, mode, make, email, shots=None, prefix=""):
    """Preamble -> brand list -> login -> permissions page (screenshots on the way)."""
    open_connect(driver, authorize_url(base_url, sandbox, state=state, mode=mode))
    assert "wants to connect to your car" in driver.find_element(By.TAG_NAME, "h1").text
    if shots:
        shoot(driver, shots, prefix + "01-preamble")
    assert_no_script(driver)

    click_through(driver, CONTINUE, then=brand(make))
    assert "/connect/brands" in driver.current_url
    assert len(driver.find_elements(*BRAND)) >= 1
    if shots:
        shoot(driver, shots, prefix + "02-brands")
    assert_no_script(driver)

    click_through(driver, brand(make), then=USERNAME)
    assert make.capitalize() in driver.find_element(By.TAG_NAME, "h1").text
    driver.find_element(*USERNAME).send_keys(email)
    driver.find_element(By.ID, "password").send_keys("any-password")
    if shots:
        shoot(driver, shots, prefix + "03-login")
    assert_no_script(driver)

    click_through(driver, (By.ID, "sign-in-button"), then=APPROVE)
    wait(driver).until(EC.element_to_be_clickable((By.ID, "deny-button")))
    assert "Allow" in driver.find_element(By.TAG_NAME, "h1").text
    assert_no_script(driver)


def wait_for_redirect(driver, sandbox, key):
    """Wait until the browser is on the callback with ``key`` in its query; return the query."""
    wait(driver).until(lambda d: d.current_url.startswith(sandbox.callback) and f"{key}=" in d.current_url)
    query = parse_qs(urlparse(driver.current_url).query, keep_blank_values=True)
    return {k: v[0] for k, v in query.items()}


def live_vehicle(sandbox):
    """A sandbox vehicle with an owner, preferring a Tesla."""
    owned = [v for v in sandbox.vehicles if sandbox.owner_email(v)]
    assert owned, f"sandbox {sandbox.id} has no owned vehicles"
    return next((v for v in owned if v["make"] == "TESLA"), owned[0])


def exchange(base_url, http, sandbox, code):
    resp = http.post(
        base_url + "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.callback},
        auth=(sandbox.client_id, sandbox.client_secret),
        timeout=30,
    )
    assert resp.status_code == 200, f"POST /oauth/token -> {resp.status_code}: {resp.text[:500]}"
    token = resp.json()
    assert token.get("access_token"), token
    return token


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_live_approve_returns_code_that_exchanges_for_token(driver, base_url, http, sandbox, shots):
    vehicle = live_vehicle(sandbox)
    email = sandbox.owner_email(vehicle)
    make = vehicle["make"]
    state = "live-" + uuid.uuid4().hex
    to_permissions(driver, base_url, sandbox, state=state, mode="live", make=make, email=email, shots=shots)

    # The owner's vehicles of that make are offered, all checked.
    expected = sorted(v["smartcarId"] for v in sandbox.vehicles
                      if v["make"] == make and sandbox.owner_email(v) == email)
    boxes = driver.find_elements(*VEHICLE_BOXES)
    assert sorted(b.get_attribute("value") for b in boxes) == expected
    assert all(b.is_selected() for b in boxes)
    assert vehicle["vin"] in driver.find_element(By.TAG_NAME, "body").text
    shoot(driver, shots, "04-permissions")

    click_through(driver, APPROVE)
    query = wait_for_redirect(driver, sandbox, "code")
    assert query.get("state") == state
    assert query.get("code")
    assert "error" not in query
    assert '"status"' in driver.find_element(By.TAG_NAME, "body").text  # the health JSON

    token = exchange(base_url, http, sandbox, query["code"])
    resp = http.get(base_url + "/v2.0/vehicles", headers={"Authorization": "Bearer " + token["access_token"]}, timeout=30)
    assert resp.status_code == 200, resp.text[:500]
    assert sorted(resp.json()["vehicles"]) == expected

    # A code is single-use.
    again = http.post(
        base_url + "/oauth/token",
        data={"grant_type": "authorization_code", "code": query["code"], "redirect_uri": sandbox.callback},
        auth=(sandbox.client_id, sandbox.client_secret),
        timeout=30,
    )
    assert again.status_code >= 400


def test_live_deny_returns_access_denied(driver, base_url, sandbox):
    vehicle = live_vehicle(sandbox)
    state = "deny-" + uuid.uuid4().hex
    to_permissions(driver, base_url, sandbox, state=state, mode="live",
                   make=vehicle["make"], email=sandbox.owner_email(vehicle))
    click_through(driver, (By.ID, "deny-button"))
    query = wait_for_redirect(driver, sandbox, "error")
    assert query.get("error") == "access_denied"
    assert query.get("error_description") == DENY_DESCRIPTION
    assert query.get("state") == state
    assert "code" not in query


def test_live_unknown_email_stays_on_login_with_error(driver, base_url, sandbox, shots):
    vehicle = live_vehicle(sandbox)
    open_connect(driver, authorize_url(base_url, sandbox, state="nobody", mode="live"))
    click_through(driver, CONTINUE, then=brand(vehicle["make"]))
    click_through(driver, brand(vehicle["make"]), then=USERNAME)
    driver.find_element(*USERNAME).send_keys("nobody@example.invalid")
    driver.find_element(By.ID, "password").send_keys("x")
    error = click_through(driver, (By.ID, "sign-in-button"), then=(By.ID, "login-error"))
    assert "Invalid credentials" in error.text
    assert driver.find_element(*USERNAME).get_attribute("value") == "nobody@example.invalid"
    assert urlparse(driver.current_url).path == "/connect/login"
    shoot(driver, shots, "07-login-error")


def test_test_mode_three_vehicles(driver, base_url, http, sandbox, shots):
    state = "test-" + uuid.uuid4().hex
    to_permissions(driver, base_url, sandbox, state=state, mode="test", make="TESLA",
                   email="3-vehicles@smartcar.com")
    boxes = driver.find_elements(*VEHICLE_BOXES)
    assert len(boxes) == 3
    assert all(b.is_selected() for b in boxes)
    assert len({b.get_attribute("value") for b in boxes}) == 3
    shoot(driver, shots, "05-permissions-test-mode")

    # Share two of the three: the token sees exactly those.
    boxes[2].click()
    wait(driver).until(EC.element_selection_state_to_be(boxes[2], False))
    chosen = sorted(b.get_attribute("value") for b in boxes[:2])
    click_through(driver, APPROVE)
    query = wait_for_redirect(driver, sandbox, "code")
    assert query.get("state") == state
    token = exchange(base_url, http, sandbox, query["code"])
    resp = http.get(base_url + "/v2.0/vehicles", headers={"Authorization": "Bearer " + token["access_token"]}, timeout=30)
    assert resp.status_code == 200, resp.text[:500]
    assert sorted(resp.json()["vehicles"]) == chosen


def test_script_in_state_is_never_executed_and_round_trips(driver, base_url, sandbox):
    # state is kept server-side (not echoed into the pages); it must not run
    # anywhere and must come back byte for byte in the redirect.
    state = XSS + "\"'&x=1"
    to_permissions(driver, base_url, sandbox, state=state, mode="test", make="TESLA",
                   email="1-vehicles@smartcar.com")
    click_through(driver, APPROVE)
    query = wait_for_redirect(driver, sandbox, "code")
    assert_no_alert(driver)
    assert query.get("state") == state


def test_reflected_parameters_are_escaped(driver, base_url, http, sandbox, shots):
    # Parameters Connect does echo into its HTML: an unknown client_id (error
    # page text) and make (hidden field on the preamble).
    url = authorize_url(base_url, sandbox, state=XSS, client_id=XSS)
    driver.get(url)
    message = wait(driver).until(EC.visibility_of_element_located((By.ID, "error-message")))
    assert_no_script(driver)
    assert XSS in message.text  # shown as text
    assert XSS_ESCAPED in driver.page_source
    shoot(driver, shots, "08-error-xss-client-id")
    raw = http.get(url, timeout=30)
    assert raw.status_code == 400
    assert XSS_ESCAPED in raw.text and XSS not in raw.text

    url = authorize_url(base_url, sandbox, state=XSS, make=XSS)
    open_connect(driver, url)
    assert_no_script(driver)
    hidden = driver.find_element(By.CSS_SELECTOR, "input[type=hidden][name=make]")
    assert hidden.get_attribute("value") == XSS.upper()
    raw = http.get(url, timeout=30)
    assert raw.status_code == 200
    assert XSS.upper() not in raw.text
    assert 'value="&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;"' in raw.text


def test_unregistered_redirect_uri_shows_error_and_stays(driver, base_url, http, sandbox, shots):
    # Same origin, so a wrong redirect would load a real page rather than fail.
    bad = base_url + "/__fleetmock/health?unregistered=1"
    url = authorize_url(base_url, sandbox, state="bad-redirect", redirect_uri=bad)
    driver.get(url)
    message = wait(driver).until(EC.visibility_of_element_located((By.ID, "error-message")))
    assert "Invalid redirect_uri" in message.text
    assert bad in message.text
    assert "Connect cannot start" in driver.find_element(By.TAG_NAME, "h1").text
    assert urlparse(driver.current_url).path == "/oauth/authorize"
    # Nothing on the page can take the user to the unregistered URI.
    assert driver.find_elements(By.TAG_NAME, "form") == []
    assert driver.find_elements(By.TAG_NAME, "a") == []
    assert driver.find_elements(By.CSS_SELECTOR, "meta[http-equiv]") == []
    assert_no_script(driver)
    shoot(driver, shots, "06-error-redirect-uri")
    with pytest.raises(TimeoutException):
        wait(driver, 2).until(lambda d: urlparse(d.current_url).path != "/oauth/authorize")

    raw = http.get(url, allow_redirects=False, timeout=30)
    assert raw.status_code == 400
    assert "Location" not in raw.headers


@pytest.mark.parametrize("hostile", ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>",
                                     "//evil.example/callback", "https://evil.example/callback"])
def test_script_and_foreign_redirect_uris_are_refused(driver, base_url, http, sandbox, hostile):
    # Open-redirect probes: none of these is registered, so Connect shows its error page and links nowhere.
    url = authorize_url(base_url, sandbox, state="probe", redirect_uri=hostile)
    raw = http.get(url, timeout=30, allow_redirects=False)
    assert raw.status_code == 400
    assert "Location" not in raw.headers
    driver.get(url)
    message = wait(driver).until(EC.visibility_of_element_located((By.ID, "error-message")))
    assert "Invalid redirect_uri" in message.text
    assert urlparse(driver.current_url).path == "/oauth/authorize"
    assert driver.find_elements(By.TAG_NAME, "a") == [] and driver.find_elements(By.TAG_NAME, "form") == []
    assert_no_script(driver)


def test_crlf_in_state_cannot_split_the_redirect(driver, base_url, sandbox):
    # CR/LF in a reflected parameter: the redirect's Location is percent-encoded, so no header is injected
    # and the state comes back byte for byte.
    vehicle = live_vehicle(sandbox)
    state = "crlf\r\nSet-Cookie: injected=1\r\n\r\n<script>alert(1)</script>"
    to_permissions(driver, base_url, sandbox, state=state, mode="live",
                   make=vehicle["make"], email=sandbox.owner_email(vehicle))
    click_through(driver, (By.ID, "deny-button"))
    query = wait_for_redirect(driver, sandbox, "error")
    assert query.get("state") == state
    assert all(cookie["name"] != "injected" for cookie in driver.get_cookies())
    assert_no_alert(driver)
