import DIMOMock
import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The conditions of vehicle triggers evaluated on readings, as a firing decides (VehicleTriggerDeliveries).
@Suite struct TriggerConditionTests {
    func hook(_ metric: String, _ condition: String, service: String = "signals") -> DIMOWebhookRecord {
        DIMOWebhookRecord(id: "00000000-0000-0000-0000-000000000001", sandboxId: "s", clientId: "0x0", service: service, metricName: metric,
                          condition: condition, targetURL: "https://example.com", coolDownPeriod: 1, status: "enabled", description: "",
                          displayName: "d", verificationToken: "t", createdAt: Date(), updatedAt: Date())
    }

    func holds(_ metric: String, _ condition: String, _ reading: TriggerReading, previous: TriggerReading? = nil, service: String = "signals") -> Bool {
        VehicleTriggerDeliveries.conditionHolds(hook(metric, condition, service: service), reading: reading, previous: previous)
    }

    @Test func numericConditionsCompareAcrossIntAndDouble() {
        let fast = TriggerReading(timestamp: Date(), valueNumber: 72.5)
        #expect(holds("vss.speed", "valueNumber > 55", fast))
        #expect(holds("vss.speed", "value >= 72.5 && value < 100", fast))
        #expect(!holds("vss.speed", "valueNumber > 80", fast))
        #expect(holds("vss.speed", "valueNumber * 2 == 145", fast))
        #expect(holds("vss.speed", "valueNumber > 55 ? true : false", fast))
        #expect(holds("vss.speed", "!(valueNumber < 10) || valueNumber / 0 > 1", fast), "a decisive side of || wins")
        #expect(holds("vss.speed", "int(valueNumber) in [70, 71, 72]", fast))
    }

    @Test func previousValueIsTheReadingItLastFiredWith() {
        let now = TriggerReading(timestamp: Date(), valueNumber: 60)
        let before = TriggerReading(timestamp: Date(), valueNumber: 40)
        #expect(holds("vss.speed", "valueNumber > 55 && previousValueNumber <= 55", now, previous: before))
        #expect(!holds("vss.speed", "valueNumber > 55 && previousValueNumber > 55", now, previous: before))
        #expect(holds("vss.speed", "previousValue == 0", now), "no previous firing: zero values")
    }

    @Test func stringsLocationsAndEvents() {
        let powertrain = TriggerReading(timestamp: Date(), valueString: "ELECTRIC")
        #expect(holds("vss.powertrainType", "valueString == 'ELECTRIC'", powertrain))
        #expect(holds("vss.powertrainType", #"value.startsWith("ELEC") && size(value) == 8"#, powertrain))
        let here = TriggerReading(timestamp: Date(), latitude: 37.7749, longitude: -122.4194)
        #expect(holds("vss.currentLocationCoordinates", "geoDistance(value.latitude, value.longitude, 37.8044, -122.2712) < 15", here), "SF to Oakland is ~13 km")
        #expect(!holds("vss.currentLocationCoordinates", "geoDistance(value.latitude, value.longitude, 37.8044, -122.2712) < 10", here))
        let braking = TriggerReading(timestamp: Date(), durationNs: 0, metadata: #"{"speedKph":80}"#)
        #expect(holds("behavior.harshBraking", "name == 'behavior.harshBraking' && metadata.contains('speedKph')", braking, service: "events"))
    }

    @Test func conditionsThatDoNotEvaluateNeverFire() {
        let reading = TriggerReading(timestamp: Date(), valueNumber: 1)
        #expect(!holds("vss.speed", "valueString > 1", reading))
        #expect(!holds("vss.speed", "unknownVariable > 1", reading))
        #expect(!holds("vss.speed", "valueNumber >", reading))
        #expect(!holds("vss.speed", "1 / 0 == 1", reading))
    }
}
