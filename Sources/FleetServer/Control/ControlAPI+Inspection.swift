import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// The read-only calls the dashboard is built on, for scripts too: one journal exchange, a vehicle's
/// recent history, and the grants that reach a vehicle.
extension ControlAPI {
    func registerInspection(on sandbox: RouterGroup<FleetRequestContext>) {
        sandbox.get("journal/:sequence") { _, context in
            let id = try sandboxId(context)
            guard let record = try await fleet.sandboxRecord(id) else { throw FleetError.notFound(kind: "sandbox", id: id) }
            let text = try context.parameters.require("sequence")
            guard let sequence = Int(text), let entry = services.journal.entry(sandbox: id, sequence: sequence) else {
                throw ControlError(status: .notFound, code: "journal_entry_not_found",
                                   message: "no journal entry '\(text)' in sandbox \(id) (the journal keeps the last \(record.settings.journalSize) requests)")
            }
            return Responses.json(encoding: entry)
        }
        sandbox.get("vehicles/:vin/history") { request, context in
            let id = try sandboxId(context)
            let query = request.queryItems
            var hours = VehicleHistory.defaultHours
            if let text = query["hours"] {
                guard let value = Int(text), (1...24 * 90).contains(value) else { throw ControlError.invalid("hours", "must be an integer from 1 to 2160") }
                hours = value
            }
            var names: [String]?
            if let text = query["signals"] {
                let list = text.split(separator: ",").map(String.init)
                guard !list.isEmpty, list.count <= 16,
                      list.allSatisfy({ !$0.isEmpty && $0.count <= 64 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }) else {
                    throw ControlError.invalid("signals", "must be 1 to 16 signal names separated by commas")
                }
                names = list
            }
            let history = try await VehicleHistory.load(fleet: fleet, sandbox: id, vin: try context.parameters.require("vin"),
                                                        hours: hours, signals: names)
            return Responses.json(history.json)
        }
        sandbox.get("vehicles/:vin/access") { _, context in
            let access = try await fleet.vehicleAccess(in: try sandboxId(context), vin: try context.parameters.require("vin"))
            return Responses.json(access.json)
        }
    }
}
