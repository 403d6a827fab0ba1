import CLibPQ

/// A result's rows in text format, read where libpq keeps them (`PostgresConnection.withTextRows`),
/// valid only while `body` runs: each value is decoded from its bytes, with no row copied out
/// and no string made for a value that is only parsed (a date, a number).
public struct TextRows {
    @usableFromInline let result: OpaquePointer
    public let count: Int

    init(result: OpaquePointer) {
        self.result = result
        count = Int(PQntuples(result))
    }

    /// Decodes the value at `row`, `column`; throws if it is NULL or not of that type. Inlinable,
    /// as the rest: specialized where it is called, each type's decoding is a direct call.
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, row: Int, column: Int) throws -> T {
        guard let value = try decode(T?.self, row: row, column: column) else {
            throw PostgresError(kind: .decoding, message: "column \(name(column)) is NULL; expected \(T.self)")
        }
        return value
    }

    /// Decodes the value at `row`, `column`, with NULL as nil.
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T?.Type, row: Int, column: Int) throws -> T? {
        let (row, column) = (Int32(row), Int32(column))
        guard PQgetisnull(result, row, column) == 0, let start = PQgetvalue(result, row, column) else { return nil }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self), count: Int(PQgetlength(result, row, column)))
        return try T(postgresTextBytes: bytes)
    }

    /// Decodes the value at `row`, `column` as one of an enumeration's values (see `PostgresRow`).
    @inlinable
    public func decode<T: RawRepresentable>(_ type: T.Type = T.self, row: Int, column: Int) throws -> T where T.RawValue: PostgresDecodable {
        try PostgresRow.known(T.self, try decode(T.RawValue.self, row: row, column: column), column: name(column))
    }

    /// The same, with NULL as nil.
    @inlinable
    public func decode<T: RawRepresentable>(_ type: T?.Type, row: Int, column: Int) throws -> T? where T.RawValue: PostgresDecodable {
        try decode(T.RawValue?.self, row: row, column: column).map { try PostgresRow.known(T.self, $0, column: name(column)) }
    }

    @usableFromInline func name(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }
}
