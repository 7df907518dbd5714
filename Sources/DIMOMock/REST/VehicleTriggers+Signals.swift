import CEL
import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// The signals and events a webhook can watch: the catalog behind `GET /v1/webhooks/signals`.
extension VehicleTriggers {
    // MARK: Signals

    /// `GET /v1/webhooks/signals`: the catalog as SignalDefinition objects.
    static let signalList: JSONValue = .array(signals.map { signal -> JSONValue in
        .object([
            ("name", .string(signal.name)),
            ("description", .string(signal.description)),
            ("unit", .string(signal.unit)),
            ("valueType", .string(signal.valueType)),
            ("permissions", .array([.string(DIMOPrivilege.names[signal.privilege] ?? "")])),
        ])
    })

    static let signalsByName: [String: TriggerSignal] = {
        var out: [String: TriggerSignal] = [:]
        for signal in signals { out[signal.name] = signal }
        return out
    }()

    /// The signals webhooks can watch: telemetry's current signals plus the legacy-only ones the fleet still
    /// produces (reference `telemetry-signals.json`), with VSS units, Go value types and the privilege they need
    /// (1 GetNonLocationHistory, 4 GetLocationHistory).
    static let signals: [TriggerSignal] = [
        TriggerSignal("angularVelocityYaw", "float64", "degrees/s", 1, "Vehicle rotation rate along Z (vertical)."),
        TriggerSignal("bodyLightsIsAirbagWarningOn", "float64", "", 1, "Indicates whether the airbag/SRS warning telltale is active."),
        TriggerSignal("bodyLockIsLocked", "float64", "", 1, "Indicates whether the vehicle is locked via the central locking system. True = vehicle locked. False = vehicle unlocked."),
        TriggerSignal("bodyTrunkFrontIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("bodyTrunkRearIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1DriverSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1DriverSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1PassengerSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1PassengerSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2DriverSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2DriverSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2PassengerSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2PassengerSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinSeatRow1DriverSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow1PassengerSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow2DriverSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow2MiddleIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow2PassengerSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow3DriverSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow3PassengerSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("chassisAxleRow1WheelLeftSpeed", "float64", "km/h", 1, "Rotational speed of a vehicle's wheel."),
        TriggerSignal("chassisAxleRow1WheelLeftTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow1WheelRightSpeed", "float64", "km/h", 1, "Rotational speed of a vehicle's wheel."),
        TriggerSignal("chassisAxleRow1WheelRightTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow2WheelLeftTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow2WheelRightTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow3Weight", "float64", "kg", 1, "Measured Load on axle row 3."),
        TriggerSignal("chassisAxleRow4Weight", "float64", "kg", 1, "Measured Load on axle row 3."),
        TriggerSignal("chassisAxleRow5Weight", "float64", "kg", 1, "Measured Load on axle row 3."),
        TriggerSignal("chassisBrakeABSIsWarningOn", "float64", "", 1, "Indicates whether the ABS warning telltale is active (any non-off state)."),
        TriggerSignal("chassisBrakeCircuit1PressurePrimary", "float64", "kPa", 1, "Pneumatic pressure in the service brake circuit or reservoir"),
        TriggerSignal("chassisBrakeCircuit2PressurePrimary", "float64", "kPa", 1, "Pneumatic pressure in the service brake circuit or reservoir"),
        TriggerSignal("chassisBrakeIsPedalPressed", "float64", "", 1, "Indicates whether the brake pedal is pressed."),
        TriggerSignal("chassisBrakePedalPosition", "float64", "percent", 1, "Brake pedal position as percent. 0 = Not depressed. 100 = Fully depressed."),
        TriggerSignal("chassisParkingBrakeIsEngaged", "float64", "", 1, "Parking brake status. True = Parking Brake is Engaged. False = Parking Brake is not Engaged."),
        TriggerSignal("chassisTireSystemIsWarningOn", "float64", "", 1, "Indicates whether the tire system warning telltale is active"),
        TriggerSignal("connectivityCellularIsJammingDetected", "float64", "", 1, "Indicates whether cellular radio signal jamming or interference is detected that prevents normal communication."),
        TriggerSignal("currentLocationAltitude", "float64", "m", 4, "Current altitude relative to WGS 84 reference ellipsoid, as measured at the position of GNSS receiver antenna."),
        TriggerSignal("currentLocationCoordinates", "vss.Location", "", 4, "Current location of the vehicle in WGS 84 coordinates."),
        TriggerSignal("currentLocationHeading", "float64", "degrees", 4, "Current heading relative to geographic north. 0 = North, 90 = East, 180 = South, 270 = West."),
        TriggerSignal("currentLocationIsRedacted", "float64", "", 4, "Indicates if the latitude and longitude signals at the current timestamp have been redacted using a privacy zone."),
        TriggerSignal("currentLocationLatitude", "float64", "degrees", 4, "Current latitude of vehicle in WGS 84 geodetic coordinates, as measured at the position of GNSS receiver antenna."),
        TriggerSignal("currentLocationLongitude", "float64", "degrees", 4, "Current longitude of vehicle in WGS 84 geodetic coordinates, as measured at the position of GNSS receiver antenna."),
        TriggerSignal("dimoAftermarketHDOP", "float64", "", 1, "Horizontal dilution of precision of GPS"),
        TriggerSignal("dimoAftermarketNSAT", "float64", "", 1, "Number of sync satellites for GPS"),
        TriggerSignal("dimoAftermarketSSID", "string", "", 1, "Service Set Identifier for the wifi."),
        TriggerSignal("dimoAftermarketWPAState", "string", "", 1, "Indicate the current WPA state for the device's wifi, e.g. \"CONNECTED\", \"SCANNING\", \"DISCONNECTED\""),
        TriggerSignal("exteriorAirTemperature", "float64", "celsius", 1, "Air temperature outside the vehicle."),
        TriggerSignal("isIgnitionOn", "float64", "", 1, "Vehicle ignition status. False - off, True - on."),
        TriggerSignal("lowVoltageBatteryCurrentVoltage", "float64", "V", 1, "Current Voltage of the low voltage battery."),
        TriggerSignal("obdBarometricPressure", "float64", "kPa", 1, "PID 33 - Barometric pressure"),
        TriggerSignal("obdCommandedEGR", "float64", "percent", 1, "PID 2C - Commanded exhaust gas recirculation (EGR)"),
        TriggerSignal("obdCommandedEVAP", "float64", "percent", 1, "PID 2E - Commanded evaporative purge (EVAP) valve"),
        TriggerSignal("obdDTCList", "string", "", 1, "List of currently active DTCs formatted according OBD II (SAE-J2012DA_201812) standard ([P|C|B|U]XXXXX )"),
        TriggerSignal("obdDistanceSinceDTCClear", "float64", "km", 1, "PID 31 - Distance traveled since codes cleared"),
        TriggerSignal("obdDistanceWithMIL", "float64", "km", 1, "PID 21 - Distance traveled with MIL on"),
        TriggerSignal("obdEngineLoad", "float64", "percent", 1, "PID 04 - Engine load in percent - 0 = no load, 100 = full load"),
        TriggerSignal("obdEthanolPercent", "float64", "percent", 1, "PID 52 - Percentage of ethanol in the fuel"),
        TriggerSignal("obdFuelPressure", "float64", "kPa", 1, "PID 0A - Fuel pressure"),
        TriggerSignal("obdFuelRailPressure", "float64", "kPa", 1, "Fuel rail pressure from OBD. Uses PID 0x22 (fuel rail pressure relative to manifold vacuum) when available, otherwise falls back to PID 0x23 (fuel rail pressure direct injection)."),
        TriggerSignal("obdFuelRate", "float64", "l/h", 1, "PID 5E - Engine fuel rate"),
        TriggerSignal("obdFuelTypeName", "string", "", 1, "Fuel type names decoded from PID 51."),
        TriggerSignal("obdIntakeTemp", "float64", "celsius", 1, "PID 0F - Intake temperature"),
        TriggerSignal("obdIsEngineBlocked", "float64", "", 1, "Engine block status, 0 = engine unblocked, 1 = engine blocked"),
        TriggerSignal("obdIsPTOActive", "float64", "", 1, "PID 1E - Auxiliary input status (power take off)"),
        TriggerSignal("obdIsPluggedIn", "float64", "", 1, "Aftermarket device plugged in status. 1 = device plugged in, 0 = device unplugged."),
        TriggerSignal("obdLongTermFuelTrim1", "float64", "percent", 1, "PID 07 - Long Term (learned) Fuel Trim - Bank 1 - negative percent leaner, positive percent richer"),
        TriggerSignal("obdLongTermFuelTrim2", "float64", "percent", 1, "PID 09 - Long Term (learned) Fuel Trim - Bank 2 - negative percent leaner, positive percent richer"),
        TriggerSignal("obdMAP", "float64", "kPa", 1, "PID 0B - Intake manifold pressure"),
        TriggerSignal("obdMaxMAF", "float64", "g/s", 1, "PID 50 - Maximum flow for mass air flow sensor"),
        TriggerSignal("obdO2WRSensor1Voltage", "float64", "V", 1, "PID 2x (byte CD) - Voltage for wide range/band oxygen sensor"),
        TriggerSignal("obdO2WRSensor2Voltage", "float64", "V", 1, "PID 2x (byte CD) - Voltage for wide range/band oxygen sensor"),
        TriggerSignal("obdOilTemperature", "float64", "celsius", 1, "PID 5C - Engine oil temperature"),
        TriggerSignal("obdRunTime", "float64", "s", 1, "PID 1F - Engine run time"),
        TriggerSignal("obdShortTermFuelTrim1", "float64", "percent", 1, "PID 06 - Short Term (immediate) Fuel Trim - Bank 1 - negative percent leaner, positive percent richer"),
        TriggerSignal("obdStatusDTCCount", "float64", "", 1, "Number of Diagnostic Trouble Codes (DTC)"),
        TriggerSignal("obdThrottlePosition", "float64", "percent", 1, "PID 11 - Throttle position - 0 = closed throttle, 100 = open throttle"),
        TriggerSignal("obdWarmupsSinceDTCClear", "float64", "", 1, "PID 30 - Number of warm-ups since codes cleared"),
        TriggerSignal("powertrainCombustionEngineDieselExhaustFluidCapacity", "float64", "l", 1, "Capacity in liters of the Diesel Exhaust Fluid Tank."),
        TriggerSignal("powertrainCombustionEngineDieselExhaustFluidLevel", "float64", "percent", 1, "Level of the Diesel Exhaust Fluid tank as percent of capacity. 0 = empty. 100 = full."),
        TriggerSignal("powertrainCombustionEngineECT", "float64", "celsius", 1, "Engine coolant temperature."),
        TriggerSignal("powertrainCombustionEngineEOP", "float64", "kPa", 1, "Engine oil pressure."),
        TriggerSignal("powertrainCombustionEngineEOT", "float64", "celsius", 1, "Engine oil temperature."),
        TriggerSignal("powertrainCombustionEngineEngineOilLevel", "string", "", 1, "Engine oil level."),
        TriggerSignal("powertrainCombustionEngineEngineOilRelativeLevel", "float64", "percent", 1, "Engine oil level as a percentage."),
        TriggerSignal("powertrainCombustionEngineMAF", "float64", "g/s", 1, "Grams of air drawn into engine per second."),
        TriggerSignal("powertrainCombustionEngineSpeed", "float64", "rpm", 1, "Engine speed measured as rotations per minute."),
        TriggerSignal("powertrainCombustionEngineTPS", "float64", "percent", 1, "Current throttle position."),
        TriggerSignal("powertrainCombustionEngineTorque", "float64", "Nm", 1, "Current engine torque. Shall be reported as 0 during engine breaking."),
        TriggerSignal("powertrainCombustionEngineTorquePercent", "float64", "percent", 1, "Actual engine output torque as a percentage of reference engine torque (FMS / J1939 parameter SPN 513)."),
        TriggerSignal("powertrainFuelSystemAbsoluteLevel", "float64", "l", 1, "Current available fuel in the fuel tank expressed in liters."),
        TriggerSignal("powertrainFuelSystemAccumulatedConsumption", "float64", "l", 1, "Accumulated fuel consumption (totalized) reported by the vehicle (FMS SPN 250)."),
        TriggerSignal("powertrainFuelSystemRelativeLevel", "float64", "percent", 1, "Level in fuel tank as percent of capacity. 0 = empty. 100 = full."),
        TriggerSignal("powertrainFuelSystemSupportedFuelTypes", "string", "", 1, "High level information of fuel types supported"),
        TriggerSignal("powertrainRange", "float64", "km", 1, "Remaining range in kilometers using all energy sources available in the vehicle."),
        TriggerSignal("powertrainTractionBatteryChargingAddedEnergy", "float64", "kWh", 1, "Amount of charge added to the high voltage battery during the current charging session, expressed in kilowatt-hours."),
        TriggerSignal("powertrainTractionBatteryChargingChargeCurrentAC", "float64", "A", 1, "Current AC charging current (rms) at inlet. Negative if returning energy to grid. Used when per-phase numbers are unavailable."),
        TriggerSignal("powertrainTractionBatteryChargingChargeLimit", "float64", "percent", 1, "Target charge limit (state of charge) for battery."),
        TriggerSignal("powertrainTractionBatteryChargingChargeVoltageUnknownType", "float64", "V", 1, "Current charging voltage at inlet. Used when the data source does not indicate the current type (AC or DC) in use."),
        TriggerSignal("powertrainTractionBatteryChargingIsCharging", "float64", "", 1, "True if charging is ongoing. Charging is considered to be ongoing if energy is flowing from charger to vehicle."),
        TriggerSignal("powertrainTractionBatteryChargingIsChargingCableConnected", "float64", "", 1, "Indicates if a charging cable is physically connected to the vehicle or not."),
        TriggerSignal("powertrainTractionBatteryChargingPower", "float64", "kW", 1, "Instantaneous charging power recorded during a charging event."),
        TriggerSignal("powertrainTractionBatteryCurrentPower", "float64", "W", 1, "Current electrical energy flowing in/out of battery. Positive = Energy flowing in to battery, e.g. during charging. Negative = Energy flowing out of battery, e.g. during driving."),
        TriggerSignal("powertrainTractionBatteryCurrentVoltage", "float64", "V", 1, "Current Voltage of the battery."),
        TriggerSignal("powertrainTractionBatteryGrossCapacity", "float64", "kWh", 1, "Gross capacity of the battery."),
        TriggerSignal("powertrainTractionBatteryRange", "float64", "km", 1, "Remaining range in kilometers using only battery."),
        TriggerSignal("powertrainTractionBatteryStateOfChargeCurrent", "float64", "percent", 1, "Physical state of charge of the high voltage battery, relative to net capacity. This is not necessarily the state of charge being displayed to the customer."),
        TriggerSignal("powertrainTractionBatteryStateOfChargeCurrentEnergy", "float64", "kWh", 1, "Physical state of charge of high voltage battery expressed in kWh."),
        TriggerSignal("powertrainTractionBatteryStateOfHealth", "float64", "percent", 1, "Calculated battery state of health at standard conditions."),
        TriggerSignal("powertrainTractionBatteryTemperatureAverage", "float64", "celsius", 1, "Current average temperature of the battery cells."),
        TriggerSignal("powertrainTransmissionActualGear", "float64", "", 1, "Actual transmission gear currently engaged. 0 = neutral, 1-15 = gear number."),
        TriggerSignal("powertrainTransmissionActualGearRatio", "float64", "", 1, "Actual transmission gear ratio."),
        TriggerSignal("powertrainTransmissionCurrentGear", "float64", "", 1, "The current gear. 0=Neutral, 1/2/..=Forward, -1/-2/..=Reverse."),
        TriggerSignal("powertrainTransmissionIsClutchSwitchOperated", "float64", "", 1, "Indicates if the Clutch switch is operated, so engine and transmission are partially or fully decoupled. False = Clutch switch not operated. True = Clutch switch operated."),
        TriggerSignal("powertrainTransmissionRetarderActualTorque", "float64", "percent", 1, "Actual retarder torque as a percentage (FMS / J1939 SPN 520)."),
        TriggerSignal("powertrainTransmissionRetarderTorqueMode", "string", "", 1, "Active engine torque mode."),
        TriggerSignal("powertrainTransmissionSelectedGear", "float64", "", 1, "The selected gear. 0=Neutral, 1/2/..=Forward, -1/-2/..=Reverse, 126=Park."),
        TriggerSignal("powertrainTransmissionTemperature", "float64", "celsius", 1, "The current gearbox temperature."),
        TriggerSignal("powertrainTransmissionTravelledDistance", "float64", "km", 1, "Odometer reading, total distance travelled during the lifetime of the transmission."),
        TriggerSignal("powertrainType", "string", "", 1, "Defines the powertrain type of the vehicle."),
        TriggerSignal("serviceDistanceToService", "float64", "km", 1, "Remaining distance to service (of any kind). Negative values indicate service overdue."),
        TriggerSignal("serviceTimeToService", "float64", "s", 1, "Remaining time to service (of any kind). Negative values indicate service overdue."),
        TriggerSignal("speed", "float64", "km/h", 1, "Vehicle speed."),
    ]
}

/// A signal of the webhook catalog.
struct TriggerSignal: Sendable {
    let name: String
    /// `float64`, `string` or `vss.Location`.
    let valueType: String
    /// VSS unit; empty when the signal has none.
    let unit: String
    /// The privilege id reading it needs.
    let privilege: Int
    let description: String

    init(_ name: String, _ valueType: String, _ unit: String, _ privilege: Int, _ description: String) {
        self.name = name
        self.valueType = valueType
        self.unit = unit
        self.privilege = privilege
        self.description = description
    }
}

/// An ERC-721 DID as cloudevent's `DecodeERC721DID` reads it (also the legacy `did:nft:<chain>:<contract>_<id>`),
/// rendered canonically: checksummed contract, decimal token id.
struct AssetDID: Sendable, Equatable {
    let chainId: UInt64
    let contract: String
    let tokenId: String

    var text: String { "did:erc721:\(chainId):\(contract):\(tokenId)" }

    struct Failure: Error {
        let message: String
    }

    static func decode(_ did: String) -> Result<AssetDID, Failure> {
        func fail(_ reason: String) -> Result<AssetDID, Failure> { .failure(Failure(message: "invalid DID, \(reason)")) }
        let parts = did.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 4, parts[1] == "nft" {
            if parts[0] != "did" { return fail("incorrect DID prefix \(parts[0])") }
            let nft = parts[3].split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard nft.count == 2 else { return fail("incorrect NFT format \(parts[3])") }
            guard let (negative, tokenId) = decimal(nft[1]) else { return fail("invalid token ID \(nft[1])") }
            if negative { return fail("token ID cannot be negative \(nft[1])") }
            guard let contract = Ethereum.checksumAddress(nft[0]) else { return fail("invalid contract address \(nft[0])") }
            guard let chainId = unsigned(parts[2]) else { return fail("invalid chain ID \(parts[2])") }
            return .success(AssetDID(chainId: chainId, contract: contract, tokenId: tokenId))
        }
        guard parts.count == 5 else { return .failure(Failure(message: "invalid DID")) }
        if parts[0] != "did" { return fail("incorrect DID prefix \(parts[0])") }
        if parts[1] != "erc721" { return fail("incorrect DID method \(parts[1])") }
        guard let chainId = unsigned(parts[2]) else { return fail("invalid chain ID \(parts[2])") }
        guard let contract = Ethereum.checksumAddress(parts[3]) else { return fail("invalid contract address \(parts[3])") }
        guard let (negative, tokenId) = decimal(parts[4]) else { return fail("invalid token ID \(parts[4])") }
        if negative { return fail("token ID cannot be negative \(parts[4])") }
        return .success(AssetDID(chainId: chainId, contract: contract, tokenId: tokenId))
    }

    /// strconv.ParseUint(text, 10, 64): digits only.
    static func unsigned(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return UInt64(text)
    }

    /// big.Int SetString(text, 10): an optional sign and digits; the sign (negative unless zero) and the digits
    /// without leading zeros.
    static func decimal(_ text: String) -> (Bool, String)? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("+") || body.hasPrefix("-") {
            negative = body.hasPrefix("-")
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let digits = String(body.drop(while: { $0 == "0" }))
        return digits.isEmpty ? (false, "0") : (negative, digits)
    }
}
