import ArgumentParser
import AsyncHTTPClient
import FleetCore
import Foundation
import NIOCore
import NIOHTTP1

/// Starts a server as a child process and measures it: startup time, throughput and latency per
/// endpoint (as a ratio to the health endpoint measured in the same run), peak RSS.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a fleetmock server (use a release build: swift build -c release).")

    @Option(help: "Concurrent keep-alive connections.")
    var connections = 64

    @Option(help: "Requests per endpoint.")
    var requests = 2000

    @Option(help: "The fleetmock binary to start (default: this one).")
    var binary: String?

    func validate() throws {
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be 1...256") }
        guard (10...1_000_000).contains(requests) else { throw ValidationError("--requests must be 10...1000000") }
    }

    @Option(help: "How many times to start a server for the startup figure (the median is reported).")
    var startupRuns = 5

    @Option(help: "Measure only the endpoints whose row name contains this text (and health, for the ratio); skips the simulation, the bare server and the targets.")
    var only: String?

    func run() async throws {
        let executable = binary ?? CommandLine.arguments[0]
        let startup = try await measureStartup(executable)
        let server = try await StartedServer.launch(executable: executable)
        defer { server.stop() }
        print(String(format: "exec to first health response (--memory, median of %d): %.1f ms (min %.1f)", startup.count, startup.median, startup.min))

        var config = HTTPClient.Configuration()
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)

        let base = server.baseURL
        let created = ContinuousClock.now
        let sandbox = try await createSandbox(client, base: base)
        print(String(format: "create a sandbox with 30 days of history (16 vehicles): %.0f ms", milliseconds(ContinuousClock.now - created)))
        let vin = sandbox.vin
        let vendor = try await VendorSetup.prepare(client, base: base, sandbox: sandbox)
        var endpoints: [(String, HTTPMethod, String, String?, [(String, String)])] = [
            ("GET /__fleetmock/health", .GET, "/__fleetmock/health", nil, []),
            ("GET sandbox", .GET, "/__fleetmock/sandboxes/\(sandbox.id)", nil, []),
            ("GET vehicle", .GET, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(vin)", nil, []),
            ("PATCH vehicle", .PATCH, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(vin)", #"{"state":{"cabinTempC":21.5}}"#, []),
            ("GET clock", .GET, "/__fleetmock/sandboxes/\(sandbox.id)/clock", nil, []),
            ("GET journal", .GET, "/__fleetmock/sandboxes/\(sandbox.id)/journal?limit=20", nil, []),
        ]
        endpoints += vendor.endpoints
        if let only {
            endpoints = endpoints.enumerated().filter { $0.offset == 0 || $0.element.0.localizedCaseInsensitiveContains(only) }.map(\.element)
        }

        print("")
        print("endpoint (\(connections) connections)".padding(toLength: 44, withPad: " ", startingAt: 0) + "   req/s     p50 ms   p99 ms   errors   vs health   peak RSS")
        var results: [String: Result] = [:]
        var healthRate = 0.0
        for (name, method, path, body, headers) in endpoints {
            let result = try await measure(client, method: method, url: base + path, body: body, headers: headers)
            results[name] = result
            if healthRate == 0 { healthRate = result.rate }
            printRow(name, result, healthRate: healthRate, peakRSSKiB: server.peakRSSKiB())
        }
        // DIMO signals with one connection: the latency a single client sees.
        if let signals = endpoints.first(where: { $0.0 == VendorSetup.signalsName }) {
            let single = try await measure(client, method: signals.1, url: base + signals.2, body: signals.3, headers: signals.4,
                                           workers: 1, total: min(requests, 300))
            results["signals, 1 connection"] = single
            printRow(VendorSetup.signalsName + " (1 conn.)", single, healthRate: healthRate, peakRSSKiB: server.peakRSSKiB())
        }
        // Peak RSS under the request load above, before the simulation below grows the world.
        let loadPeakMiB = Double(server.peakRSSKiB()) / 1024
        let fileBackedMiB = Double(server.fileBackedRSSKiB()) / 1024
        if only != nil {
            try await client.shutdown()
            return
        }
        // Simulation: 100 vehicles, 30 days.
        let big = try await createSandbox(client, base: base, body: #"{"vehicles": 100, "seed": 7, "historyDays": 0}"#)
        let advanced = ContinuousClock.now
        _ = try await send(client, .POST, base + "/__fleetmock/sandboxes/\(big.id)/clock", body: #"{"advance": "30d"}"#, headers: [])
        print(String(format: "advance a 100-vehicle sandbox by 30 days: %.2f s", milliseconds(ContinuousClock.now - advanced) / 1000))
        let peakMiB = Double(server.peakRSSKiB()) / 1024
        print("")
        print(String(format: "peak RSS of the server under the request load: %.1f MiB (of which %.1f MiB mapped from the binary and libraries)",
                     loadPeakMiB, fileBackedMiB))
        print(String(format: "peak RSS after also advancing the 100-vehicle sandbox: %.1f MiB", peakMiB))

        // The ceiling: a one-route Hummingbird server, same build, same client.
        let bare = try await StartedServer.launch(executable: executable, arguments: ["bare-server"])
        let bareHealth = try await measure(client, method: .GET, url: bare.baseURL + "/__fleetmock/health", body: nil, headers: [])
        bare.stop()
        printRow("bare one-route Hummingbird", bareHealth, healthRate: healthRate)
        try await client.shutdown()

        let odometer = results[VendorSetup.odometerName]
        let health = results["GET /__fleetmock/health"]
        print("")
        print("targets (issue 11):")
        target("Smartcar odometer >= 0.6 x health throughput", (odometer?.rate ?? 0) / max(1, health?.rate ?? 1), ">=", 0.6)
        target("health >= 0.6 x bare Hummingbird", (health?.rate ?? 0) / max(1, bareHealth.rate), ">=", 0.6)
        target("Smartcar odometer p99 (ms) < 5", odometer?.p99 ?? .infinity, "<", 5)
        // The floor under that figure: the same client against a server that does nothing but answer.
        print(String(format: "        (the bare one-route server's p99 in this run: %.2f ms, health's: %.2f ms)", bareHealth.p99, health?.p99 ?? 0))
        target("non-2xx answers over all endpoints == 0", Double(results.values.reduce(0) { $0 + $1.errors }), "<=", 0)
        target("DIMO signals p50 (ms), 1 connection < 10", results["signals, 1 connection"]?.p50 ?? .infinity, "<", 10)
        target("exec to first health (ms) < 100", startup.median, "<", 100)
        target("peak RSS under load (MiB) < 80", loadPeakMiB, "<", 80)
    }

    /// One row of the table; `peakRSSKiB`, when given, is the server's high-water mark once the row's
    /// load is over (which endpoint raised it shows where memory goes).
    private func printRow(_ name: String, _ result: Result, healthRate: Double, peakRSSKiB: Int? = nil) {
        let ratio = healthRate > 0 ? result.rate / healthRate : 0
        let rss = peakRSSKiB.map { String(format: "   %6.1f MiB", Double($0) / 1024) } ?? ""
        print(name.padding(toLength: 44, withPad: " ", startingAt: 0)
              + String(format: " %8.0f  %8.2f %8.2f %8d   %6.2fx", result.rate, result.p50, result.p99, result.errors, ratio) + rss)
    }

    private func target(_ name: String, _ value: Double, _ relation: String, _ bound: Double) {
        let met = switch relation {
        case ">=": value >= bound
        case "<=": value <= bound
        default: value < bound
        }
        print("  [\(met ? "met" : "NOT met")] \(name): \(String(format: "%.2f", value))")
    }

    /// Starts and stops a server `startupRuns` times; exec to first health response, in ms.
    private func measureStartup(_ executable: String) async throws -> (median: Double, min: Double, count: Int) {
        var samples: [Double] = []
        for _ in 0..<max(1, startupRuns) {
            let server = try await StartedServer.launch(executable: executable)
            samples.append(server.startupMs)
            server.stop()
        }
        samples.sort()
        return (samples[samples.count / 2], samples[0], samples.count)
    }

    struct BenchSandbox {
        var id: String
        var vin: String
        var smartcarId: String
        var json: [String: Any]
    }

    private func createSandbox(_ client: HTTPClient, base: String, body: String = "{}") async throws -> BenchSandbox {
        let data = try await send(client, .POST, base + "/__fleetmock/sandboxes", body: body, headers: [])
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let id = object["id"] as? String, let vehicles = object["vehicles"] as? [[String: Any]],
              let first = vehicles.first(where: { $0["powertrain"] as? String == "BEV" }) ?? vehicles.first,
              let vin = first["vin"] as? String, let smartcarId = first["smartcarId"] as? String
        else { throw ValidationError("could not create a sandbox to measure") }
        return BenchSandbox(id: id, vin: vin, smartcarId: smartcarId, json: object)
    }

    struct Result {
        var rate: Double
        var p50: Double
        var p99: Double
        var errors: Int
    }

    private func measure(_ client: HTTPClient, method: HTTPMethod, url: String, body: String?, headers: [(String, String)],
                         workers: Int? = nil, total: Int? = nil) async throws -> Result {
        let total = total ?? requests
        let workers = workers ?? connections
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for worker in 0..<workers {
                let share = total / workers + (worker < total % workers ? 1 : 0)
                group.addTask {
                    var samples: [Double] = []
                    var errors = 0
                    samples.reserveCapacity(share)
                    for _ in 0..<share {
                        var request = HTTPClientRequest(url: url)
                        request.method = method
                        for (name, value) in headers { request.headers.add(name: name, value: value) }
                        if let body {
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: body))
                        }
                        let t0 = ContinuousClock.now
                        do {
                            let response = try await client.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 16 * 1024 * 1024)
                            if !(200..<300).contains(response.status.code) { errors += 1 }
                        } catch {
                            errors += 1
                        }
                        let d = ContinuousClock.now - t0
                        samples.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
                    }
                    return (samples, errors)
                }
            }
            var all: [Double] = []
            var errors = 0
            for try await (samples, e) in group {
                all += samples
                errors += e
            }
            return (all.sorted(), errors)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let sorted = latencies.0
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Result(rate: Double(sorted.count) / seconds, p50: percentile(0.5), p99: percentile(0.99), errors: latencies.1)
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// One request; the body, or an error naming the status.
func send(_ client: HTTPClient, _ method: HTTPMethod, _ url: String, body: String?, headers: [(String, String)]) async throws -> Data {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
        if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { request.headers.add(name: "Content-Type", value: "application/json") }
        request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await client.execute(request, timeout: .seconds(120))
    let data = Data(try await response.body.collect(upTo: 16 * 1024 * 1024).readableBytesView)
    guard response.status.code < 400 else {
        throw ValidationError("\(method.rawValue) \(url) answered \(response.status.code): \(String(decoding: data, as: UTF8.self))")
    }
    return data
}

/// Credentials for the vendor endpoints: a Smartcar access token and a DIMO vehicle JWT.
enum VendorSetup {
    static let odometerName = "Smartcar GET …/odometer"
    static let signalsName = "DIMO telemetry signals 30d/1h x3 aggs"

    struct Prepared {
        var endpoints: [(String, HTTPMethod, String, String?, [(String, String)])]
    }

    static func prepare(_ client: HTTPClient, base: String, sandbox: Bench.BenchSandbox) async throws -> Prepared {
        guard let smartcar = sandbox.json["smartcar"] as? [String: Any], let dimo = sandbox.json["dimo"] as? [String: Any],
              let vehicles = sandbox.json["vehicles"] as? [[String: Any]],
              let vehicle = vehicles.first(where: { $0["vin"] as? String == sandbox.vin }),
              let owner = vehicle["owner"] as? String, let tokenId = vehicle["dimoTokenId"] as? Int,
              let clientId = smartcar["clientId"] as? String, let secret = smartcar["clientSecret"] as? String,
              let license = dimo["clientId"] as? String, let domain = dimo["domain"] as? String, let key = dimo["privateKey"] as? String
        else { throw ValidationError("unexpected sandbox credentials") }
        // Smartcar: headless Connect, then the code exchange.
        let connect = try await send(client, .POST, base + "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/connect",
                                     body: #"{"email":"\#(owner)","scope":["read_odometer","read_location","read_vehicle_info","read_battery"],"vehicles":["\#(sandbox.vin)"]}"#, headers: [])
        guard let code = (try JSONSerialization.jsonObject(with: connect) as? [String: Any])?["code"] as? String else { throw ValidationError("no code") }
        let basic = "Basic " + Data("\(clientId):\(secret)".utf8).base64EncodedString()
        let tokens = try await send(client, .POST, base + "/oauth/token", body: "grant_type=authorization_code&code=\(code)",
                                    headers: [("Authorization", basic), ("Content-Type", "application/x-www-form-urlencoded")])
        guard let access = (try JSONSerialization.jsonObject(with: tokens) as? [String: Any])?["access_token"] as? String else { throw ValidationError("no token") }
        // DIMO: share, sign the challenge, exchange for a vehicle JWT.
        _ = try await send(client, .POST, base + "/__fleetmock/sandboxes/\(sandbox.id)/dimo/share",
                           body: #"{"vehicles":[\#(tokenId)],"permissions":[1,2,3,4,5,6]}"#, headers: [])
        let form = "client_id=\(license)&domain=\(PercentEncoding.escape(domain))&scope=openid%20email&response_type=code&address=\(license)"
        let challengeData = try await send(client, .POST, base + "/auth/web3/generate_challenge", body: form, headers: [("Content-Type", "application/x-www-form-urlencoded")])
        guard let challenge = try JSONSerialization.jsonObject(with: challengeData) as? [String: Any],
              let text = challenge["challenge"] as? String, let state = challenge["state"] as? String,
              let privateKey = Hex.decode(key) else { throw ValidationError("no challenge") }
        let signature = "0x" + Hex.encode(try Ethereum.personalSign(message: Array(text.utf8), privateKey: privateKey))
        let submit = "client_id=\(license)&domain=\(PercentEncoding.escape(domain))&state=\(state)&signature=\(signature)&grant_type=authorization_code"
        let devData = try await send(client, .POST, base + "/auth/web3/submit_challenge", body: submit, headers: [("Content-Type", "application/x-www-form-urlencoded")])
        guard let devJWT = (try JSONSerialization.jsonObject(with: devData) as? [String: Any])?["access_token"] as? String else { throw ValidationError("no dev JWT") }
        let exchange = try await send(client, .POST, base + "/v1/tokens/exchange",
                                      body: #"{"nftContractAddress":"\#(DIMOContracts.vehicle)","privileges":[1,4],"tokenId":\#(tokenId)}"#,
                                      headers: [("Authorization", "Bearer \(devJWT)")])
        guard let vehicleJWT = (try JSONSerialization.jsonObject(with: exchange) as? [String: Any])?["token"] as? String else { throw ValidationError("no vehicle JWT") }
        let bearer = [("Authorization", "Bearer \(access)")]
        let jwt = [("Authorization", "Bearer \(vehicleJWT)"), ("Content-Type", "application/json")]
        let now = Date()
        let from = Timestamp.seconds(now.addingTimeInterval(-30 * 86400)), to = Timestamp.seconds(now)
        let signalsQuery = #"{"query":"{ signals(tokenId: \#(tokenId), interval: \"1h\", from: \"\#(from)\", to: \"\#(to)\") { timestamp avg: speed(agg: AVG) max: powertrainTransmissionTravelledDistance(agg: MAX) soc: powertrainTractionBatteryStateOfChargeCurrent(agg: LAST) } }"}"#
        return Prepared(endpoints: [
            ("Smartcar GET /v2.0/vehicles", .GET, "/v2.0/vehicles", nil, bearer),
            (odometerName, .GET, "/v2.0/vehicles/\(sandbox.smartcarId)/odometer", nil, bearer),
            ("Smartcar POST …/batch (3 paths)", .POST, "/v2.0/vehicles/\(sandbox.smartcarId)/batch",
             #"{"requests":[{"path":"/odometer"},{"path":"/location"},{"path":"/battery"}]}"#, bearer),
            ("DIMO identity vehicles(first: 10)", .POST, "/identity/query",
             #"{"query":"{ vehicles(first: 10) { totalCount nodes { tokenId definition { make model year } } } }"}"#,
             [("Content-Type", "application/json"), ("X-Fleetmock-Sandbox", sandbox.id)]),
            ("DIMO telemetry signalsLatest", .POST, "/telemetry/query",
             #"{"query":"{ signalsLatest(tokenId: \#(tokenId)) { speed { value } powertrainTransmissionTravelledDistance { value } } }"}"#, jwt),
            (signalsName, .POST, "/telemetry/query", signalsQuery, jwt),
        ])
    }
}

