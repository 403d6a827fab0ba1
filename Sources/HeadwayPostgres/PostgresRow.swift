/// One result row, copied out of libpq's result so it is a plain `Sendable` value.
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    /// Each column's text-format value; nil is SQL NULL.
    public let values: [String?]

    /// The raw text of a column, nil for NULL.
    public subscript(_ index: Int) -> String? { values[index] }

    /// Decodes column `index`; throws if it is NULL or not of that type.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard let text = values[index] else {
            throw PostgresError(kind: .decoding, message: "column \(columns.names[index]) is NULL; expected \(T.self)")
        }
        return try T(postgresText: text)
    }

    /// Decodes column `index`, with NULL as nil.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, at index: Int) throws -> T? {
        guard let text = values[index] else { return nil }
        return try T(postgresText: text)
    }

    /// Decodes the column named `name`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        try decode(type, at: columns.index(of: name))
    }

    /// Decodes the column named `name`, with NULL as nil.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, column name: String) throws -> T? {
        try decode(type, at: columns.index(of: name))
    }

    /// Decodes column `index` as one of an enumeration's values; throws for a value it does not
    /// name (a value written by a newer Headway or by hand is an error, never a default).
    public func decode<T: RawRepresentable>(_ type: T.Type = T.self, at index: Int) throws -> T where T.RawValue: PostgresDecodable {
        try Self.known(T.self, try decode(T.RawValue.self, at: index), column: columns.names[index])
    }

    /// Decodes column `index` as one of an enumeration's values, with NULL as nil.
    public func decode<T: RawRepresentable>(_ type: T?.Type, at index: Int) throws -> T? where T.RawValue: PostgresDecodable {
        try decode(T.RawValue?.self, at: index).map { try Self.known(T.self, $0, column: columns.names[index]) }
    }

    /// Decodes the column named `name` as one of an enumeration's values.
    public func decode<T: RawRepresentable>(_ type: T.Type = T.self, column name: String) throws -> T where T.RawValue: PostgresDecodable {
        try decode(type, at: columns.index(of: name))
    }

    /// Decodes the column named `name` as one of an enumeration's values, with NULL as nil.
    public func decode<T: RawRepresentable>(_ type: T?.Type, column name: String) throws -> T? where T.RawValue: PostgresDecodable {
        try decode(type, at: columns.index(of: name))
    }

    @usableFromInline static func known<T: RawRepresentable>(_ type: T.Type, _ raw: T.RawValue, column: String) throws -> T {
        guard let value = T(rawValue: raw) else {
            throw PostgresError(kind: .decoding, message: "column \(column) holds \(String(reflecting: raw)), which is not a known \(T.self)")
        }
        return value
    }
}

/// The column names of a result, shared by its rows.
public final class PostgresColumns: Sendable {
    public let names: [String]
    private let positions: [String: Int]

    init(names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }

    func index(of name: String) throws -> Int {
        guard let index = positions[name] else {
            throw PostgresError(kind: .decoding, message: "the result has no column named \(name)")
        }
        return index
    }
}
