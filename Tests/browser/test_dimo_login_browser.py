"""Login with DIMO in a real browser (headless Chromium via Selenium).

The sandbox registers fleetmock's own health URL as a DIMO redirect URI, so the
redirect back lands on a page that exists and ``driver.current_url`` carries the
payload (token, walletAddress, email, sharedVehicles). The popup test opens the
page with ``window.open`` from that origin and receives the payload by
``postMessage``, as the official button SDK does. Screenshots go to the same
folder as the Connect tests' (``.fleetmock/browser``).
"""

import base64
import json
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest
from selenium.common.exceptions import NoSuchWindowException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from test_connect_browser import WAIT, assert_no_alert, shoot, wait

EMAIL = (By.ID, "email-input")
OTP = (By.ID, "otp-input")
SHARE = (By.ID, "share-button")


class DIMOSandbox:
    def __init__(self, data, callback):
        self.id = data["id"]
        self.client_id = data["dimo"]["clientId"]
        self.callback = callback
        self.vehicles = data["vehicles"]
        self.users = {u["email"]: u for u in data["users"]}


@pytest.fixture(scope="module")
def dimo_sandbox(base_url, http):
    callback = base_url + "/__fleetmock/health"
    resp = http.post(base_url + "/__fleetmock/sandboxes", json={"dimo": {"redirectUris": [callback]}, "historyDays": 0}, timeout=30)
    assert resp.status_code == 201, f"POST /__fleetmock/sandboxes -> {resp.status_code}: {resp.text[:500]}"
    data = resp.json()
    assert callback in data["dimo"]["redirectUris"], data["dimo"]
    sb = DIMOSandbox(data, callback)
    yield sb
    http.delete(f"{base_url}/__fleetmock/sandboxes/{sb.id}", timeout=30)


def login_url(base_url, sandbox, **extra):
    params = {"clientId": sandbox.client_id, "redirectUri": sandbox.callback}
    params.update(extra)
    return base_url + "/login?" + urlencode(params, quote_via=quote)


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def log_in(driver, email, shots=None, prefix="", closes=False):
    """Email step, then the code the page shows in place of an email. In a popup the last step closes the window."""
    # A just-opened popup can hand Chromium's inspector a node of the document it is replacing: look again.
    WebDriverWait(driver, WAIT, ignored_exceptions=(WebDriverException,)).until(EC.element_to_be_clickable(EMAIL)).send_keys(email)
    if shots:
        shoot(driver, shots, prefix + "01-email")
    button = driver.find_element(By.ID, "email-submit")
    button.click()
    wait(driver).until(EC.staleness_of(button))
    code = wait(driver).until(EC.presence_of_element_located((By.ID, "otp-hint"))).text.strip()
    assert len(code) == 6 and code.isdigit(), code
    driver.find_element(By.ID, "otp-input").send_keys(code)
    if shots:
        shoot(driver, shots, prefix + "02-code")
    button = driver.find_element(By.ID, "otp-submit")
    if closes:
        try:
            button.click()
        except NoSuchWindowException:
            pass  # the popup answered its opener and closed before the click returned
        return
    button.click()
    wait(driver).until(EC.staleness_of(button))


def test_share_vehicles_then_back_to_the_app(driver, base_url, http, dimo_sandbox, shots):
    vehicle = dimo_sandbox.vehicles[0]
    email = vehicle["owner"]
    own = {v["dimoTokenId"] for v in dimo_sandbox.vehicles if v["owner"] == email}
    driver.get(login_url(base_url, dimo_sandbox, entryState="VEHICLE_MANAGER", permissionTemplateId="1"))
    assert "Login with DIMO" in driver.title
    log_in(driver, email, shots, "dimo-")
    wait(driver).until(EC.element_to_be_clickable(SHARE))
    offered = {int(box.get_attribute("value")) for box in driver.find_elements(By.CSS_SELECTOR, "input.vehicle-checkbox")}
    assert offered == own
    permissions = [li.get_attribute("data-privilege") for li in driver.find_elements(By.CSS_SELECTOR, "#permissions li")]
    assert permissions == ["1", "2", "3", "4", "5", "6"]
    driver.find_element(By.ID, f"vehicle-{vehicle['dimoTokenId']}").click()
    shoot(driver, shots, "dimo-03-vehicles")
    driver.find_element(By.ID, "share-button").click()
    wait(driver).until(EC.url_contains("sharedVehicles="))
    assert_no_alert(driver)
    back = parse_qs(urlparse(driver.current_url).query)
    assert driver.current_url.startswith(dimo_sandbox.callback)
    assert back["sharedVehicles"] == [str(vehicle["dimoTokenId"])]
    assert back["walletAddress"] == [dimo_sandbox.users[email]["dimoAddress"]]
    assert back["email"] == [email]
    claims = jwt_claims(back["token"][0])
    assert claims["aud"] == dimo_sandbox.client_id and claims["ethereum_address"] == back["walletAddress"][0]

    # The grant is real: Identity lists the SACD to the license.
    query = {"query": "query($t: Int!) { vehicle(tokenId: $t) { sacds(first: 10) { nodes { grantee permissions } } } }",
             "variables": {"t": vehicle["dimoTokenId"]}}
    resp = http.post(f"{base_url}/sandbox/{dimo_sandbox.id}/identity/query", json=query, timeout=30)
    assert resp.status_code == 200, resp.text
    nodes = resp.json()["data"]["vehicle"]["sacds"]["nodes"]
    assert any(n["grantee"].lower() == dimo_sandbox.client_id.lower() for n in nodes), nodes


def test_popup_mode_posts_the_login_to_the_opener(driver, base_url, dimo_sandbox):
    email = dimo_sandbox.vehicles[1]["owner"]
    driver.get(dimo_sandbox.callback)  # the app's origin
    opener = driver.current_window_handle
    driver.execute_script(
        "window.__dimo = null; window.addEventListener('message', e => { window.__dimo = e.data; });"
        "window.open(arguments[0], 'dimo-login', 'width=500,height=700');",
        login_url(base_url, dimo_sandbox))
    wait(driver).until(lambda d: len(d.window_handles) == 2)
    popup = next(h for h in driver.window_handles if h != opener)
    driver.switch_to.window(popup)
    # The popup starts as about:blank: wait for the login page itself before touching its elements.
    wait(driver).until(lambda d: "/login" in d.current_url and d.execute_script("return document.readyState") == "complete")
    log_in(driver, email, closes=True)
    driver.switch_to.window(opener)
    data = wait(driver).until(lambda d: d.execute_script("return window.__dimo"))
    assert data["authType"] == "popup" and data["eventType"] == "authResponse"
    assert data["walletAddress"] == dimo_sandbox.users[email]["dimoAddress"]
    assert jwt_claims(data["token"])["aud"] == dimo_sandbox.client_id
    wait(driver).until(lambda d: len(d.window_handles) == 1)


def test_wrong_code_and_hostile_title(driver, base_url, dimo_sandbox):
    driver.get(login_url(base_url, dimo_sandbox, altTitle="<img src=x onerror=alert(1)>"))
    heading = wait(driver).until(EC.presence_of_element_located((By.TAG_NAME, "h1"))).text
    assert "<img src=x onerror=alert(1)>" in heading
    assert driver.find_elements(By.CSS_SELECTOR, "img") == []
    wait(driver).until(EC.element_to_be_clickable(EMAIL)).send_keys("someone@example.org")
    driver.find_element(By.ID, "email-submit").click()
    wait(driver).until(EC.element_to_be_clickable(OTP)).send_keys("000000x")
    button = driver.find_element(By.ID, "otp-submit")
    button.click()
    wait(driver).until(EC.staleness_of(button))
    assert "Invalid code" in driver.find_element(By.ID, "otp-error").text
    assert_no_alert(driver)


@pytest.mark.parametrize("hostile", ["javascript:alert(document.domain)", "//evil.example/callback", "https://evil.example/callback"])
def test_unregistered_and_script_redirect_uris_are_refused(driver, base_url, http, dimo_sandbox, hostile):
    # Open-redirect probes on Login with DIMO: only a registered redirect URI is ever navigated to or posted to.
    url = login_url(base_url, dimo_sandbox, redirectUri=hostile)
    raw = http.get(url, timeout=30, allow_redirects=False)
    assert raw.status_code >= 400, raw.status_code
    assert "Location" not in raw.headers
    assert "Invalid redirectUri" in raw.text
    driver.get(url)
    assert_no_alert(driver)
    assert urlparse(driver.current_url).netloc == urlparse(base_url).netloc
    assert driver.find_elements(By.TAG_NAME, "a") == [] and driver.find_elements(By.TAG_NAME, "form") == []
