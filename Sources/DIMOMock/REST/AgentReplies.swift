import FleetCore
import Foundation

/// What an agent answers: the vehicles in scope, the topics the question names, each answered from the
/// vehicle's current state when the license may read it. Deterministic: no model, no randomness.
struct AgentReplies: Sendable {
    let access: DIMOAccess

    /// A reply and the token ids it read.
    struct Reply: Sendable, Equatable {
        var text: String
        var vehiclesQueried: [Int64]
    }

    /// A topic the agent answers, with the words that name it and the privileges that let it read it.
    enum Topic: CaseIterable {
        case identity, odometer, charge, fuel, range, location, speed, security, tires

        var keywords: [String] {
            switch self {
            case .identity: return ["make", "model", "what car", "which car", "what vehicle", "which vehicle", "year"]
            case .odometer: return ["odometer", "mileage", "miles", "kilomet", "how far", "distance"]
            case .charge: return ["charg", "battery", "soc", "plugged", "plug in"]
            case .fuel: return ["fuel", "gas", "petrol", "tank"]
            case .range: return ["range"]
            case .location: return ["where", "location", "located", "parked", "park"]
            case .speed: return ["speed", "how fast", "driving", "moving"]
            case .security: return ["lock", "door"]
            case .tires: return ["tire", "tyre", "pressure"]
            }
        }

        /// Identity is public; location needs a location privilege; the rest non-location history or live data.
        var privileges: Set<Int> {
            switch self {
            case .identity: return []
            case .location: return [3, 4, 8]
            default: return [1, 6]
            }
        }
    }

    static func topics(in message: String) -> [Topic] {
        let text = message.lowercased()
        return Topic.allCases.filter { topic in topic.keywords.contains { text.contains($0) } }
    }

    func reply(to input: AgentMessageInput, agent: DIMOAgentRecord, license: String, now: Date) async throws -> Reply {
        let fleet = try await access.vehicles(sandboxId: agent.sandboxId).sorted { $0.vehicle.dimoTokenId < $1.vehicle.dimoTokenId }
        let wallet = (input.user ?? agent.userWallet).lowercased()
        let wanted = input.vehicleIds ?? agent.vehicleIds
        var scope = wanted.map { ids in fleet.filter { ids.contains($0.vehicle.dimoTokenId) } }
            ?? fleet.filter { $0.owner.dimoAddress.lowercased() == wallet }
        let missing = (wanted ?? []).filter { id in !fleet.contains { $0.vehicle.dimoTokenId == id } }
        scope = Self.narrow(scope, by: input.message)
        var lines: [String] = missing.map { "I can't find vehicle \($0)." }
        let topics = Self.topics(in: input.message)
        guard !topics.isEmpty else {
            lines.append(Self.help(scope))
            return Reply(text: lines.joined(separator: " "), vehiclesQueried: [])
        }
        guard !scope.isEmpty else {
            lines.append("I don't have any vehicles to look at for this user.")
            return Reply(text: lines.joined(separator: " "), vehiclesQueried: [])
        }
        var queried: [Int64] = []
        for snapshot in scope {
            let granted = try await privileges(snapshot, license: license, now: now)
            var facts: [String] = []
            var denied = false
            for topic in topics {
                guard topic.privileges.isEmpty || !topic.privileges.isDisjoint(with: granted) else { denied = true; continue }
                facts.append(Self.fact(topic, snapshot))
            }
            if !facts.isEmpty { queried.append(snapshot.vehicle.dimoTokenId) }
            var line = "\(Self.label(snapshot)): " + (facts.isEmpty ? "" : facts.joined(separator: "; ") + ".")
            if denied { line += (facts.isEmpty ? "" : " ") + "Its owner has not shared that data with this app." }
            lines.append(line)
        }
        return Reply(text: lines.joined(separator: " "), vehiclesQueried: queried)
    }

    /// The privileges the license holds on a vehicle now (all of them for the owner's own license).
    func privileges(_ snapshot: VehicleSnapshot, license: String, now: Date) async throws -> Set<Int> {
        if snapshot.owner.dimoAddress.lowercased() == license.lowercased() { return Set(DIMOPrivilege.names.keys) }
        let grants = try await access.sacds(vehicleId: snapshot.vehicle.id ?? 0, at: now).filter { $0.grantee.lowercased() == license.lowercased() }
        return Set(grants.flatMap { DIMOPrivilege.ids(fromHex: $0.permissions) })
    }

    /// The vehicles a question names by make, model or token id ("vehicle 12", "#12"); all of them when it names none.
    static func narrow(_ vehicles: [VehicleSnapshot], by message: String) -> [VehicleSnapshot] {
        let text = message.lowercased()
        let named = vehicles.filter { snapshot in
            let v = snapshot.vehicle
            return text.contains(MakeNames.display(v.make).lowercased()) || text.contains(v.model.lowercased())
                || text.contains("vehicle \(v.dimoTokenId)") || text.contains("#\(v.dimoTokenId)")
        }
        return named.isEmpty ? vehicles : named
    }

    static func label(_ snapshot: VehicleSnapshot) -> String {
        let v = snapshot.vehicle
        return "Your \(v.year) \(MakeNames.display(v.make)) \(v.model) (vehicle \(v.dimoTokenId))"
    }

    static func help(_ vehicles: [VehicleSnapshot]) -> String {
        let names = vehicles.map(label).map { $0.replacingOccurrences(of: "Your ", with: "the ") }
        let which = names.isEmpty ? "" : " I can see " + names.joined(separator: ", ") + "."
        return "I'm fleetmock's simulated driver agent: I answer from the fleet's data, not from a language model."
            + " Ask me about odometer, battery and charging, fuel, range, location, speed, locks or tire pressure." + which
    }

    static func fact(_ topic: Topic, _ snapshot: VehicleSnapshot) -> String {
        let s = snapshot.state, v = snapshot.vehicle
        switch topic {
        case .identity:
            return "a \(v.powertrain.rawValue) owned by \(snapshot.owner.name)"
        case .odometer:
            return "the odometer reads \(distance(s.odometerKm))"
        case .charge:
            guard v.powertrain.isPlugIn, let soc = s.stateOfCharge else { return "it has no plug-in battery" }
            let plug = s.isPluggedIn ? "plugged in" : "not plugged in"
            let state: String
            switch s.chargeState {
            case .charging: state = "charging"
            case .fullyCharged: state = "fully charged"
            case .notCharging: state = "not charging"
            }
            return "the battery is at \(percent(soc)), \(plug) and \(state) (limit \(percent(s.chargeLimit)))"
        case .fuel:
            guard v.powertrain.hasFuelTank, let fuel = s.fuelFraction else { return "it is electric and has no fuel tank" }
            return "the fuel tank is \(percent(fuel)) full"
        case .range:
            return "the range is \(distance(s.rangeKm))"
        case .location:
            let place = String(format: "%.5f, %.5f", s.latitude, s.longitude)
            return s.ignitionOn && s.speedKph > 0 ? "it is driving near \(place)" : "it is parked at \(place)"
        case .speed:
            return s.ignitionOn && s.speedKph > 0 ? "it is driving at \(Int(s.speedKph.rounded())) km/h" : "it is not moving"
        case .security:
            let doors = s.anyDoorOpen ? "a door is open" : "all doors are closed"
            return (s.isLocked ? "it is locked" : "it is unlocked") + " and " + doors
        case .tires:
            let kPa = s.tirePressureKPa.ordered.map { "\(Int($0.value.rounded()))" }.joined(separator: "/")
            return "tire pressures are \(kPa) kPa (front left, front right, back left, back right)"
        }
    }

    static func distance(_ km: Double) -> String {
        "\(grouped(km)) km (\(grouped(km * 0.621371)) mi)"
    }

    static func percent(_ fraction: Double) -> String {
        "\(Int((fraction * 100).rounded()))%"
    }

    /// A whole number with thousands separators, independent of the locale.
    static func grouped(_ value: Double) -> String {
        let digits = String(Int64(value.rounded()))
        var out = ""
        for (index, digit) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0, digit != "-" { out.append(",") }
            out.append(digit)
        }
        return String(out.reversed())
    }
}
