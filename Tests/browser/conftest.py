"""Fixtures shared by the browser tests: the server under test, an HTTP session, the screenshot folder and
one headless Chromium for the whole run."""

import os

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHOTS = os.environ.get("FLEETMOCK_BROWSER_SHOTS") or os.path.join(ROOT, ".fleetmock", "browser")
WAIT = float(os.environ.get("FLEETMOCK_BROWSER_WAIT", "20"))


@pytest.fixture(scope="session")
def base_url():
    url = os.environ.get("FLEETMOCK_URL", "").strip().rstrip("/")
    if not url:
        pytest.fail("FLEETMOCK_URL is not set (Tests/browser/run.sh starts fleetmock and sets it)", pytrace=False)
    return url


@pytest.fixture(scope="session")
def http(base_url):
    session = requests.Session()
    session.trust_env = False  # the server is on loopback: never go through a proxy
    try:
        resp = session.get(base_url + "/__fleetmock/health", timeout=10)
        resp.raise_for_status()
    except requests.RequestException as exc:
        pytest.fail(f"fleetmock at {base_url} does not answer /__fleetmock/health: {exc}", pytrace=False)
    return session


@pytest.fixture(scope="session")
def shots():
    os.makedirs(SHOTS, exist_ok=True)
    return SHOTS


@pytest.fixture(scope="session")
def driver():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1100,900", "--no-proxy-server", "--lang=en-US",
                "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if os.path.exists(chromium):
        options.binary_location = chromium
    # Leave a JavaScript dialog open so the tests can see it (instead of the
    # default "dismiss and notify", which would hide where it came from).
    options.unhandled_prompt_behavior = "ignore"
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    drv = webdriver.Chrome(service=service, options=options)
    drv.set_page_load_timeout(WAIT * 2)
    yield drv
    drv.quit()
