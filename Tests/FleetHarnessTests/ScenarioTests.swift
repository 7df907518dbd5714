import FleetCore
import FleetControl
@testable import FleetHarness
import Foundation
import Testing

@Suite struct ScenarioLoaderTests {
    let valid = """
    name: Rate limit on the odometer
    sdks: [smartcar6, smartcar3]
    covers: [smartcar.v1.429]
    setup:
      sandbox: {seed: 7, historyDays: 1}
      clock: {freeze: true}
      vehicles:
        - {vehicle: 0, state: {doors: {frontLeft: OPEN}}}
      dimoShare: {vehicles: all, permissions: [1, 2]}
    prepare:
      - op: connect
    faults:
      - match: {path: /v2.0/vehicles/*/odometer}
        action: {kind: error, catalogId: smartcar.RATE_LIMIT.VEHICLE, retryAfter: 30}
    steps:
      - op: vehicle.odometer
        expect:
          smartcar6:
            error: {class: SmartcarException, retry_after: "30", status_code: 429}
          smartcar3:
            error: {class: RateLimitingException}
      - op: get_user
        sdk: smartcar6
        expect: {ok: true}
    """

    @Test func readsEveryPart() throws {
        let scenario = try ScenarioLoader.parse(valid, file: "x.yaml", id: "x")
        #expect(scenario.name == "Rate limit on the odometer")
        #expect(scenario.sdks == [.smartcar6, .smartcar3])
        #expect(scenario.covers == ["smartcar.v1.429", "smartcar.RATE_LIMIT.VEHICLE"])
        #expect(scenario.setup.sandbox["seed"] == .integer(7))
        #expect(scenario.setup.clock == [.object([("freeze", .bool(true))])])
        #expect(scenario.setup.vehicles.first?.vehicle == .integer(0))
        #expect(scenario.setup.dimoShare?["vehicles"] == .string("all"))
        #expect(scenario.prepare.map(\.op) == ["connect"])
        #expect(scenario.faults.count == 1)
        #expect(scenario.steps.count == 2)
        let odometer = scenario.steps[0]
        #expect(odometer.line == 16)
        // A quoted number stays a string; a plain one is a number.
        #expect(odometer.expect[.smartcar6] == .error(.object([("class", "SmartcarException"), ("retry_after", "30"), ("status_code", .integer(429))])))
        #expect(odometer.expect[.smartcar3] == .error(.object([("class", "RateLimitingException")])))
        #expect(scenario.steps[1].applies(to: .smartcar6))
        #expect(!scenario.steps[1].applies(to: .smartcar3))
        #expect(scenario.steps[1].expect[.smartcar6] == .ok)
    }

    @Test func rejectsBadFilesWithLineAndPath() {
        func failure(_ text: String) -> ScenarioError? {
            do {
                _ = try ScenarioLoader.parse(text, file: "bad.yaml", id: "bad")
                return nil
            } catch {
                return error as? ScenarioError
            }
        }
        let unknownSDK = failure("name: n\nsdks: [smartcar6, smartcar9]\nsteps: [{op: get_user}]\n")
        #expect(unknownSDK?.line == 2)
        #expect(unknownSDK?.path == "sdks[1]")
        #expect(unknownSDK?.description.hasPrefix("bad.yaml:2: sdks[1]: unknown SDK 'smartcar9'") == true)

        let unknownKey = failure("name: n\nsdks: [dimo]\nsteps:\n  - op: login\n    expekt: {ok: true}\n")
        #expect(unknownKey?.line == 5)
        #expect(unknownKey?.path == "steps[0].expekt")

        let twoOutcomes = failure("name: n\nsdks: [dimo]\nsteps:\n  - op: login\n    expect: {ok: true, error: {class: X}}\n")
        #expect(twoOutcomes?.path == "steps[0].expect")

        let missingSteps = failure("name: n\nsdks: [dimo]\n")
        #expect(missingSteps?.message.contains("steps") == true)

        let notYAML = failure("name: [unclosed\n")
        #expect(notYAML?.message.hasPrefix("not valid YAML") == true)
        #expect(notYAML?.line != nil)

        let stepForOtherSDK = failure("name: n\nsdks: [dimo]\nsteps:\n  - {op: login, sdk: smartcar6}\n")
        #expect(stepForOtherSDK?.path == "steps[0].sdk")
    }
}

@Suite struct OutcomeMatcherTests {
    let observed: JSONValue = .object([
        ("class", "SmartcarException"), ("status_code", .integer(429)), ("retry_after", "30"),
        ("vehicles", .array(["a", "b"])), ("distance", .number(1234.56)), ("request_id", "5f0b…"),
    ])

    @Test func subsetsScalarsAndLists() {
        #expect(OutcomeMatcher.mismatches(expected: .object([("class", "SmartcarException"), ("status_code", .number(429))]), observed: observed).isEmpty)
        #expect(OutcomeMatcher.mismatches(expected: .object([("vehicles", .array(["a", "b"]))]), observed: observed).isEmpty)
        let wrong = OutcomeMatcher.mismatches(expected: .object([("retry_after", .integer(30)), ("vehicles", .array(["a"]))]), observed: observed, path: "error")
        #expect(wrong.map(\.path) == ["error.retry_after", "error.vehicles"])
        #expect(wrong.first?.expected == "30")
        #expect(wrong.first?.observed == "\"30\"")
        let absent = OutcomeMatcher.mismatches(expected: .object([("code", "VEHICLE")]), observed: observed)
        #expect(absent.first?.observed == "nothing (absent)")
    }

    @Test func dollarMatchers() {
        func ok(_ key: String, _ match: JSONValue) -> Bool {
            OutcomeMatcher.mismatches(expected: .object([(key, match)]), observed: observed).isEmpty
        }
        #expect(ok("distance", .object([("$type", "number")])))
        #expect(!ok("distance", .object([("$type", "string")])))
        #expect(ok("distance", .object([("$gt", .integer(1000))])))
        #expect(!ok("distance", .object([("$lt", .integer(1000))])))
        #expect(ok("distance", .object([("$approx", .integer(1234)), ("$within", .number(1))])))
        #expect(ok("request_id", .object([("$present", true)])))
        #expect(ok("code", .object([("$absent", true)])))
        #expect(!ok("class", .object([("$absent", true)])))
        #expect(ok("class", .object([("$regex", "^Smartcar")])))
        #expect(ok("class", .object([("$contains", "Exception")])))
        #expect(ok("vehicles", .object([("$contains", "b")])))
        #expect(ok("vehicles", .object([("$len", .integer(2))])))
        #expect(ok("anything", .object([("$any", true)])))
    }

    @Test func judgingReplies() {
        let raised = DriverReply.raised(.object([("class", "RateLimitingException"), ("message", "429"), ("attributes", .object([("code", "x")]))]))
        #expect(CheckRunner.judge(raised, against: .error(.object([("class", "RateLimitingException"), ("code", "x")]))).passed)
        #expect(!CheckRunner.judge(raised, against: nil).passed)
        #expect(!CheckRunner.judge(raised, against: .ok).passed)
        #expect(CheckRunner.judge(.returned(.integer(1)), against: nil).passed)
        #expect(!CheckRunner.judge(.returned(.integer(1)), against: .error(.object([]))).passed)
        #expect(!CheckRunner.judge(.driverError("unknown op"), against: .ok).passed)
        let diff = CheckRunner.judge(.returned(.object([("distance", .integer(5))])), against: .result(.object([("distance", .integer(6))])))
        #expect(diff.mismatches.map(\.description) == ["result.distance: expected 6, observed 5"])
    }
}

@Suite struct PlaceholderTests {
    let placeholders = Placeholders(context: .object([
        ("id", "sbx_1"),
        ("clock", .object([("now", "2026-03-01T12:00:00.000Z")])),
        ("vehicles", .array([.object([("vin", "1HGCM82633A004352"), ("dimoTokenId", .integer(17))])])),
    ]))

    @Test func typedAndInterpolated() throws {
        #expect(try placeholders.apply("${vehicles.0.dimoTokenId}") == .integer(17))
        #expect(try placeholders.apply("car ${vehicles.0.vin} in ${id}") == .string("car 1HGCM82633A004352 in sbx_1"))
        #expect(try placeholders.apply(.object([("ids", .array(["${vehicles.0.dimoTokenId}"]))])) == .object([("ids", .array([.integer(17)]))]))
        #expect(throws: Placeholders.Unresolved.self) { try placeholders.apply("${vehicles.3.vin}") }
        #expect(try placeholders.apply("${clock.now - 1d}") == .string("2026-02-28T12:00:00Z"))
        #expect(try placeholders.apply("${clock.now + 90m}") == .string("2026-03-01T13:30:00Z"))
        let saved = placeholders.saving("hook", .object([("id", "wh-1")]))
        #expect(try saved.apply("${saved.hook.id}") == .string("wh-1"))
        #expect(try saved.apply("${id}") == .string("sbx_1"))
    }
}

@Suite struct ReportTests {
    @Test func junitAndMarkdownShowFailures() throws {
        let scenario = try ScenarioLoader.parse("name: n\nsdks: [dimo]\ncovers: [dimo.rate-limit]\nsteps: [{op: auth.get_dev_jwt}]\n", file: "s.yaml", id: "s")
        let failing = StepRecord(phase: .step, op: "auth.get_dev_jwt", line: 4, expected: "returns", observed: "raised {\"class\":\"HTTPError\"}",
                                 reply: .raised(.object([("class", "HTTPError")])), mismatches: [], passed: false)
        let report = CheckReport(
            cases: [CaseResult(scenario: scenario, sdk: SDKChoice(sdk: .dimo), steps: [failing], error: nil, seconds: 0.5)],
            operations: [SDKChoice(sdk: .dimo): ["auth.get_dev_jwt", "identity.query", "login"]], versions: [SDKChoice(sdk: .dimo): "1.8.0"],
            catalog: ["dimo.rate-limit", "transport.reset"])
        #expect(report.summaryLine == "0 passed, 1 failed")
        let xml = report.junit()
        #expect(xml.contains(#"<testcase classname="dimo" name="s""#))
        #expect(xml.contains("<failure message="))
        #expect(xml.contains("s.yaml:4: auth.get_dev_jwt"))
        let markdown = report.markdown()
        #expect(markdown.contains("| `s` | **FAIL** |"))
        #expect(markdown.contains("| dimo | `auth.get_dev_jwt` | raised HTTPError (1) |"))
        #expect(markdown.contains("1 of 2 SDK operations exercised; not exercised: `identity.query`"))
        #expect(markdown.contains("1 of 2 entries exercised; not exercised: `transport.reset`"))
    }

    @Test func aVersionMatrixShowsSkipsWithTheirReasons() throws {
        let scenario = try ScenarioLoader.parse("name: n\nsdks: [smartcar6]\nsteps: [{op: vehicle.get_signals}]\n", file: "s.yaml", id: "s")
        let old = SDKChoice(sdk: .smartcar6, version: "6.0.0")
        let pinned = SDKChoice(sdk: .smartcar6)
        let passing = StepRecord(phase: .step, op: "vehicle.get_signals", line: 3, expected: "returns", observed: "returned {}",
                                 reply: .returned(.object([])), mismatches: [], passed: true)
        let report = CheckReport(
            cases: [CaseResult(scenario: scenario, sdk: pinned, steps: [passing], error: nil, seconds: 0.2),
                    CaseResult(scenario: scenario, sdk: old, steps: [], error: nil, seconds: 0,
                               skipped: "smartcar==6.0.0 has no `vehicle.get_signals`")],
            operations: [pinned: ["vehicle.get_signals"], old: ["vehicle.odometer"]],
            versions: [pinned: "6.19.1", old: "6.0.0"], catalog: [])
        #expect(report.choices == [old, pinned])
        #expect(report.summaryLine == "1 passed, 0 failed, 1 skipped")
        #expect(report.failed == 0)
        let xml = report.junit()
        #expect(xml.contains(#"<testsuite name="smartcar==6.0.0" tests="1" failures="0" skipped="1""#))
        #expect(xml.contains(#"<testcase classname="smartcar6@6.0.0" name="s""#))
        #expect(xml.contains(#"<skipped message="smartcar==6.0.0 has no `vehicle.get_signals`"/>"#))
        let markdown = report.markdown()
        #expect(markdown.contains("| scenario | smartcar6@6.0.0 | smartcar6 |"))
        #expect(markdown.contains("| `s` | skipped | pass |"))
        #expect(markdown.contains("| `smartcar6@6.0.0` | smartcar==6.0.0 | 0 | 0 | 1 |"))
        #expect(markdown.contains("- `smartcar6@6.0.0`: smartcar==6.0.0 has no `vehicle.get_signals`: `s`"))
        #expect(report.versionLines == ["smartcar6@6.0.0 (smartcar==6.0.0): 0 passed, 0 failed, 1 skipped",
                                        "smartcar6 (smartcar==6.19.1): 1 passed, 0 failed, 0 skipped"])
    }

    @Test func aMissingOperationSkipsOnlyOffThePinnedVersion() throws {
        let scenario = try ScenarioLoader.parse("name: n\nsdks: [smartcar6]\nsteps: [{op: vehicle.get_signals}]\n", file: "s.yaml", id: "s")
        let old = SDKChoice(sdk: .smartcar6, version: "6.0.0")
        let pinned = SDKChoice(sdk: .smartcar6)
        let runner = CheckRunner(control: ControlClient(server: "http://127.0.0.1:9"), operations: [old: ["vehicle.odometer"], pinned: ["vehicle.odometer"]],
                                 concurrency: 1, pool: DriverPool { _ in throw SetupFailure(message: "no driver in this test") })
        #expect(runner.missingOperation(scenario, choice: old) == "smartcar==6.0.0 has no `vehicle.get_signals`")
        #expect(runner.missingOperation(scenario, choice: pinned) == nil)
        #expect(runner.unknownOperation(scenario, choice: pinned)?.contains("unknown operation 'vehicle.get_signals' for smartcar6") == true)
        let unsupported = StepRecord(phase: .step, op: "connect", line: 7, expected: "returns", observed: "",
                                     reply: .unsupported("no simulated mode"), mismatches: [], passed: false)
        #expect(CheckRunner.unsupported(unsupported, choice: old) == "line 7: connect: no simulated mode")
        #expect(CheckRunner.unsupported(unsupported, choice: pinned) == nil)
        // A key absent from a typed object (an SDK type of this version) skips; from a plain dict it fails.
        let absent = Mismatch(path: "error.suggested_user_message", expected: "null", observed: "nothing (absent)")
        var typed = StepRecord(phase: .step, op: "vehicle.odometer", line: 9, expected: "raises", observed: "",
                               reply: .raised(.object([])), mismatches: [absent], passed: false, typed: [""])
        #expect(CheckRunner.unsupported(typed, choice: old) == "line 9: vehicle.odometer: smartcar==6.0.0's types have no `error.suggested_user_message`")
        #expect(CheckRunner.unsupported(typed, choice: pinned) == nil)
        typed.typed = ["meta"]
        #expect(CheckRunner.unsupported(typed, choice: old) == nil)
    }

    @Test func sdkChoices() {
        #expect(SDKChoice.list("smartcar6@6.0.0,6.10.0, 6.19.1,6.0.0") == [SDKChoice(sdk: .smartcar6, version: "6.0.0"),
            SDKChoice(sdk: .smartcar6, version: "6.10.0"), SDKChoice(sdk: .smartcar6, version: "6.19.1")])
        #expect(SDKChoice.list("dimo") == [SDKChoice(sdk: .dimo)])
        #expect(SDKChoice.list("dimo@1.8.0,") == nil)
        #expect(SDKChoice.list("smartcar9@1.0") == nil)
        #expect(SDKChoice("smartcar6@6.0.0")?.label == "smartcar6@6.0.0")
        #expect(SDKChoice("smartcar6@6.19.1")?.label == "smartcar6")
        #expect(SDKChoice("smartcar6") == SDKChoice(sdk: .smartcar6, version: "6.19.1"))
        #expect(SDKChoice("smartcar6@6.18.0")?.venvName == "smartcar6-6.18.0")
        #expect(SDKChoice("smartcar6")?.venvName == "smartcar6")
        #expect(SDKChoice("smartcar9") == nil)
        #expect(SDKChoice("dimo@") == nil)
        #expect(Suggestions.closest(to: "vehicle.odometr", in: ["vehicle.odometer", "vehicle.location", "get_user"]) == ["vehicle.odometer"])
    }
}

/// The driver process plumbing, with a stand-in driver written in Python's standard library.
@Suite struct SDKDriverTests {
    static let fakeDriver = """
    import json, sys, threading, time
    lock = threading.Lock()
    def answer(message):
        op = message["op"]
        if op == "__describe__":
            out = {"id": message["id"], "ok": True, "result": {"sdk": "dimo", "version": "0-test", "ops": ["echo", "slow", "boom", "crash"]}}
        elif op == "echo":
            out = {"id": message["id"], "ok": True, "result": message["args"]}
        elif op == "slow":
            time.sleep(0.2)
            out = {"id": message["id"], "ok": True, "result": "slow"}
        elif op == "boom":
            out = {"id": message["id"], "ok": False, "error": {"class": "HTTPError", "message": "403", "attributes": {"status_code": 403}}}
        elif op == "crash":
            sys.stderr.write("driver blew up on purpose\\n"); sys.stderr.flush()
            sys.exit(3)
        else:
            out = {"id": message["id"], "ok": False, "driverError": "unknown op " + op}
        with lock:
            sys.stdout.write(json.dumps(out) + "\\n"); sys.stdout.flush()
    for line in sys.stdin:
        message = json.loads(line)
        if message["op"] == "crash":
            answer(message)
        threading.Thread(target=answer, args=(message,)).start()
    """

    func start() throws -> SDKDriver {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fleetmock-driver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("driver.py")
        try Self.fakeDriver.write(to: script, atomically: true, encoding: .utf8)
        return try SDKDriver(sdk: .dimo, python: "/usr/bin/python3", script: script.path, server: "http://127.0.0.1:9",
                             stderrFile: folder.appendingPathComponent("stderr"))
    }

    @Test func answersAreMatchedToRequestsOutOfOrder() async throws {
        let driver = try start()
        defer { driver.stop() }
        #expect(try await driver.describe().ops == ["echo", "slow", "boom", "crash"])
        async let slow = driver.send(op: "slow", session: "a")
        async let fast = driver.send(op: "echo", session: "b", args: .object([("n", .integer(2))]))
        #expect(try await fast == .returned(.object([("n", .integer(2))])))
        #expect(try await slow == .returned("slow"))
        let raised = try await driver.send(op: "boom", session: "a")
        #expect(raised.observed["class"] == "HTTPError")
        #expect(raised.observed["status_code"] == .integer(403))
        #expect(try await driver.send(op: "nope", session: "a") == .driverError("unknown op nope"))
    }

    @Test func aCrashIsReportedWithStderr() async throws {
        let driver = try start()
        defer { driver.stop() }
        do {
            _ = try await driver.send(op: "crash", session: "a")
            Issue.record("a crashed driver answered")
        } catch let failure as DriverFailure {
            #expect(failure.description.contains("driver blew up on purpose"))
            #expect(failure.description.contains("status 3"))
        }
        await #expect(throws: DriverFailure.self) { try await driver.send(op: "echo", session: "a") }
    }
}
