"""Shared pytest setup for the SDK contract suites.

Puts ``Sources/FleetHarness/Resources/drivers/`` on sys.path (for
``fleetmock_client``, shared with the scenario SDK drivers) and provides the
sandbox fixtures. The server is the one in FLEETMOCK_URL.

A test module may set ``SANDBOX_REQUIRES`` (default ``("smartcar",)``) to the
vendor blocks its sandboxes must carry, e.g. ``("dimo",)``.
"""

import os
import sys
import warnings

import pytest

# No __pycache__ inside Sources/ (the drivers folder is a package resource).
sys.dont_write_bytecode = True
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(_ROOT, "Sources", "FleetHarness", "Resources", "drivers"))

import fleetmock_client as fc  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "dimo_rest: DIMO REST/Fetch services beyond auth, token exchange, Identity, "
        "Telemetry and attestation (vehicle triggers, device definitions, valuations, "
        "trips, fetch); deselect with -m 'not dimo_rest'",
    )


@pytest.fixture(scope="session")
def fleetmock():
    try:
        return fc.Fleetmock()
    except fc.FleetmockError as exc:
        pytest.fail(str(exc), pytrace=False)


def _create(fleetmock, request):
    require = getattr(request.module, "SANDBOX_REQUIRES", ("smartcar",))
    sb = fleetmock.create_sandbox(require=require)
    # Sandbox clocks run in real time by default and vehicles may be driving
    # or charging; freezing keeps the state still between an SDK call and the
    # control-API read it is compared with. Best effort: the contract only
    # promises {"advance": ...}.
    try:
        sb.freeze_clock()
    except fc.FleetmockError as exc:
        warnings.warn(f"could not freeze sandbox clock: {exc}")
    return sb


@pytest.fixture(scope="module")
def sandbox(fleetmock, request):
    """One sandbox per test module, deleted when the module is done."""
    sb = _create(fleetmock, request)
    yield sb
    sb.delete()


@pytest.fixture
def new_sandbox(fleetmock, request):
    """Factory for extra, per-test sandboxes (for destructive tests)."""
    made = []

    def make():
        sb = _create(fleetmock, request)
        made.append(sb)
        return sb

    yield make
    for sb in made:
        sb.delete()
