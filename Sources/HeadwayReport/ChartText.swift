/// How wide a chart's text is drawn, estimated from its characters in the widest common
/// sans-serif (DejaVu Sans, Debian's default: digits 0.64 em, "m" 0.97 em), so that an axis
/// that leaves room by this estimate leaves it in narrower fonts too.
enum ChartText {
    /// The estimated width of `text` drawn at `fontSize`, in the same units.
    static func width(_ text: String, fontSize: Double) -> Double {
        fontSize * text.unicodeScalars.reduce(0) { total, scalar in
            total + (Self.ems[scalar] ?? (scalar.properties.isUppercase ? 0.78 : 0.64))
        }
    }

    /// Characters much narrower or wider than a digit.
    private static let ems: [Unicode.Scalar: Double] = [
        ",": 0.32, ".": 0.32, " ": 0.32, "-": 0.36, "J": 0.3, "I": 0.3, "i": 0.28, "l": 0.28, "t": 0.4, "r": 0.42,
        "f": 0.36, "j": 0.28, "m": 0.98, "w": 0.82, "M": 0.87, "W": 0.99,
    ]
}
