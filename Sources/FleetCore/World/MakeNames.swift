import Foundation

/// How makes are written for people: `TESLA` → "Tesla", `BMW` → "BMW".
public enum MakeNames {
    public static func display(_ make: String) -> String {
        acronyms.contains(make.uppercased()) ? make.uppercased() : make.capitalized
    }

    static let acronyms: Set<String> = ["BMW", "GMC", "BYD", "MG", "DS", "VW"]

    /// A URL slug: "Model 3" → "model-3".
    public static func slug(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).joined(separator: "-")
    }
}
