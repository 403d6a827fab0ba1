import CLibPQ

extension PostgresConnection {
    /// Runs `query` and returns each row's first `leading` columns as text, and the rest as one
    /// JSON object, written as PostgreSQL's `row_to_json` writes it (the same keys, values and
    /// escapes), but here, from the row's text: `row_to_json` costs PostgreSQL about as much
    /// again as reading the row. A column of a type `JSONRowWriter` does not know is an error.
    public func queryJSONObjects(_ query: SQLQuery, leading: Int) throws -> [(leading: [String?], object: String)] {
        try queryWrittenRows(query, leading: leading) { writer, bytes, value in writer.write(into: &bytes, value: value) }
    }

    /// Runs `query` and returns each row's first `leading` columns as text, and the rest as one
    /// CSV record (without its line end) of the values `queryJSONObjects` gives: a string,
    /// date or timestamp as text (defused under Headway's CSV policy, `CSVField`), a number or
    /// boolean as it is, an array or json as its JSON text, null as an empty field.
    public func queryCSVRecords(_ query: SQLQuery, leading: Int) throws -> [(leading: [String?], record: String)] {
        try queryWrittenRows(query, leading: leading) { writer, bytes, value in writer.writeCSV(into: &bytes, value: value) }
            .map { ($0.leading, $0.object) }
    }

    /// The rows of `query`: the first `leading` columns as text, the rest written by `write`
    /// from each column's text (`value(i)`, nil for NULL), knowing each column's kind.
    private func queryWrittenRows(
        _ query: SQLQuery, leading: Int,
        write: (JSONRowWriter, inout [UInt8], (Int) -> UnsafeBufferPointer<UInt8>?) -> Void
    ) throws -> [(leading: [String?], object: String)] {
        let result = try run(query)
        defer { PQclear(result) }
        let count = PQnfields(result)
        guard leading <= count else { throw PostgresError(kind: .decoding, message: "the result has \(count) columns, not \(leading) and more") }
        let names = (Int32(leading)..<count).map { String(cString: PQfname(result, $0)) }
        let types = (Int32(leading)..<count).map { UInt32(PQftype(result, $0)) }
        let writer = JSONRowWriter(names: names, kinds: try zip(names, types).map { name, type in
            guard let kind = try jsonKind(of: type) else {
                throw PostgresError(kind: .decoding, message: "column \(name) is of a type (oid \(type)) that Headway cannot write as JSON")
            }
            return kind
        })
        var bytes: [UInt8] = []
        return (0..<PQntuples(result)).map { row in
            let first = (0..<Int32(leading)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
            bytes.removeAll(keepingCapacity: true)
            write(writer, &bytes) { column in
                let column = Int32(leading) + Int32(column)
                guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return nil }
                return UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: Int(PQgetlength(result, row, column)))
            }
            return (first, String(decoding: bytes, as: UTF8.self))
        }
    }
}

extension PostgresConnection {
    /// How `row_to_json` writes a value of the type `oid`: a built-in type's kind is known; a
    /// domain is its base type's, an enum a string, an array its element's as an array (read
    /// from pg_type). Nil for a composite, which this writer does not handle.
    func jsonKind(of oid: UInt32) throws -> JSONRowWriter.Kind? {
        if let kind = JSONRowWriter.kind(of: oid) ?? jsonKinds[oid] { return kind }
        let kind = try catalogJSONKind(of: oid)
        if let kind { jsonKinds[oid] = kind }
        return kind
    }

    private func catalogJSONKind(of oid: UInt32) throws -> JSONRowWriter.Kind? {
        let query: SQLQuery = "SELECT typtype::text, typcategory::text, typelem::bigint, typbasetype::bigint FROM pg_catalog.pg_type WHERE oid = \(Int(oid))::oid"
        guard let row = try self.query(query).first else { return nil }
        let (type, category) = (try row.decode(String.self, at: 0), try row.decode(String.self, at: 1))
        let element = UInt32(try row.decode(Int.self, at: 2)), base = UInt32(try row.decode(Int.self, at: 3))
        switch (type, category) {
        case ("d", _): return try jsonKind(of: base)
        case ("e", _): return .string
        case (_, "A") where element != 0: return try jsonKind(of: element).map { .array($0) }
        default: return nil
        }
    }
}

/// Writes a row's columns, given as PostgreSQL's text of each (DateStyle ISO, the session's time
/// zone UTC), as the JSON object `row_to_json` makes of the row (PostgreSQL 15, json.c):
/// booleans and finite numbers bare, dates and timestamps in XML Schema form, json as it is,
/// arrays as JSON arrays, and every other value as a string.
struct JSONRowWriter: Sendable {
    enum Kind: Sendable, Equatable {
        case boolean, number, date, timestamp, json, string
        indirect case array(Kind)
    }

    let keys: [[UInt8]]
    let kinds: [Kind]

    /// `kinds`: how each column is written (`PostgresConnection.jsonKind(of:)`).
    init(names: [String], kinds: [Kind]) {
        keys = names.enumerated().map { index, name in
            var key: [UInt8] = index == 0 ? [UInt8(ascii: "{")] : [UInt8(ascii: ",")]
            Self.appendString(name.utf8, to: &key)
            key.append(UInt8(ascii: ":"))
            return key
        }
        self.kinds = kinds
    }

    /// Appends the object; `value(i)` is column i's text, nil for NULL.
    func write(into bytes: inout [UInt8], value: (Int) -> UnsafeBufferPointer<UInt8>?) {
        guard !kinds.isEmpty else { return bytes.append(contentsOf: Array("{}".utf8)) }
        for (index, kind) in kinds.enumerated() {
            bytes.append(contentsOf: keys[index])
            if let text = value(index) { Self.append(text, as: kind, to: &bytes) } else { bytes.append(contentsOf: Self.null) }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    static let null = Array("null".utf8)
    static let `true` = Array("true".utf8)
    static let `false` = Array("false".utf8)

    /// The built-in types by oid (pg_type.dat); domains arrive as their base types.
    static func kind(of type: UInt32) -> Kind? {
        switch type {
        case 16: return .boolean
        case 20, 21, 23, 26, 700, 701, 1700: return .number
        case 1082: return .date
        case 1114, 1184: return .timestamp
        case 114, 3802: return .json
        case 18, 19, 25, 1042, 1043, 1083, 1186, 1266, 2950: return .string
        case 1000: return .array(.boolean)
        case 1005, 1007, 1016, 1021, 1022, 1028, 1231: return .array(.number)
        case 1182: return .array(.date)
        case 1115, 1185: return .array(.timestamp)
        case 199, 3807: return .array(.json)
        case 1002, 1003, 1009, 1014, 1015, 1183, 1187, 1270, 2951: return .array(.string)
        default: return nil
        }
    }

    static func append(_ text: some Collection<UInt8>, as kind: Kind, to bytes: inout [UInt8]) {
        switch kind {
        case .boolean:
            bytes.append(contentsOf: text.first == UInt8(ascii: "t") ? Self.true : Self.false)
        case .number:
            // NaN and the infinities are not JSON numbers: row_to_json quotes them.
            if isJSONNumber(text) { bytes.append(contentsOf: text) } else { appendString(text, to: &bytes) }
        case .date:
            appendString(text, to: &bytes)
        case .timestamp:
            appendTimestamp(Array(text), to: &bytes)
        case .json:
            bytes.append(contentsOf: text)
        case .string:
            appendString(text, to: &bytes)
        case .array(let element):
            appendArray(Array(text), of: element, to: &bytes)
        }
    }

    static func isJSONNumber(_ text: some Collection<UInt8>) -> Bool {
        var rest = text[...]
        if rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
        guard let first = rest.first else { return false }
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
    }

    /// "2026-11-30 08:14:25.5+00" as "2026-11-30T08:14:25.5+00:00" (XML Schema); infinity as it is.
    static func appendTimestamp(_ text: [UInt8], to bytes: inout [UInt8]) {
        appendString(isoTimestamp(text), to: &bytes)
    }

    /// A timestamp's text in XML Schema form, as `row_to_json` gives it (without the quotes).
    static func isoTimestamp(_ text: [UInt8]) -> [UInt8] {
        guard text.count > 10, text[10] == UInt8(ascii: " ") else { return text }
        var iso = text
        iso[10] = UInt8(ascii: "T")
        if let sign = iso.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }), sign > 10, iso.count - sign == 3 {
            iso.append(contentsOf: Array(":00".utf8))
        }
        return iso
    }

    /// An array literal ("{a,\"b c\",NULL}", nested braces for more dimensions) as a JSON array.
    static func appendArray(_ text: [UInt8], of element: Kind, to bytes: inout [UInt8]) {
        var index = 0
        // A literal with explicit bounds ("[0:1]={…}") starts at its brace.
        while index < text.count, text[index] != UInt8(ascii: "{") { index += 1 }
        func value() {
            if text[index] == UInt8(ascii: "{") {
                index += 1
                bytes.append(UInt8(ascii: "["))
                var first = true
                while index < text.count, text[index] != UInt8(ascii: "}") {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    value()
                    if index < text.count, text[index] == UInt8(ascii: ",") { index += 1 }
                }
                index += 1
                bytes.append(UInt8(ascii: "]"))
            } else if text[index] == UInt8(ascii: "\"") {
                index += 1
                var item: [UInt8] = []
                while index < text.count, text[index] != UInt8(ascii: "\"") {
                    if text[index] == UInt8(ascii: "\\") { index += 1 }
                    if index < text.count { item.append(text[index]) }
                    index += 1
                }
                index += 1
                append(item, as: element, to: &bytes)
            } else {
                let start = index
                while index < text.count, text[index] != UInt8(ascii: ","), text[index] != UInt8(ascii: "}") { index += 1 }
                let item = text[start..<index]
                if item.count == 4, String(decoding: item, as: UTF8.self).uppercased() == "NULL" {
                    bytes.append(contentsOf: null)
                } else {
                    append(item, as: element, to: &bytes)
                }
            }
        }
        guard index < text.count else { return bytes.append(contentsOf: Array("[]".utf8)) }
        value()
    }

    /// A JSON string as PostgreSQL's escape_json writes it: the six short escapes, other control
    /// characters as \u00xx, everything else (UTF-8 included) as it is.
    static func appendString(_ text: some Collection<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        defer { bytes.append(UInt8(ascii: "\"")) }
        // Most values need no escape: copied whole.
        guard text.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            return bytes.append(contentsOf: text)
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
    }
}
