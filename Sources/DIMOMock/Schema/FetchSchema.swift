// fleetmock's text of the Fetch API schema (names, types and arguments as upstream; MCP-only directives left out).
enum FetchSchema {
    static let sdl = #"""
    scalar Time
    scalar JSON

    type CloudEvent {
      header: CloudEventHeader!
      data: JSON
      dataBase64: String
      dataUrl: String
    }

    type CloudEventTypeSummary {
      type: String!
      count: Int!
      firstSeen: Time!
      lastSeen: Time!
    }

    type Query {
      latestIndex(did: String!, filter: CloudEventFilter, includeDeleted: Boolean = false): CloudEventIndex
      indexes(did: String!, limit: Int = 10, filter: CloudEventFilter, includeDeleted: Boolean = false): [CloudEventIndex!]!
      latestCloudEvent(did: String!, filter: CloudEventFilter, includeDeleted: Boolean = false): CloudEvent
      cloudEvents(did: String!, limit: Int = 10, filter: CloudEventFilter, includeDeleted: Boolean = false): [CloudEvent!]!
      availableCloudEventTypes(did: String!, filter: CloudEventFilter, includeDeleted: Boolean = false): [CloudEventTypeSummary!]!
    }

    type CloudEventHeader {
      specversion: String!
      type: String!
      source: String!
      subject: String!
      id: String!
      time: Time!
      datacontenttype: String
      dataschema: String
      dataversion: String
      producer: String!
      signature: String
      raweventid: String
      tags: [String!]!
    }

    type CloudEventIndex {
      header: CloudEventHeader!
      indexKey: String!
    }

    input CloudEventFilter {
      id: String
      type: String
      types: [String!]
      dataversion: String
      source: String
      producer: String
      before: Time
      after: Time
    }
    """#
}
