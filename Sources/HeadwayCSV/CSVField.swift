/// One field of a CSV record, written by `CSVRecord` under Headway's one CSV policy.
///
/// Every CSV Headway writes — the report's and the backtest's (`--format csv`), the rejects file
/// of `load --skip-invalid`, the HTTP API's `text/csv` answers — is written through this type,
/// so they all follow the policy docs/FORMATS.md ("CSV that Headway writes") states:
///
/// - RFC 4180: fields separated by commas, records by CRLF; a field holding a comma, a double
///   quote, a carriage return or a line feed is quoted, its quotes doubled.
/// - Against formula injection (OWASP, "CSV Injection"): a text field that begins with `=`, `+`,
///   `-`, `@`, a tab or a carriage return gets a `'` before it, so that a spreadsheet shows it
///   as text instead of running it as a formula (`=HYPERLINK(…)` is written `'=HYPERLINK(…)`).
///   Numbers are written as they are: `-12.5` stays `-12.5`.
/// - A missing value (null) is an empty field; the empty string is `""`.
///
/// ```swift
/// CSVRecord.line([.text("=1+1"), .number("-3"), .null, .text("")])  // "'=1+1,-3,,\"\"\r\n"
/// ```
public enum CSVField: Sendable, Equatable {
    /// Text, defused and quoted as needed.
    case text(String)
    /// A number as written (`-3`, `0.25`, `1e-3`, `NaN`): never prefixed.
    case number(String)
    /// No value: an empty field.
    case null

    /// Text, or `.null` when it is empty: for tables where an empty string means "no value".
    public static func optionalText(_ text: String?) -> CSVField {
        guard let text, !text.isEmpty else { return .null }
        return .text(text)
    }

    /// `.number` when `text` is a plain decimal number (`-12`, `3.5`, `-1.5e3`), `.null` when it
    /// is empty, else `.text`: for values held as strings whose type is not known, such as a
    /// rejected row's fields as they were read.
    public static func inferred(_ text: String) -> CSVField {
        text.isEmpty ? .null : isPlainNumber(text.utf8) ? .number(text) : .text(text)
    }

    /// The characters that make a spreadsheet read a leading cell as a formula.
    static let formulaStarts: Set<UInt8> = Set("=+-@\t\r".utf8)

    /// Appends the field's bytes to `output`.
    public func write(to output: inout [UInt8]) {
        switch self {
        case .null: return
        case .number(let text): CSVField.appendQuotedIfNeeded(Array(text.utf8), defuse: false, to: &output)
        case .text(let text):
            if text.isEmpty { return output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\"")]) }
            CSVField.appendQuotedIfNeeded(Array(text.utf8), defuse: true, to: &output)
        }
    }

    /// The field as text.
    public var written: String {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes text bytes under the policy (used directly for text a caller holds as bytes).
    public static func appendText(_ bytes: some Collection<UInt8>, to output: inout [UInt8]) {
        if bytes.isEmpty { return output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\"")]) }
        appendQuotedIfNeeded(bytes, defuse: true, to: &output)
    }

    private static func appendQuotedIfNeeded(_ bytes: some Collection<UInt8>, defuse: Bool, to output: inout [UInt8]) {
        let prefix: UInt8? = defuse && bytes.first.map(formulaStarts.contains) == true ? UInt8(ascii: "'") : nil
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes { output.append(UInt8(ascii: "\"")) }
        if let prefix { output.append(prefix) }
        if needsQuotes {
            for byte in bytes {
                output.append(byte)
                if byte == UInt8(ascii: "\"") { output.append(byte) }
            }
            output.append(UInt8(ascii: "\""))
        } else {
            output.append(contentsOf: bytes)
        }
    }

    /// `-?digits[.digits][e[+-]digits]`.
    static func isPlainNumber(_ text: some Collection<UInt8>) -> Bool {
        var index = text.startIndex
        func digits() -> Int {
            var count = 0
            while index != text.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) {
                count += 1
                index = text.index(after: index)
            }
            return count
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index != text.endIndex, text[index] == byte else { return false }
            index = text.index(after: index)
            return true
        }
        _ = skip(UInt8(ascii: "-"))
        guard digits() > 0 else { return false }
        if skip(UInt8(ascii: ".")), digits() == 0 { return false }
        if skip(UInt8(ascii: "e")) || skip(UInt8(ascii: "E")) {
            if !skip(UInt8(ascii: "+")) { _ = skip(UInt8(ascii: "-")) }
            guard digits() > 0 else { return false }
        }
        return index == text.endIndex
    }
}

/// Records of `CSVField`s: fields joined by commas, each record ended by CRLF (RFC 4180).
public enum CSVRecord {
    /// One record, with its CRLF.
    public static func line(_ fields: [CSVField]) -> String {
        var bytes: [UInt8] = []
        append(fields, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A header and rows, each record ended by CRLF.
    public static func table(header: [String], rows: [[CSVField]]) -> String {
        var bytes: [UInt8] = []
        append(header.map(CSVField.text), to: &bytes)
        for row in rows { append(row, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends one record and its CRLF to `output`.
    public static func append(_ fields: [CSVField], to output: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            field.write(to: &output)
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }
}
