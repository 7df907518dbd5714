/// Addresses of DIMO's contracts on Polygon mainnet, as the DIMO services and SDK use them.
public enum DIMOContracts {
    /// The vehicle NFT contract (`vehicleContract` in DIDs and token exchange).
    public static let vehicle = "0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF"
    /// The chain id of Polygon mainnet.
    public static let chainId: Int64 = 137
}
