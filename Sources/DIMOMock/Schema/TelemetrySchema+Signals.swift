// The signal types of the Telemetry schema: every signal as a field of `SignalAggregations` (the `signals`
// query's rows) and of `SignalCollection` (`signalsLatest`). Part of `TelemetrySchema.sdl`.
extension TelemetrySchema {
    static let signalTypes = #"""
    type SignalAggregations {
      timestamp: Time!
      currentLocationApproximateLatitude(agg: FloatAggregation!): Float
        @requiresOneOfPrivilege(privileges: [VEHICLE_APPROXIMATE_LOCATION, VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      currentLocationApproximateLongitude(agg: FloatAggregation!): Float
        @requiresOneOfPrivilege(privileges: [VEHICLE_APPROXIMATE_LOCATION, VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      currentLocationApproximateCoordinates(agg: LocationAggregation!): Location
        @requiresOneOfPrivilege(privileges: [VEHICLE_APPROXIMATE_LOCATION, VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      obdEthanolPercent(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdFuelRailPressure(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdLongTermFuelTrim2(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdMaxMAF(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdThrottlePosition(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionActualGear(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionActualGearRatio(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      angularVelocityYaw(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      bodyLightsIsAirbagWarningOn(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      bodyLockIsLocked(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      bodyTrunkFrontIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      bodyTrunkRearIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow1DriverSideIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow1DriverSideWindowIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow1PassengerSideIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow1PassengerSideWindowIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow2DriverSideIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow2DriverSideWindowIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow2PassengerSideIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinDoorRow2PassengerSideWindowIsOpen(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinSeatRow1DriverSideIsBelted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinSeatRow1PassengerSideIsBelted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinSeatRow2DriverSideIsBelted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinSeatRow2MiddleIsBelted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinSeatRow2PassengerSideIsBelted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinSeatRow3DriverSideIsBelted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      cabinSeatRow3PassengerSideIsBelted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow1WheelLeftSpeed(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow1WheelLeftTirePressure(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow1WheelRightSpeed(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow1WheelRightTirePressure(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow2WheelLeftTirePressure(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow2WheelRightTirePressure(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow3Weight(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow4Weight(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisAxleRow5Weight(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisBrakeABSIsWarningOn(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisBrakeCircuit1PressurePrimary(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisBrakeCircuit2PressurePrimary(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisBrakeIsPedalPressed(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisBrakePedalPosition(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisParkingBrakeIsEngaged(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      chassisTireSystemIsWarningOn(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      connectivityCellularIsJammingDetected(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      currentLocationAltitude(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      currentLocationCoordinates(agg: LocationAggregation!, filter: SignalLocationFilter): Location
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      currentLocationHeading(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      currentLocationIsRedacted(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      currentLocationLatitude(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      currentLocationLongitude(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal @hasAggregation
      dimoAftermarketHDOP(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      dimoAftermarketNSAT(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      dimoAftermarketSSID(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      dimoAftermarketWPAState(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      exteriorAirTemperature(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      isIgnitionOn(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      lowVoltageBatteryCurrentVoltage(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdBarometricPressure(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdCommandedEGR(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdCommandedEVAP(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdDTCList(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdDistanceSinceDTCClear(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdDistanceWithMIL(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdEngineLoad(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdFuelPressure(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdFuelRate(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdFuelTypeName(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdIntakeTemp(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdIsEngineBlocked(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdIsPTOActive(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdIsPluggedIn(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdLongTermFuelTrim1(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdMAP(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdO2WRSensor1Voltage(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdO2WRSensor2Voltage(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdOilTemperature(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdRunTime(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdShortTermFuelTrim1(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdStatusDTCCount(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      obdWarmupsSinceDTCClear(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineDieselExhaustFluidCapacity(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineDieselExhaustFluidLevel(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineECT(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineEOP(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineEOT(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineEngineOilLevel(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineEngineOilRelativeLevel(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineMAF(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineSpeed(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineTPS(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineTorque(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainCombustionEngineTorquePercent(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainFuelSystemAbsoluteLevel(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainFuelSystemAccumulatedConsumption(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainFuelSystemRelativeLevel(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainFuelSystemSupportedFuelTypes(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainRange(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryChargingAddedEnergy(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryChargingChargeCurrentAC(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryChargingChargeLimit(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryChargingChargeVoltageUnknownType(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryChargingIsCharging(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryChargingIsChargingCableConnected(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryChargingPower(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryCurrentPower(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryCurrentVoltage(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryGrossCapacity(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryRange(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryStateOfChargeCurrent(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryStateOfChargeCurrentEnergy(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryStateOfHealth(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTractionBatteryTemperatureAverage(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionCurrentGear(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionIsClutchSwitchOperated(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionRetarderActualTorque(
        agg: FloatAggregation!
        filter: SignalFloatFilter
      ): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionRetarderTorqueMode(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionSelectedGear(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionTemperature(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainTransmissionTravelledDistance(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      powertrainType(agg: StringAggregation!): String
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      serviceDistanceToService(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      serviceTimeToService(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
      speed(agg: FloatAggregation!, filter: SignalFloatFilter): Float
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal @hasAggregation
    }

    type SignalCollection {
      lastSeen: Time
      currentLocationApproximateLatitude: SignalFloat
        @requiresOneOfPrivilege(privileges: [VEHICLE_APPROXIMATE_LOCATION, VEHICLE_ALL_TIME_LOCATION]) @isSignal
      currentLocationApproximateLongitude: SignalFloat
        @requiresOneOfPrivilege(privileges: [VEHICLE_APPROXIMATE_LOCATION, VEHICLE_ALL_TIME_LOCATION]) @isSignal
      currentLocationApproximateCoordinates: SignalLocation
        @requiresOneOfPrivilege(privileges: [VEHICLE_APPROXIMATE_LOCATION, VEHICLE_ALL_TIME_LOCATION]) @isSignal
      obdEthanolPercent: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdFuelRailPressure: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdLongTermFuelTrim2: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdMaxMAF: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdThrottlePosition: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionActualGear: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionActualGearRatio: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      angularVelocityYaw: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      bodyLightsIsAirbagWarningOn: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      bodyLockIsLocked: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      bodyTrunkFrontIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      bodyTrunkRearIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow1DriverSideIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow1DriverSideWindowIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow1PassengerSideIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow1PassengerSideWindowIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow2DriverSideIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow2DriverSideWindowIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow2PassengerSideIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinDoorRow2PassengerSideWindowIsOpen: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinSeatRow1DriverSideIsBelted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinSeatRow1PassengerSideIsBelted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinSeatRow2DriverSideIsBelted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinSeatRow2MiddleIsBelted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinSeatRow2PassengerSideIsBelted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinSeatRow3DriverSideIsBelted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      cabinSeatRow3PassengerSideIsBelted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow1WheelLeftSpeed: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow1WheelLeftTirePressure: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow1WheelRightSpeed: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow1WheelRightTirePressure: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow2WheelLeftTirePressure: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow2WheelRightTirePressure: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow3Weight: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow4Weight: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisAxleRow5Weight: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisBrakeABSIsWarningOn: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisBrakeCircuit1PressurePrimary: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisBrakeCircuit2PressurePrimary: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisBrakeIsPedalPressed: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisBrakePedalPosition: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisParkingBrakeIsEngaged: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      chassisTireSystemIsWarningOn: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      connectivityCellularIsJammingDetected: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      currentLocationAltitude: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal
      currentLocationCoordinates: SignalLocation
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal
      currentLocationHeading: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal
      currentLocationIsRedacted: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal
      currentLocationLatitude: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal
      currentLocationLongitude: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION]) @isSignal
      dimoAftermarketHDOP: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      dimoAftermarketNSAT: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      dimoAftermarketSSID: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      dimoAftermarketWPAState: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      exteriorAirTemperature: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      isIgnitionOn: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      lowVoltageBatteryCurrentVoltage: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdBarometricPressure: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdCommandedEGR: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdCommandedEVAP: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdDTCList: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdDistanceSinceDTCClear: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdDistanceWithMIL: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdEngineLoad: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdFuelPressure: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdFuelRate: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdFuelTypeName: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdIntakeTemp: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdIsEngineBlocked: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdIsPTOActive: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdIsPluggedIn: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdLongTermFuelTrim1: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdMAP: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdO2WRSensor1Voltage: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdO2WRSensor2Voltage: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdOilTemperature: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdRunTime: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdShortTermFuelTrim1: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdStatusDTCCount: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      obdWarmupsSinceDTCClear: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineDieselExhaustFluidCapacity: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineDieselExhaustFluidLevel: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineECT: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineEOP: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineEOT: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineEngineOilLevel: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineEngineOilRelativeLevel: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineMAF: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineSpeed: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineTPS: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineTorque: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainCombustionEngineTorquePercent: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainFuelSystemAbsoluteLevel: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainFuelSystemAccumulatedConsumption: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainFuelSystemRelativeLevel: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainFuelSystemSupportedFuelTypes: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainRange: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryChargingAddedEnergy: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryChargingChargeCurrentAC: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryChargingChargeLimit: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryChargingChargeVoltageUnknownType: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryChargingIsCharging: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryChargingIsChargingCableConnected: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryChargingPower: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryCurrentPower: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryCurrentVoltage: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryGrossCapacity: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryRange: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryStateOfChargeCurrent: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryStateOfChargeCurrentEnergy: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryStateOfHealth: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTractionBatteryTemperatureAverage: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionCurrentGear: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionIsClutchSwitchOperated: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionRetarderActualTorque: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionRetarderTorqueMode: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionSelectedGear: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionTemperature: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainTransmissionTravelledDistance: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      powertrainType: SignalString
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      serviceDistanceToService: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      serviceTimeToService: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
      speed: SignalFloat
        @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA]) @isSignal
    }

    """#
}
