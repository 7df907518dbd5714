import _CryptoExtras
import Crypto
import FleetCore
import FleetHTTP
import Foundation

/// Signs and verifies DIMO's RS256 JWTs with byte-exact claim order (dex writes the developer JWT's
/// claims in struct order; the vehicle JWT's come out alphabetical). One key per issuer, kept in
/// the database so tokens survive a restart; created on first use so startup stays fast.
public struct JWTIssuer: Sendable {
    public static let developerIssuer = "https://auth.dimo.zone"
    public static let vehicleIssuer = "https://auth-roles-rights.dimo.zone"

    let access: DIMOAccess
    let issuer: String

    struct Key {
        var kid: String
        var privateKey: _RSA.Signing.PrivateKey
    }

    func key() async throws -> Key {
        let record = try await access.signingKey(issuer: issuer) {
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            var rng = SystemRandomNumberGenerator()
            return (Identifiers.hexToken(length: 40, using: &rng), key.derRepresentation)
        }
        return Key(kid: record.kid, privateKey: try _RSA.Signing.PrivateKey(derRepresentation: record.privateKeyDER))
    }

    /// A compact JWS of `claims` (written in the given key order).
    public func sign(_ claims: JSONValue) async throws -> String {
        let key = try await key()
        let header = JSONValue.object([("alg", "RS256"), ("kid", .string(key.kid))])
        let input = Base64URL.encode(header.encoded()) + "." + Base64URL.encode(claims.encoded())
        let signature = try key.privateKey.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// The claims of a token this issuer signed, or nil when the signature, shape or expiry is wrong.
    public func verify(_ token: String, now: Date) async throws -> JSONValue? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(String(parts[2])),
              let payload = Base64URL.decode(String(parts[1])), let claims = JSONValue.parse(payload),
              let headerData = Base64URL.decode(String(parts[0])), let header = JSONValue.parse(headerData) else { return nil }
        let key = try await key()
        guard header["alg"]?.stringValue == "RS256", header["kid"]?.stringValue == key.kid else { return nil }
        let input = Data("\(parts[0]).\(parts[1])".utf8)
        guard key.privateKey.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5) else {
            return nil
        }
        guard let exp = claims["exp"]?.doubleValue, now.timeIntervalSince1970 < exp else { return nil }
        guard claims["iss"]?.stringValue == issuer else { return nil }
        return claims
    }

    /// The JWKS entry of this issuer's key.
    public func jwk() async throws -> JSONValue {
        let key = try await key()
        let primitives = try key.privateKey.publicKey.getKeyPrimitives()
        return .object([("use", "sig"), ("kty", "RSA"), ("kid", .string(key.kid)), ("alg", "RS256"),
                        ("n", .string(Base64URL.encode(primitives.modulus))), ("e", .string(Base64URL.encode(primitives.publicExponent)))])
    }
}
