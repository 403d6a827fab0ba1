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
