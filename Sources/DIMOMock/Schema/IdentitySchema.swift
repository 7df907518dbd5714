// GraphQL SDL served by the mock Identity API: the union of the Python-SDK-era DIMO shape and the
// current upstream schema (no descriptions).
//
// Nullability choice: current upstream made the single-object roots (`vehicle`, `account`,
// `aftermarketDevice`, `connection`, `dcn`, `developerLicense`, `deviceDefinition`, `manufacturer`,
// `stakes`, `syntheticDevice`, `template`) nullable. They stay non-null here, as in the SDK era: a
// not-found answer is then `"data": null` with the NOT_FOUND error, which SDK-era clients and tests
// read; nullable roots would answer `{"vehicle": null}` instead and change what those queries see.
enum IdentitySchema {
    static let sdl = #"""
    scalar Time
    scalar Address
    scalar BigInt
    scalar BigDecimal
    scalar Bytes

    type Query {
      node(id: ID!): Node
      aftermarketDevice(by: AftermarketDeviceBy!): AftermarketDevice!
      aftermarketDevices(
        first: Int
        after: String
        last: Int
        before: String
        filterBy: AftermarketDevicesFilter
      ): AftermarketDeviceConnection!
      connections(first: Int, after: String, last: Int, before: String): ConnectionConnection!
      connection(by: ConnectionBy!): Connection!
      dcn(by: DCNBy!): DCN!
      dcns(first: Int, after: String, last: Int, before: String, filterBy: DCNFilter): DCNConnection!
      developerLicenses(
        first: Int
        after: String
        last: Int
        before: String
        filterBy: DeveloperLicenseFilterBy
      ): DeveloperLicenseConnection!
      developerLicense(by: DeveloperLicenseBy!): DeveloperLicense!
      deviceDefinition(by: DeviceDefinitionBy!): DeviceDefinition!
      manufacturer(by: ManufacturerBy!): Manufacturer!
      manufacturers: ManufacturerConnection!
      rewards(user: Address!): UserRewards
      stakes(
        first: Int
        after: String
        last: Int
        before: String
        filterBy: StakeFilterBy
      ): StakeConnection!
      syntheticDevice(by: SyntheticDeviceBy!): SyntheticDevice!
      syntheticDevices(
        first: Int
        last: Int
        after: String
        before: String
        filterBy: SyntheticDevicesFilter
      ): SyntheticDeviceConnection!
      template(by: TemplateBy!): Template!
      templates(first: Int, after: String, last: Int, before: String): TemplateConnection!
      account(by: AccountBy!): Account!
      vehicle(tokenId: Int, tokenDID: String): Vehicle!
      vehicles(
        first: Int
        after: String
        last: Int
        before: String
        filterBy: VehiclesFilter
      ): VehicleConnection!
    }

    interface Node {
      id: ID!
    }

    type PageInfo {
      startCursor: String
      endCursor: String
      hasPreviousPage: Boolean!
      hasNextPage: Boolean!
    }

    type AftermarketDevice implements Node {
      id: ID!
      tokenId: Int!
      tokenDID: String!
      manufacturer: Manufacturer!
      address: Address!
      owner: Address!
      serial: String
      imei: String
      devEUI: String
      hardwareRevision: String
      mintedAt: Time!
      claimedAt: Time
      vehicle: Vehicle
      beneficiary: Address!
      name: String!
      image: String!
      earnings: AftermarketDeviceEarnings
      pairedAt: Time
    }

    input AftermarketDeviceBy @oneOf {
      tokenId: Int
      tokenDID: String
      address: Address
      serial: String
      imei: String
      devEUI: String
    }

    input AftermarketDevicesFilter {
      owner: Address
      beneficiary: Address
      manufacturerId: Int
    }

    type AftermarketDeviceConnection {
      totalCount: Int!
      edges: [AftermarketDeviceEdge!]!
      nodes: [AftermarketDevice!]!
      pageInfo: PageInfo!
    }

    type AftermarketDeviceEdge {
      cursor: String!
      node: AftermarketDevice!
    }

    type AftermarketDeviceEarnings {
      totalTokens: BigDecimal!
      history(first: Int, after: String, last: Int, before: String): EarningsConnection!
    }

    type Connection {
      name: String!
      address: Address!
      owner: Address!
      tokenId: BigInt!
      tokenDID: String!
      mintedAt: Time!
      sacds(first: Int, after: String, last: Int, before: String): SacdConnection!
    }

    type ConnectionConnection {
      totalCount: Int!
      edges: [ConnectionEdge!]!
      nodes: [Connection!]!
      pageInfo: PageInfo!
    }

    type ConnectionEdge {
      node: Connection!
      cursor: String!
    }

    input ConnectionBy {
      name: String
      address: Address
      tokenId: BigInt
      tokenDID: String
    }

    type DCN implements Node {
      id: ID!
      node: Bytes!
      tokenId: BigInt!
      tokenDID: String!
      owner: Address!
      expiresAt: Time
      mintedAt: Time!
      name: String
      vehicle: Vehicle
    }

    type DCNEdge {
      cursor: String!
      node: DCN!
    }

    type DCNConnection {
      totalCount: Int!
      edges: [DCNEdge!]!
      nodes: [DCN!]!
      pageInfo: PageInfo!
    }

    input DCNFilter {
      owner: Address
    }

    input DCNBy @oneOf {
      node: Bytes
      tokenDID: String
      name: String
    }

    type DeveloperLicense {
      tokenId: Int!
      tokenDID: String!
      owner: Address!
      clientId: Address!
      alias: String
      mintedAt: Time!
      signers(first: Int, after: String, last: Int, before: String): SignerConnection!
      redirectURIs(first: Int, after: String, last: Int, before: String): RedirectURIConnection!
    }

    type DeveloperLicenseConnection {
      totalCount: Int!
      edges: [DeveloperLicenseEdge!]!
      nodes: [DeveloperLicense!]!
      pageInfo: PageInfo!
    }

    input DeveloperLicenseFilterBy {
      signer: Address
      owner: Address
    }

    input DeveloperLicenseBy {
      clientId: Address
      alias: String
      tokenId: Int
      tokenDID: String
    }

    type DeveloperLicenseEdge {
      node: DeveloperLicense!
      cursor: String!
    }

    type Signer {
      address: Address!
      enabledAt: Time!
    }

    type RedirectURI {
      uri: String!
      enabledAt: Time!
    }

    type SignerConnection {
      totalCount: Int!
      edges: [SignerEdge!]!
      nodes: [Signer!]!
      pageInfo: PageInfo!
    }

    type SignerEdge {
      node: Signer!
      cursor: String!
    }

    type RedirectURIConnection {
      totalCount: Int!
      edges: [RedirectURIEdge!]!
      nodes: [RedirectURI!]!
      pageInfo: PageInfo!
    }

    type RedirectURIEdge {
      node: RedirectURI!
      cursor: String!
    }

    type DeviceDefinition {
      deviceDefinitionId: String!
      legacyId: String
      manufacturer: Manufacturer
      model: String!
      year: Int!
      deviceType: String
      imageURI: String
      attributes: [DeviceDefinitionAttribute!]!
    }

    type DeviceDefinitionAttribute {
      name: String!
      value: String!
    }

    type DeviceDefinitionEdge {
      cursor: String!
      node: DeviceDefinition!
    }

    type DeviceDefinitionConnection {
      totalCount: Int!
      edges: [DeviceDefinitionEdge!]!
      nodes: [DeviceDefinition!]!
      pageInfo: PageInfo!
    }

    input DeviceDefinitionBy @oneOf {
      id: String!
    }

    input DeviceDefinitionFilter {
      model: String
      year: Int
    }

    type Manufacturer implements Node {
      id: ID!
      tokenId: Int!
      tokenDID: String!
      name: String!
      owner: Address!
      tableId: Int
      mintedAt: Time!
      aftermarketDevices(
        first: Int
        after: String
        last: Int
        before: String
        filterBy: AftermarketDevicesFilter
      ): AftermarketDeviceConnection!
      deviceDefinitions(
        first: Int
        after: String
        last: Int
        before: String
        filterBy: DeviceDefinitionFilter
      ): DeviceDefinitionConnection!
    }

    input ManufacturerBy @oneOf {
      name: String
      tokenId: Int
      slug: String
      tokenDID: String
    }

    type ManufacturerEdge {
      node: Manufacturer!
      cursor: String!
    }

    type ManufacturerConnection {
      totalCount: Int!
      edges: [ManufacturerEdge!]!
      nodes: [Manufacturer!]!
      pageInfo: PageInfo!
    }

    type Privilege {
      id: Int!
      user: Address!
      setAt: Time!
      expiresAt: Time!
    }

    type PrivilegeEdge {
      node: Privilege!
      cursor: String!
    }

    type PrivilegesConnection {
      totalCount: Int!
      edges: [PrivilegeEdge!]!
      nodes: [Privilege!]!
      pageInfo: PageInfo!
    }

    input PrivilegeFilterBy {
      user: Address
      privilegeId: Int
    }

    type Earning {
      week: Int!
      beneficiary: Address!
      connectionStreak: Int
      streakTokens: BigDecimal!
      aftermarketDevice: AftermarketDevice
      aftermarketDeviceTokens: BigDecimal!
      syntheticDevice: SyntheticDevice
      syntheticDeviceTokens: BigDecimal!
      vehicle: Vehicle
      sentAt: Time!
    }

    type EarningsEdge {
      node: Earning!
      cursor: String!
    }

    type EarningsConnection {
      totalCount: Int!
      edges: [EarningsEdge!]!
      nodes: [Earning!]!
      pageInfo: PageInfo!
    }

    type UserRewards {
      totalTokens: BigDecimal!
      history(first: Int, after: String, last: Int, before: String): EarningsConnection!
    }

    type Sacd {
      grantee: Address!
      permissions: String!
      source: String!
      createdAt: Time!
      expiresAt: Time!
      template: Template
    }

    type SacdEdge {
      node: Sacd!
      cursor: String!
    }

    type SacdConnection {
      totalCount: Int!
      edges: [SacdEdge!]!
      nodes: [Sacd!]!
      pageInfo: PageInfo!
    }

    input StakeFilterBy {
      owner: Address
      attachable: Boolean
    }

    type Stake {
      tokenId: Int!
      tokenDID: String!
      owner: Address!
      level: Int!
      points: Int!
      amount: BigDecimal!
      stakedAt: Time!
      endsAt: Time!
      withdrawnAt: Time
      vehicle: Vehicle
    }

    type StakeConnection {
      totalCount: Int!
      edges: [StakeEdge!]!
      nodes: [Stake!]!
      pageInfo: PageInfo!
    }

    type StakeEdge {
      node: Stake!
      cursor: String!
    }

    type StorageNode {
      label: String!
      address: Address!
      owner: Address!
      tokenId: BigInt!
      uri: String!
      tokenDID: String!
      mintedAt: Time!
    }

    type SyntheticDevice implements Node {
      id: ID!
      name: String!
      tokenId: Int!
      tokenDID: String!
      integrationId: Int!
        @deprecated(reason: "Use the `connection` field instead. For newer synthetic devices, this field will be zero.")
      address: Address!
      mintedAt: Time!
      vehicle: Vehicle!
      connection: Connection!
    }

    type SyntheticDeviceConnection {
      totalCount: Int!
      edges: [SyntheticDeviceEdge!]!
      nodes: [SyntheticDevice!]!
      pageInfo: PageInfo!
    }

    type SyntheticDeviceEdge {
      cursor: String!
      node: SyntheticDevice!
    }

    input SyntheticDevicesFilter {
      owner: Address
      integrationId: Int
    }

    input SyntheticDeviceBy @oneOf {
      tokenId: Int
      tokenDID: String
      address: Address
    }

    type Template {
      tokenId: BigInt!
      creator: Address!
      asset: Address!
      permissions: String!
      cid: String!
      createdAt: Time!
    }

    type TemplateConnection {
      totalCount: Int!
      edges: [TemplateEdge!]!
      nodes: [Template!]!
      pageInfo: PageInfo!
    }

    type TemplateEdge {
      node: Template!
      cursor: String!
    }

    input TemplateBy {
      tokenId: BigInt
      cid: String
    }

    input AccountBy @oneOf {
      address: Address
    }

    type Account {
      address: Address!
      sacds(first: Int, after: String, last: Int, before: String): SacdConnection!
    }

    input VehiclesFilter {
      privileged: Address
      owner: Address
      make: String
      model: String
      year: Int
      manufacturerTokenId: Int
      deviceDefinitionId: String
      connection: Address
    }

    type Vehicle implements Node {
      id: ID!
      tokenId: Int!
      tokenDID: String!
      manufacturer: Manufacturer!
      owner: Address!
      mintedAt: Time!
      aftermarketDevice: AftermarketDevice
      privileges(
        first: Int
        after: String
        last: Int
        before: String
        filterBy: PrivilegeFilterBy
      ): PrivilegesConnection!
      sacds(first: Int, after: String, last: Int, before: String): SacdConnection!
      sacd(grantee: Address!): Sacd
      syntheticDevice: SyntheticDevice
      definition: Definition
      dcn: DCN
      name: String!
      imageURI: String!
      image: String!
        @deprecated(reason: "Use `imageURI` instead.")
      earnings: VehicleEarnings
      dataURI: String!
      stake: Stake
      storageNode: StorageNode
    }

    type Definition {
      id: String
      make: String
      model: String
      year: Int
    }

    type VehicleEdge {
      node: Vehicle!
      cursor: String!
    }

    type VehicleConnection {
      totalCount: Int!
      edges: [VehicleEdge!]!
      nodes: [Vehicle!]!
      pageInfo: PageInfo!
    }

    type VehicleEarnings {
      totalTokens: BigDecimal!
      history(first: Int, after: String, last: Int, before: String): EarningsConnection!
    }
    """#
}
