import ArgumentParser
import FleetControl
import FleetCore
import FleetServer
import Foundation

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
        let server = ServerConnection(options.server)
        let credentials: Data
        if let sandbox = try? await server.control.sandbox(options.sandbox) {
            credentials = try WireJSON.encoder().encode(sandbox)
        } else if options.sandbox == Fleet.defaultSandboxId {
            credentials = try offlineCredentials()
        } else {
            throw ValidationError("cannot read sandbox \(options.sandbox) from \(server.base)")
        }
        if json {
            print(prettyJSON(credentials))
            return
        }
        guard let object = try JSONSerialization.jsonObject(with: credentials) as? [String: Any],
              let smartcar = object["smartcar"] as? [String: Any], let dimo = object["dimo"] as? [String: Any]
        else { throw ValidationError("unexpected credentials from the server") }
        let text = { (object: [String: Any], key: String) in object[key].map { "\($0)" } ?? "" }
        print(SDKSetupSnippet.text(
            origin: server.base, smartcarClientId: text(smartcar, "clientId"), smartcarClientSecret: text(smartcar, "clientSecret"),
            smartcarRedirectUri: text(smartcar, "redirectUri"), smartcarManagementToken: text(smartcar, "managementToken"),
            dimoClientId: text(dimo, "clientId"), dimoDomain: text(dimo, "domain"), dimoPrivateKey: text(dimo, "privateKey")))
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
