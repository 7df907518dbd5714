import XCTest
@testable import FleetHarness
