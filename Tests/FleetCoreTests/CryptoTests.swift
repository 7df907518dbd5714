import FleetCore
import Testing

@Suite struct KeccakTests {
    @Test(arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        (String(repeating: "a", count: 200), "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d"),
        // Exactly one rate-sized block: the padding goes into a block of its own.
        (String(repeating: "b", count: 136), "121b76d0b19f3c2c7632310b92c54cddd59d16a6b5aafe84696426f10e5733bf"),
    ])
    func publishedVectors(input: String, digest: String) {
        #expect(Hex.encode(Keccak256.hash(input)) == digest)
    }
}

@Suite struct EthereumTests {
    // The well-known web3 documentation key.
    let key = Hex.decode("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")!

    @Test func addressFromPrivateKey() throws {
        #expect(try Ethereum.address(privateKey: key) == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
    }

    @Test func recoversASignatureMadeByEthAccount() throws {
        // Account.sign_message(encode_defunct(text="fleetmock test message"), key) with eth-account.
        let signature = Hex.decode("338fd7910283441e71bf9b067ce57f8cb78f59ce6f0ea29c7aa4451f37869b947d6b15851d2d6b49a96549417daf7f9eb980869170d0807b65e1b992cff0e7eb1b")!
        let signer = try Ethereum.recoverPersonalSigner(message: Array("fleetmock test message".utf8), signature: signature)
        #expect(signer == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
    }

    @Test func signThenRecoverRoundTrips() throws {
        var rng = SeededRandom(seed: 9)
        let privateKey = Ethereum.randomPrivateKey(using: &rng)
        let message = Array("Please sign this message.".utf8)
        let signature = try Ethereum.personalSign(message: message, privateKey: privateKey)
        #expect(try Ethereum.recoverPersonalSigner(message: message, signature: signature) == Ethereum.address(privateKey: privateKey))
        // A different message recovers someone else.
        #expect(try Ethereum.recoverPersonalSigner(message: Array("other".utf8), signature: signature) != Ethereum.address(privateKey: privateKey))
    }

    @Test func rejectsMalformedInput() {
        #expect(throws: Ethereum.Failure.invalidSignature) { try Ethereum.recoverPersonalSigner(message: [1], signature: [1, 2, 3]) }
        #expect(throws: Ethereum.Failure.invalidPrivateKey) { try Ethereum.address(privateKey: [UInt8](repeating: 0, count: 32)) }
        #expect(Ethereum.checksumAddress("0x1234") == nil)
    }

    @Test func checksumMatchesEIP55Examples() {
        #expect(Ethereum.checksumAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(Ethereum.checksumAddress("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359") == "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
    }
}

@Suite struct VINTests {
    @Test func knownCheckDigits() {
        #expect(VIN.isValid("1M8GDM9AXKP042788"))
        #expect(VIN.isValid("5YJ3E1EB3NF225522"))
        #expect(!VIN.isValid("1M8GDM9A1KP042788"))
        #expect(!VIN.isValid("1M8GDM9AXKP04278"))
        #expect(!VIN.isValid("IM8GDM9AXKP042788"))
    }

    @Test func generatedVINsAreValidAndCarryTheYear() {
        var rng = SeededRandom(seed: 1)
        for year in 2015...2026 {
            let vin = VIN.generate(wmi: "5YJ", year: year, using: &rng)
            #expect(VIN.isValid(vin), "\(vin)")
            #expect(vin.hasPrefix("5YJ"))
            #expect(Array(vin)[9] == VIN.yearCode(year))
        }
    }
}
