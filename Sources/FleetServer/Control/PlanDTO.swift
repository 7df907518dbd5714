import FleetCore
import Foundation

/// The control API's plan bodies: `{"steps": [...], "startAt"?, "resumeRoutine"?}` in, the timeline out.
///
/// A step is an object with one key: `{"drive": {"to": {"latitude", "longitude"}, "speedKph"?}}`,
/// `{"wait": "30m"}`, `{"plugIn": true}`, `{"unplug": true}`, `{"open": "doors.frontLeft"}`,
/// `{"close": "trunk"}`, `{"lock": true}`, `{"unlock": true}`, `{"sleep": true}`, `{"wake": true}`.
enum PlanDTO {
    static let defaultSpeedKph = 40.0

    static func request(_ body: JSONValue) throws -> PlanRequest {
        guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
        var request = PlanRequest(steps: [])
        var sawSteps = false
        for (key, value) in object {
            switch key {
            case "steps":
                guard let items = value.arrayValue else { throw ControlError.invalid("steps", "must be an array of steps") }
                request.steps = try items.enumerated().map { try step($0.element, field: "steps[\($0.offset)]") }
                sawSteps = true
            case "startAt":
                guard let text = value.stringValue, let date = Timestamp.parse(text) else {
                    throw ControlError.invalid("startAt", "must be an RFC 3339 timestamp")
                }
                request.startAt = date
            case "resumeRoutine":
                guard let flag = value.boolValue else { throw ControlError.invalid("resumeRoutine", "must be true or false") }
                request.resumeRoutine = flag
            default:
                throw ControlError.invalid(key, "unknown field (use steps, startAt, resumeRoutine)")
            }
        }
        guard sawSteps else { throw ControlError.invalid("steps", "is required") }
        return request
    }

    static func step(_ value: JSONValue, field: String) throws -> PlanAction {
        guard let object = value.objectValue, object.count == 1, let (name, argument) = object.first else {
            throw ControlError.invalid(field, "must be an object with exactly one action (drive, wait, plugIn, unplug, open, close, lock, unlock, sleep, wake)")
        }
        let path = "\(field).\(name)"
        func flag() throws {
            guard argument.boolValue == true || argument.objectValue?.isEmpty == true else { throw ControlError.invalid(path, "must be true") }
        }
        switch name {
        case "drive":
            guard let drive = argument.objectValue else { throw ControlError.invalid(path, "must be an object with to and speedKph") }
            var to: (Double, Double)?
            var speed = defaultSpeedKph
            for (key, inner) in drive {
                switch key {
                case "to":
                    guard let latitude = inner["latitude"]?.doubleValue, let longitude = inner["longitude"]?.doubleValue, inner.objectValue?.count == 2 else {
                        throw ControlError.invalid("\(path).to", "must be {\"latitude\": number, \"longitude\": number}")
                    }
                    to = (latitude, longitude)
                case "speedKph":
                    guard let number = inner.doubleValue else { throw ControlError.invalid("\(path).speedKph", "must be a number") }
                    speed = number
                default:
                    throw ControlError.invalid("\(path).\(key)", "unknown field (use to, speedKph)")
                }
            }
            guard let to else { throw ControlError.invalid("\(path).to", "is required") }
            return .drive(latitude: to.0, longitude: to.1, speedKph: speed)
        case "wait":
            guard let text = argument.stringValue, let seconds = DurationText.seconds(text) else {
                throw ControlError.invalid(path, "must be a duration such as \"45m\" or \"2h\"")
            }
            return .wait(seconds: seconds)
        case "open", "close":
            guard let text = argument.stringValue, let part = VehiclePart(rawValue: text) else {
                throw ControlError.invalid(path, "must be one of \(VehiclePart.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return name == "open" ? .open(part) : .close(part)
        case "plugIn": try flag(); return .plugIn
        case "unplug": try flag(); return .unplug
        case "lock": try flag(); return .lock
        case "unlock": try flag(); return .unlock
        case "sleep": try flag(); return .sleep
        case "wake": try flag(); return .wake
        default:
            throw ControlError.invalid(path, "unknown action (use drive, wait, plugIn, unplug, open, close, lock, unlock, sleep, wake)")
        }
    }

    /// The plan as the control API shows it, with where each step stands at `now`.
    static func render(_ plan: VehiclePlan, vin: String, now: Date) -> JSONValue {
        let steps: [JSONValue] = plan.steps.map { step in
            var pairs: [(String, JSONValue)] = [("action", .string(step.action)), ("at", .string(Timestamp.millis(step.at)))]
            if step.end > step.at { pairs.append(("end", .string(Timestamp.millis(step.end)))) }
            if let part = step.part { pairs.append(("part", .string(part))) }
            if let lat = step.fromLatitude, let lon = step.fromLongitude {
                pairs.append(("from", .object([("latitude", .number(lat)), ("longitude", .number(lon))])))
            }
            if let lat = step.toLatitude, let lon = step.toLongitude {
                pairs.append(("to", .object([("latitude", .number(lat)), ("longitude", .number(lon))])))
            }
            if let km = step.distanceKm { pairs.append(("distanceKm", .number(km))) }
            if let speed = step.speedKph { pairs.append(("speedKph", .number(speed))) }
            let done = step.applied || (step.end > step.at ? step.end <= now : step.at <= now)
            let status = done ? "done" : (step.at <= now ? "active" : "pending")
            pairs.append(("status", .string(status)))
            return .object(pairs)
        }
        return .object([
            ("vin", .string(vin)),
            ("createdAt", .string(Timestamp.millis(plan.createdAt))),
            ("startAt", .string(Timestamp.millis(plan.startAt))),
            ("endsAt", .string(Timestamp.millis(plan.endsAt))),
            ("resumeRoutine", .bool(plan.resumeRoutine)),
            ("asleep", .bool(plan.isAsleep(at: now))),
            ("steps", .array(steps)),
        ])
    }
}
