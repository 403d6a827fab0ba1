import Foundation
import HeadwayModel

/// A JSON value with ordered keys, written the same way every time (reports are byte-stable).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number already in JSON text form.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.text() == rhs.text() }

    static func decimal(_ value: Decimal?) -> JSONValue { value.map { .number(DecimalText.format($0)) } ?? .null }
    static func double(_ value: Double?) -> JSONValue { value.flatMap(NumberText.format).map(JSONValue.number) ?? .null }
    static func int(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
    static func date(_ value: CivilDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// Pretty-printed with two-space indentation.
    public func text(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return value
        case .string(let value): return Self.quote(value)
        case .array(let values):
            if values.isEmpty { return "[]" }
            return "[\n" + values.map { inner + $0.text(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { inner + Self.quote($0.0) + ": " + $0.1.text(indent: inner) }.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{2028}": result += "\\u2028"
            case "\u{2029}": result += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// How computed (floating-point) numbers are written: at most four decimals, no trailing zeros.
public enum NumberText {
    public static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
