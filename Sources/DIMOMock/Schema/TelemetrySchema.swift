// GraphQL SDL served by the mock Telemetry API: the union of the Python-SDK-era DIMO shape and the
// current upstream schema (no descriptions).
//
// Where the two differ:
// - `segments` answers `[Segment!]!` as upstream does now (SDK-era `[Segment!]`): a non-null list
//   reads the same to SDK-era queries. `Segment` keeps the SDK-era `startTime`/`endTime`/
//   `durationSeconds` beside current upstream's `start`/`end`/`duration`; `SegmentConfig` keeps
//   `minIdleSeconds` beside `maxGapSeconds`.
// - `DataSummary.signalDataSummary`'s element type is `SignalDataSummary` (upstream's current name;
//   the SDK era spelled it `signalDataSummary`). Only `__typename` and fragments on it can tell.
enum TelemetrySchema {
    /// The whole schema: roots and directives, the signal types (TelemetrySchema+Signals.swift), the rest.
    static let sdl = roots + "\n" + signalTypes + "\n" + supportingTypes

    static let roots = #"""
    scalar Time
    scalar Address
    scalar Uint64
    scalar Map

    directive @requiresAllOfPrivileges(privileges: [Privilege!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
    directive @requiresOneOfPrivilege(privileges: [Privilege!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
    directive @requiresVehicleToken on FIELD_DEFINITION
    directive @requiresManufacturerToken on FIELD_DEFINITION
    directive @isSignal on INPUT_FIELD_DEFINITION | FIELD_DEFINITION
    directive @hasAggregation on INPUT_FIELD_DEFINITION | FIELD_DEFINITION

    type Query {
      signals(
        tokenId: Int!
        interval: String!
        from: Time!
        to: Time!
        filter: SignalFilter
      ): [SignalAggregations!] @requiresVehicleToken
      signalsLatest(tokenId: Int!, filter: SignalFilter): SignalCollection @requiresVehicleToken
      signalsSnapshot(tokenId: Int!, filter: SignalFilter): SignalsSnapshotResponse @requiresVehicleToken
      availableSignals(tokenId: Int!, filter: SignalFilter): [String!] @requiresVehicleToken
      dataSummary(tokenId: Int!, filter: SignalFilter): DataSummary @requiresVehicleToken
      attestations(tokenId: Int, subject: String, filter: AttestationFilter): [Attestation]
      deviceActivity(by: AftermarketDeviceBy!): DeviceActivity
        @requiresManufacturerToken @requiresAllOfPrivileges(privileges: [MANUFACTURER_DEVICE_LAST_SEEN])
      events(tokenId: Int!, from: Time!, to: Time!, filter: EventFilter): [Event!]
        @requiresVehicleToken @requiresAllOfPrivileges(privileges: [VEHICLE_NON_LOCATION_DATA, VEHICLE_ALL_TIME_LOCATION])
      segments(
        tokenId: Int!
        from: Time!
        to: Time!
        mechanism: DetectionMechanism!
        config: SegmentConfig
        signalRequests: [SegmentSignalRequest!]
        eventRequests: [SegmentEventRequest!]
        limit: Int = 100
        after: Time
      ): [Segment!]!
        @requiresVehicleToken @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION, VEHICLE_NON_LOCATION_DATA])
      dailyActivity(
        tokenId: Int!
        from: Time!
        to: Time!
        mechanism: DetectionMechanism!
        config: SegmentConfig
        signalRequests: [SegmentSignalRequest!]
        eventRequests: [SegmentEventRequest!]
        timezone: String
      ): [DailyActivity!]!
        @requiresVehicleToken @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION, VEHICLE_NON_LOCATION_DATA])
      vinVCLatest(tokenId: Int!): VINVC
        @requiresVehicleToken @requiresAllOfPrivileges(privileges: [VEHICLE_VIN_CREDENTIAL])
      pomVCLatest(tokenId: Int!): POMVC
        @requiresVehicleToken @requiresAllOfPrivileges(privileges: [VEHICLE_ALL_TIME_LOCATION])
    }

    enum Privilege {
      VEHICLE_NON_LOCATION_DATA
      VEHICLE_COMMANDS
      VEHICLE_CURRENT_LOCATION
      VEHICLE_ALL_TIME_LOCATION
      VEHICLE_VIN_CREDENTIAL
      VEHICLE_APPROXIMATE_LOCATION
      MANUFACTURER_DEVICE_LAST_SEEN
      VEHICLE_RAW_DATA
    }

    """#

    static let supportingTypes = #"""
    type SignalFloat {
      timestamp: Time!
      value: Float!
    }

    type SignalString {
      timestamp: Time!
      value: String!
    }

    type SignalLocation {
      timestamp: Time!
      value: Location!
    }

    type Location {
      latitude: Float!
      longitude: Float!
      hdop: Float!
    }

    enum FloatAggregation {
      AVG
      MED
      MAX
      MIN
      RAND
      FIRST
      LAST
    }

    enum StringAggregation {
      RAND
      TOP
      UNIQUE
      FIRST
      LAST
    }

    enum LocationAggregation {
      AVG
      RAND
      FIRST
      LAST
    }

    input SignalFilter {
      source: String
    }

    input SignalFloatFilter {
      eq: Float
      neq: Float
      gt: Float
      lt: Float
      gte: Float
      lte: Float
      notIn: [Float!]
      in: [Float!]
      or: [SignalFloatFilter!]
    }

    input SignalLocationFilter {
      inPolygon: [FilterLocation!]
      inCircle: InCircleFilter
    }

    input FilterLocation {
      latitude: Float!
      longitude: Float!
    }

    input InCircleFilter {
      center: FilterLocation!
      radius: Float!
    }

    input StringValueFilter {
      eq: String
      neq: String
      notIn: [String!]
      in: [String!]
      startsWith: String
      or: [StringValueFilter!]
    }

    input StringArrayFilter {
      containsAny: [String!]
      containsAll: [String!]
      notContainsAny: [String!]
      notContainsAll: [String!]
      or: [StringArrayFilter!]
    }

    type Attestation {
      id: String!
      vehicleTokenId: Int!
      time: Time!
      attestation: String!
      type: String!
      source: Address!
      dataVersion: String!
      producer: String
      signature: String!
      tags: [String!]
    }

    input AttestationFilter {
      id: String
      source: Address
      dataVersion: String
      producer: String
      before: Time
      after: Time
      limit: Int
      cursor: Time
      tags: StringArrayFilter
    }

    type DataSummary {
      numberOfSignals: Uint64!
      availableSignals: [String!]!
      firstSeen: Time!
      lastSeen: Time!
      signalDataSummary: [SignalDataSummary!]!
      eventDataSummary: [EventDataSummary!]!
    }

    type EventDataSummary {
      name: String!
      numberOfEvents: Uint64!
      firstSeen: Time!
      lastSeen: Time!
    }

    type LatestSignal {
      name: String!
      timestamp: Time!
      valueNumber: Float
      valueString: String
      valueLocation: Location
    }

    type SignalsSnapshotResponse {
      lastSeen: Time
      signals: [LatestSignal!]!
    }

    type SignalAggregationValue {
      name: String!
      agg: String!
      value: Float!
    }

    type EventCount {
      name: String!
      count: Int!
    }

    input SegmentSignalRequest {
      name: String!
      agg: FloatAggregation!
    }

    input SegmentEventRequest {
      name: String!
    }

    type DailyActivity {
      start: SignalLocation
      end: SignalLocation
      segmentCount: Int!
      duration: Int!
      signals: [SignalAggregationValue!]!
      eventCounts: [EventCount!]!
    }

    type SignalDataSummary {
      name: String!
      numberOfSignals: Uint64!
      firstSeen: Time!
      lastSeen: Time!
    }

    type DeviceActivity {
      lastActive: Time
    }

    input AftermarketDeviceBy @oneOf {
      tokenId: Int
      address: Address
      serial: String
    }

    type Event {
      timestamp: Time!
      name: String!
      source: String!
      durationNs: Int!
      metadata: String
    }

    input EventFilter {
      name: StringValueFilter
      source: StringValueFilter
      tags: StringArrayFilter
    }

    enum DetectionMechanism {
      ignitionDetection
      frequencyAnalysis
      changePointDetection
      idling
      refuel
      recharge
    }

    input SegmentConfig {
      minIdleSeconds: Int = 300
      maxGapSeconds: Int = 300
      minSegmentDurationSeconds: Int = 240
      signalCountThreshold: Int = 10
      maxIdleRpm: Int = 1000
      minIncreasePercent: Int = 15
    }

    type Segment {
      startTime: Time!
      endTime: Time
      durationSeconds: Int!
      start: SignalLocation!
      end: SignalLocation
      duration: Int!
      isOngoing: Boolean!
      startedBeforeRange: Boolean!
      signals: [SignalAggregationValue!]
      eventCounts: [EventCount!]
    }

    type VINVC {
      vehicleTokenId: Int
      vin: String
      recordedBy: String
      recordedAt: Time
      countryCode: String
      vehicleContractAddress: String
      validFrom: Time
      validTo: Time
      rawVC: String!
    }

    type POMVC {
      vehicleTokenId: Int
      recordedBy: String
      vehicleContractAddress: String
      validFrom: Time
      rawVC: String!
    }
    """#
}
