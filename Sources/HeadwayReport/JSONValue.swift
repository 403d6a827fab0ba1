import Foundation
import HeadwayModel

/// A JSON value with ordered keys, written the same way every time (reports are byte-stable).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number already in JSON text form.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// A value already written as compact JSON text (made by this module's writers), spliced
    /// in as it is, pretty-printed or not.
    case written(String)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.text() == rhs.text() }

    public static func decimal(_ value: Decimal?) -> JSONValue { value.map { .number(DecimalText.format($0)) } ?? .null }
    static func double(_ value: Double?) -> JSONValue { value.flatMap(NumberText.format).map(JSONValue.number) ?? .null }
    static func int(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
    static func date(_ value: CivilDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// Pretty-printed with two-space indentation.
    public func text() -> String {
        var output: [UInt8] = []
        write(to: &output, indent: 0, pretty: true)
        return String(decoding: output, as: UTF8.self)
    }

    /// On one line, with no spaces (as stored in the database).
    public var compactText: String { String(decoding: compactUTF8, as: UTF8.self) }

    /// `compactText`'s bytes, for a caller that sends them on (no String made in between).
    public var compactUTF8: [UInt8] {
        var output: [UInt8] = []
        write(to: &output, indent: 0, pretty: false)
        return output
    }

    /// Appends the value's UTF-8 to `output`: one growing buffer, no copy per nesting level, and
    /// the indentation (`indent` spaces) written out rather than built as strings.
    func write(to output: inout [UInt8], indent: Int, pretty: Bool) {
        switch self {
        case .null: Self.append("null", to: &output)
        case .bool(let value): Self.append(value ? "true" : "false", to: &output)
        case .number(let value): Self.append(value, to: &output)
        case .string(let value): Self.appendQuoted(value, to: &output)
        case .written(let text): Self.append(text, to: &output)
        case .array(let values):
            Self.writeContainer(values.count, brackets: (UInt8(ascii: "["), UInt8(ascii: "]")), to: &output, indent: indent, pretty: pretty) { index, output, inner in
                values[index].write(to: &output, indent: inner, pretty: pretty)
            }
        case .object(let pairs):
            Self.writeContainer(pairs.count, brackets: (UInt8(ascii: "{"), UInt8(ascii: "}")), to: &output, indent: indent, pretty: pretty) { index, output, inner in
                Self.appendQuoted(pairs[index].0, to: &output)
                Self.append(pretty ? ": " : ":", to: &output)
                pairs[index].1.write(to: &output, indent: inner, pretty: pretty)
            }
        }
    }

    /// Writes an array or object: brackets, separators and indentation around `count` elements.
    private static func writeContainer(
        _ count: Int, brackets: (UInt8, UInt8), to output: inout [UInt8], indent: Int, pretty: Bool,
        element: (Int, inout [UInt8], Int) -> Void
    ) {
        output.append(brackets.0)
        guard count > 0 else {
            output.append(brackets.1)
            return
        }
        let inner = pretty ? indent + 2 : 0
        for index in 0..<count {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            if pretty {
                output.append(UInt8(ascii: "\n"))
                output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: inner))
            }
            element(index, &output, inner)
        }
        if pretty {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }
        output.append(brackets.1)
    }

    /// Appends a string's UTF-8 bytes in one copy.
    @inline(__always)
    static func append(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    static func quote(_ text: String) -> String {
        var output: [UInt8] = []
        appendQuoted(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        // Most strings need no escaping: checked and appended whole, byte by byte (a server
        // writes a few thousand of them per answer).
        var text = text
        let plain = text.withUTF8 { bytes in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2 { return false }
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: bytes)
            output.append(UInt8(ascii: "\""))
            return true
        }
        guard !plain else { return }
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": Self.append("\\\"", to: &output)
            case "\\": Self.append("\\\\", to: &output)
            case "\n": Self.append("\\n", to: &output)
            case "\r": Self.append("\\r", to: &output)
            case "\t": Self.append("\\t", to: &output)
            case "\u{2028}": Self.append("\\u2028", to: &output)
            case "\u{2029}": Self.append("\\u2029", to: &output)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    Self.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex, to: &output)
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// How computed (floating-point) numbers are written: at most four decimals, no trailing zeros.
public enum NumberText {
    public static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        let scaled = (value * 10_000).rounded()
        guard abs(scaled) < 9e15 else {
            var text = String(format: "%.4f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        // Integer arithmetic: exact for these magnitudes, and much faster than printf.
        let units = Int64(abs(scaled))
        var text = scaled < 0 && units != 0 ? "-" : ""
        text += String(units / 10_000)
        var fraction = units % 10_000
        if fraction != 0 {
            var digits = 4
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }
}

/// Compact JSON written as it goes, byte for byte what `JSONValue` writes compactly for the same
/// values, without building the containers first: for answers that list hundreds of objects.
public struct CompactJSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next key or element needs a comma before it.
    private var afterValue = false

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// A key made at run time, escaped as `JSONValue` escapes strings.
    public mutating func key(text name: String) {
        separate()
        JSONValue.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterValue = false
    }

    /// A key spelled in the source: plain ASCII with nothing to escape, so copied as it is.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { text in
            assert(!text.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 >= 0x7F }, "a key to escape")
            bytes.append(contentsOf: text)
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterValue = false
    }

    /// A date as a JSON string (`YYYY-MM-DD`), or null: written in place, no string made.
    public mutating func value(_ date: CivilDate?) {
        guard let date else { return value(.null) }
        separate()
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "\""), count: 12))
        bytes.withUnsafeMutableBufferPointer { _ = date.write(to: $0, at: start + 1) }
        afterValue = true
    }

    public mutating func value(_ value: JSONValue) {
        separate()
        value.write(to: &bytes, indent: 0, pretty: false)
        afterValue = true
    }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        afterValue = false
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        afterValue = true
    }

    private mutating func separate() {
        if afterValue { bytes.append(UInt8(ascii: ",")) }
    }
}
