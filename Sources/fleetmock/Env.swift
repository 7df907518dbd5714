import ArgumentParser
import FleetCore
import FleetServer
import Foundation
import NIOHTTP1

struct Env: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print how to point the Smartcar and DIMO SDKs at a fleetmock server.",
        discussion: "Reads the sandbox's credentials from the running server; with no server it reads the default fixture set.")

    @OptionGroup var options: ServerOptions

    @Flag(help: "Print the sandbox's credentials as JSON.")
    var json = false

    @Option(help: "Fixture folder used when no server answers.")
    var fixtures: String?

    func run() async throws {
        let client = ServerClient(options.server)
        let credentials: Data
        if let (status, body) = try? await client.send(.GET, "/__fleetmock/sandboxes/\(FormEncodingPath.escape(options.sandbox))"), status == 200 {
            credentials = body
        } else if options.sandbox == Fleet.defaultSandboxId {
            credentials = try offlineCredentials()
        } else {
            throw ValidationError("cannot read sandbox \(options.sandbox) from \(client.base)")
        }
        if json {
            print(prettyJSON(credentials))
            return
        }
        guard let object = try JSONSerialization.jsonObject(with: credentials) as? [String: Any],
              let smartcar = object["smartcar"] as? [String: Any], let dimo = object["dimo"] as? [String: Any]
        else { throw ValidationError("unexpected credentials from the server") }
        let origin = client.base
        print("""
        # Smartcar SDKs (Python smartcar 6.x, Node, Java): paste into your shell
        export SMARTCAR_API_ORIGIN=\(origin)
        export SMARTCAR_AUTH_ORIGIN=\(origin)/oauth/token   # Python: the full token URL; Node: use \(origin)
        export SMARTCAR_CONNECT_ORIGIN=\(origin)
        export SMARTCAR_MANAGEMENT_API_ORIGIN=\(origin)
        export SMARTCAR_VEHICLE_API_V3_ORIGIN=\(origin)
        export SMARTCAR_API_V3_ORIGIN=\(origin)
        export SMARTCAR_CLIENT_ID=\(smartcar["clientId"] ?? "")
        export SMARTCAR_CLIENT_SECRET=\(smartcar["clientSecret"] ?? "")
        export SMARTCAR_REDIRECT_URI=\(smartcar["redirectUri"] ?? "")
        export SMARTCAR_MANAGEMENT_TOKEN=\(smartcar["managementToken"] ?? "")

        # smartcar 3.0.1 (API v1.0) reads constants instead of the environment:
        #   import smartcar.const as c
        #   c.API_URL = "\(origin)/v1.0"; c.AUTH_URL = "\(origin)/oauth/token"; c.CONNECT_URL = "\(origin)"

        # DIMO Python SDK (dimo-python-sdk): register a "Local" environment before creating the client
        from dimo import DIMO
        from dimo.environments import dimo_environment
        dimo_environment["Local"] = {
            "Attestation": "\(origin)",
            "Auth": "\(origin)",
            "Conversations": "\(origin)",
            "Identity": "\(origin)/identity/query",
            "DeviceDefinitions": "\(origin)",
            "Fetch": "\(origin)/fetch/query",
            "Telemetry": "\(origin)/telemetry/query",
            "TokenExchange": "\(origin)",
            "Trips": "\(origin)",
            "User": "\(origin)",
            "Valuations": "\(origin)",
            "VehicleTriggers": "\(origin)",
        }
        dimo = DIMO("Local")
        dev_jwt = dimo.auth.get_dev_jwt(
            client_id="\(dimo["clientId"] ?? "")",
            domain="\(dimo["domain"] ?? "")",
            private_key="\(dimo["privateKey"] ?? "")",
        )
        """)
    }

    /// The default sandbox's credentials from the fixture file (its identities are kept verbatim).
    private func offlineCredentials() throws -> Data {
        let directory = fixtures.map { URL(fileURLWithPath: $0) } ?? ServerConfiguration.defaultFixturesDirectory()
        let document: FleetDocument
        do {
            document = try FixtureLibrary(directory: directory).load("default")
        } catch {
            throw ValidationError("no server at \(options.server) and no readable fixtures: \(error)")
        }
        let object: [String: Any] = [
            "id": Fleet.defaultSandboxId,
            "smartcar": ["clientId": document.smartcarApp.clientId, "clientSecret": document.smartcarApp.clientSecret,
                         "redirectUri": document.smartcarApp.redirectUris.first ?? "", "managementToken": document.smartcarApp.managementToken],
            "dimo": ["clientId": document.dimoLicense.clientId, "domain": document.dimoLicense.redirectUris.first ?? "",
                     "privateKey": document.dimoLicense.signerPrivateKey, "vehicleContract": DIMOContracts.vehicle],
            "users": document.owners.map { ["email": $0.email, "smartcarUserId": $0.smartcarUserId, "dimoAddress": $0.dimoAddress] },
            "vehicles": document.vehicles.map {
                ["vin": $0.vin, "smartcarId": $0.smartcarId, "dimoTokenId": $0.dimoTokenId, "make": $0.make, "model": $0.model,
                 "year": $0.year, "powertrain": $0.powertrain.rawValue] as [String: Any]
            },
        ]
        return try JSONSerialization.data(withJSONObject: object)
    }
}
