/// Vehicle identification numbers (ISO 3779 with the North-American check digit at position 9).
public enum VIN {
    private static let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    private static let allowed = Array("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")

    private static func value(of char: Character) -> Int? {
        if let digit = char.wholeNumberValue { return digit }
        switch char {
        case "A", "J": return 1
        case "B", "K", "S": return 2
        case "C", "L", "T": return 3
        case "D", "M", "U": return 4
        case "E", "N", "V": return 5
        case "F", "W": return 6
        case "G", "P", "X": return 7
        case "H", "Y": return 8
        case "R", "Z": return 9
        default: return nil
        }
    }

    /// The check digit ("0"-"9" or "X") for a 17-character VIN, ignoring its current position 9.
    public static func checkDigit(_ vin: String) -> Character? {
        let chars = Array(vin.uppercased())
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (index, char) in chars.enumerated() {
            guard let v = value(of: char) else { return nil }
            sum += v * weights[index]
        }
        let remainder = sum % 11
        return remainder == 10 ? "X" : Character(String(remainder))
    }

    /// Whether `vin` is 17 allowed characters with a correct check digit.
    public static func isValid(_ vin: String) -> Bool {
        let chars = Array(vin)
        guard chars.count == 17, chars.allSatisfy({ allowed.contains($0) }) else { return false }
        return checkDigit(vin) == chars[8]
    }

    /// The model-year character (position 10) for `year` (1980–2039 cycle).
    public static func yearCode(_ year: Int) -> Character {
        let codes = Array("ABCDEFGHJKLMNPRSTVWXY123456789")
        return codes[((year - 1980) % 30 + 30) % 30]
    }

    /// A new valid VIN: the given 3-character WMI, random descriptor and serial, the year code,
    /// and a correct check digit.
    public static func generate<R: RandomNumberGenerator>(wmi: String, year: Int, using rng: inout R) -> String {
        var chars = Array(wmi.uppercased().prefix(3))
        while chars.count < 3 { chars.append("9") }
        for _ in 0..<5 { chars.append(allowed[Int.random(in: 0..<allowed.count, using: &rng)]) }
        chars.append("0")
        chars.append(yearCode(year))
        chars.append(allowed[Int.random(in: 10..<allowed.count, using: &rng)])
        for _ in 0..<6 { chars.append(allowed[Int.random(in: 0..<10, using: &rng)]) }
        var vin = String(chars)
        if let check = checkDigit(vin) {
            chars[8] = check
            vin = String(chars)
        }
        return vin
    }
}
