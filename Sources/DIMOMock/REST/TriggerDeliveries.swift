import CEL
import FleetCore
import Foundation

/// What a firing vehicle trigger sends, and when it fires: the webhook's CEL condition evaluated on a new signal
/// sample or event, with the reading it last fired with as `previous…` (upstream keeps the last fired snapshot).
public enum VehicleTriggerDeliveries {
    /// The telemetry signal a `signals` webhook watches (`vss.speed` → `speed`); nil for `events` webhooks.
    public static func watchedSignal(_ hook: DIMOWebhookRecord) -> String? {
        guard hook.service == "signals", hook.metricName.hasPrefix("vss.") else { return nil }
        return String(hook.metricName.dropFirst(4))
    }

    /// Whether the webhook's condition holds for `reading`; false when it cannot be evaluated.
    public static func conditionHolds(_ hook: DIMOWebhookRecord, reading: TriggerReading, previous: TriggerReading?) -> Bool {
        let variables: [String: CELValue]
        if let signal = watchedSignal(hook) {
            let valueType = VehicleTriggers.signalsByName[signal]?.valueType ?? "float64"
            variables = signalVariables(valueType: valueType, reading: reading, previous: previous)
        } else {
            variables = eventVariables(hook, reading: reading, previous: previous)
        }
        return TriggerConditions.shared.program(hook.condition)?.holds(variables) ?? false
    }

    static func signalVariables(valueType: String, reading: TriggerReading, previous: TriggerReading?) -> [String: CELValue] {
        let source = CELValue.string(Attestations.issuerAddress)
        var out: [String: CELValue] = [
            "valueNumber": .double(reading.valueNumber ?? 0), "valueString": .string(reading.valueString ?? ""), "source": source,
            "previousValueNumber": .double(previous?.valueNumber ?? 0), "previousValueString": .string(previous?.valueString ?? ""),
            "previousSource": previous == nil ? .string("") : source,
        ]
        switch valueType {
        case "string":
            out["value"] = .string(reading.valueString ?? "")
            out["previousValue"] = .string(previous?.valueString ?? "")
        case "vss.Location":
            out["value.latitude"] = .double(reading.latitude ?? 0)
            out["value.longitude"] = .double(reading.longitude ?? 0)
            out["value.hdop"] = .double(0)
            out["previousValue.latitude"] = .double(previous?.latitude ?? 0)
            out["previousValue.longitude"] = .double(previous?.longitude ?? 0)
            out["previousValue.hdop"] = .double(0)
        default:
            out["value"] = .double(reading.valueNumber ?? 0)
            out["previousValue"] = .double(previous?.valueNumber ?? 0)
        }
        return out
    }

    static func eventVariables(_ hook: DIMOWebhookRecord, reading: TriggerReading, previous: TriggerReading?) -> [String: CELValue] {
        let source = CELValue.string(Attestations.issuerAddress)
        return [
            "source": source, "name": .string(hook.metricName), "durationNs": .int(reading.durationNs ?? 0), "metadata": .string(reading.metadata ?? ""),
            "previousSource": previous == nil ? .string("") : source, "previousName": .string(previous == nil ? "" : hook.metricName),
            "previousDurationNs": .int(previous?.durationNs ?? 0), "previousMetadata": .string(previous?.metadata ?? ""),
        ]
    }

    /// The CloudEvent upstream POSTs (`type` `dimo.trigger`), its `data` a WebhookPayload with the signal or event.
    public static func payload(_ hook: DIMOWebhookRecord, assetDID: String, reading: TriggerReading, id: String, at time: Date) -> JSONValue {
        var data: [(String, JSONValue)] = [
            ("service", .string(hook.service)), ("metricName", .string(hook.metricName)), ("webhookId", .string(hook.id)),
            ("webhookName", .string(hook.displayName)), ("assetDID", .string(assetDID)), ("condition", .string(hook.condition)),
        ]
        if let name = watchedSignal(hook) {
            let definition = VehicleTriggers.signalsByName[name]
            let valueType = definition?.valueType ?? "float64"
            var signal: [(String, JSONValue)] = [("name", .string(name))]
            if let unit = definition?.unit, !unit.isEmpty { signal.append(("unit", .string(unit))) }
            signal.append(("timestamp", .string(Timestamp.millis(reading.timestamp))))
            signal.append(("source", .string(Attestations.issuerAddress)))
            signal.append(("valueType", .string(valueType)))
            let value: JSONValue
            switch valueType {
            case "string": value = .string(reading.valueString ?? "")
            case "vss.Location": value = .object([("latitude", .number(reading.latitude ?? 0)), ("longitude", .number(reading.longitude ?? 0)), ("hdop", .integer(0))])
            default: value = .number(reading.valueNumber ?? 0)
            }
            signal.append(("value", value))
            data.append(("signal", .object(signal)))
        } else {
            var event: [(String, JSONValue)] = [
                ("name", .string(hook.metricName)), ("timestamp", .string(Timestamp.millis(reading.timestamp))),
                ("source", .string(Attestations.issuerAddress)), ("durationNs", .integer(reading.durationNs ?? 0)),
            ]
            if let metadata = reading.metadata { event.append(("metadata", .string(metadata))) }
            data.append(("event", .object(event)))
        }
        return .object([
            ("id", .string(id)), ("source", "vehicle-triggers-api"), ("specversion", "1.0"), ("subject", .string(assetDID)),
            ("time", .string(Timestamp.millis(time))), ("type", "dimo.trigger"), ("datacontenttype", "application/json"),
            ("dataversion", .string("\(hook.service)/v1.0")), ("data", .object(data)),
        ])
    }
}
