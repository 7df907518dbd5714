/// The shell and Python lines that point the Smartcar and DIMO SDKs at a fleetmock origin, for one
/// sandbox's credentials (printed by `fleetmock env` and shown by the dashboard).
public enum SDKSetupSnippet {
    public static func text(origin: String, smartcarClientId: String, smartcarClientSecret: String, smartcarRedirectUri: String,
                            smartcarManagementToken: String, dimoClientId: String, dimoDomain: String, dimoPrivateKey: String) -> String {
        """
    # Smartcar SDKs (Python smartcar 6.x, Node, Java): paste into your shell
    export SMARTCAR_API_ORIGIN=\(origin)
    export SMARTCAR_AUTH_ORIGIN=\(origin)/oauth/token   # Python: the full token URL; Node: use \(origin)
    export SMARTCAR_CONNECT_ORIGIN=\(origin)
    export SMARTCAR_MANAGEMENT_API_ORIGIN=\(origin)
    export SMARTCAR_VEHICLE_API_V3_ORIGIN=\(origin)
    export SMARTCAR_API_V3_ORIGIN=\(origin)
    export SMARTCAR_CLIENT_ID=\(smartcarClientId)
    export SMARTCAR_CLIENT_SECRET=\(smartcarClientSecret)
    export SMARTCAR_REDIRECT_URI=\(smartcarRedirectUri)
    export SMARTCAR_MANAGEMENT_TOKEN=\(smartcarManagementToken)

    # smartcar 3.0.1 (API v1.0) reads constants instead of the environment:
    #   import smartcar.const as c
    #   c.API_URL = "\(origin)/v1.0"; c.AUTH_URL = "\(origin)/oauth/token"; c.CONNECT_URL = "\(origin)"

    # DIMO Python SDK (dimo-python-sdk): register a "Local" environment before creating the client
    from dimo import DIMO
    from dimo.environments import dimo_environment
    dimo_environment["Local"] = {
        "Attestation": "\(origin)",
        "Auth": "\(origin)",
        "Conversations": "\(origin)",
        "Identity": "\(origin)/identity/query",
        "DeviceDefinitions": "\(origin)",
        "Fetch": "\(origin)/fetch/query",
        "Telemetry": "\(origin)/telemetry/query",
        "TokenExchange": "\(origin)",
        "Trips": "\(origin)",
        "User": "\(origin)",
        "Valuations": "\(origin)",
        "VehicleTriggers": "\(origin)",
    }
    dimo = DIMO("Local")
    dev_jwt = dimo.auth.get_dev_jwt(
        client_id="\(dimoClientId)",
        domain="\(dimoDomain)",
        private_key="\(dimoPrivateKey)",
    )
    """
    }
}
