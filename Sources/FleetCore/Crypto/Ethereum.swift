import CSecp256k1

/// Ethereum keys and addresses over libsecp256k1: address derivation, EIP-55 checksums,
/// and EIP-191 `personal_sign` recovery.
public enum Ethereum {
    public enum Failure: Error, Equatable, Sendable {
        case invalidPrivateKey
        case invalidSignature
        case recoveryFailed
    }

    // One context for signing and verification; libsecp256k1 contexts are safe to share read-only.
    nonisolated(unsafe) private static let context: OpaquePointer = {
        secp256k1_context_create(UInt32(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY))
    }()

    /// The EIP-55 address of a 32-byte private key.
    public static func address(privateKey: [UInt8]) throws -> String {
        guard privateKey.count == 32, secp256k1_ec_seckey_verify(context, privateKey) == 1 else {
            throw Failure.invalidPrivateKey
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pubkey, privateKey) == 1 else {
            throw Failure.invalidPrivateKey
        }
        return address(of: &pubkey)
    }

    /// A fresh random private key (32 bytes) valid on the curve.
    public static func randomPrivateKey<R: RandomNumberGenerator>(using rng: inout R) -> [UInt8] {
        while true {
            let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if secp256k1_ec_seckey_verify(context, key) == 1 { return key }
        }
    }

    /// The EIP-191 digest of a message: keccak256("\u{19}Ethereum Signed Message:\n" + len + message).
    public static func personalMessageDigest(_ message: [UInt8]) -> [UInt8] {
        let prefix = Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8)
        return Keccak256.hash(prefix + message)
    }

    /// Signs `message` as `personal_sign` does; returns the 65-byte r‖s‖v signature with v = 27/28.
    public static func personalSign(message: [UInt8], privateKey: [UInt8]) throws -> [UInt8] {
        let digest = personalMessageDigest(message)
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest, privateKey, nil, nil) == 1 else {
            throw Failure.invalidPrivateKey
        }
        var output = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &output, &recid, &signature)
        return output + [UInt8(27 + recid)]
    }

    /// Recovers the EIP-55 address that produced a 65-byte `personal_sign` signature of `message`.
    public static func recoverPersonalSigner(message: [UInt8], signature: [UInt8]) throws -> String {
        guard signature.count == 65 else { throw Failure.invalidSignature }
        var v = Int32(signature[64])
        if v >= 27 { v -= 27 }
        guard v == 0 || v == 1 else { throw Failure.invalidSignature }
        var recoverable = secp256k1_ecdsa_recoverable_signature()
        let compact = Array(signature[0..<64])
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &recoverable, compact, v) == 1 else {
            throw Failure.invalidSignature
        }
        var pubkey = secp256k1_pubkey()
        let digest = personalMessageDigest(message)
        guard secp256k1_ecdsa_recover(context, &pubkey, &recoverable, digest) == 1 else {
            throw Failure.recoveryFailed
        }
        return address(of: &pubkey)
    }

    /// EIP-55 mixed-case checksum form of a 20-byte address given as hex (any case, `0x` optional).
    public static func checksumAddress(_ hex: String) -> String? {
        guard let bytes = Hex.decode(hex), bytes.count == 20 else { return nil }
        return checksumAddress(bytes: bytes)
    }

    /// EIP-55 form of 20 address bytes.
    public static func checksumAddress(bytes: [UInt8]) -> String {
        let lower = Hex.encode(bytes)
        let hash = Hex.encode(Keccak256.hash(lower))
        var out = "0x"
        for (char, hashChar) in zip(lower, hash) {
            if char.isLetter, let nibble = hashChar.hexDigitValue, nibble >= 8 {
                out.append(char.uppercased())
            } else {
                out.append(char)
            }
        }
        return out
    }

    private static func address(of pubkey: inout secp256k1_pubkey) -> String {
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = 65
        secp256k1_ec_pubkey_serialize(context, &serialized, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        let hash = Keccak256.hash(serialized[1..<65])
        return checksumAddress(bytes: Array(hash.suffix(20)))
    }
}
