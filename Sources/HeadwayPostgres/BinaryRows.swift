import CLibPQ
import Foundation

/// A result's rows in PostgreSQL's binary format (`PostgresConnection.withBinaryRows`), valid
/// only while `body` runs. Each value is the bytes its type's `*_send` function writes.
/// See https://www.postgresql.org/docs/current/libpq-exec.html#LIBPQ-PQGETVALUE.
public struct BinaryRows {
    private let result: OpaquePointer
    public let count: Int

    init(result: OpaquePointer) {
        self.result = result
        count = Int(PQntuples(result))
    }

    /// The bytes of one value, or nil for NULL.
    public func bytes(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        let (row, column) = (Int32(row), Int32(column))
        guard PQgetisnull(result, row, column) == 0 else { return nil }
        return UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: Int(PQgetlength(result, row, column)))
    }

    /// An `integer` or a `date` (days since 2000-01-01; `-infinity` is `Int32.min`), or nil for NULL.
    public func int32(row: Int, column: Int) -> Int32? {
        guard let bytes = bytes(row: row, column: column), bytes.count == 4 else { return nil }
        return Int32(bigEndian: bytes.loadUnaligned(as: Int32.self))
    }

    /// Whether a `text` value (or NULL) is `text` (or nil), byte for byte.
    public func value(row: Int, column: Int, is text: String?) -> Bool {
        let stored = bytes(row: row, column: column)
        guard var text, let stored else { return stored == nil && text == nil }
        return text.withUTF8 { $0.count == stored.count && ($0.isEmpty || memcmp($0.baseAddress!, stored.baseAddress!, stored.count) == 0) }
    }
}

extension PostgresNumericLayout {
    /// Whether `bytes`, a `numeric` in binary format, is this number: the comparison `=` makes,
    /// which ignores the display scale (10.0 = 10). The server strips leading and trailing zero
    /// digits from every value it stores, as `groupCount` leaves them out here.
    @inlinable  // specialized where it is called: a merging load compares every row of a file
    public func isEqual(toBinary bytes: UnsafeRawBufferPointer) -> Bool {
        func int16(at offset: Int) -> Int { Int(Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int16.self))) }
        guard bytes.count == 8 + 2 * groupCount, int16(at: 0) == groupCount, int16(at: 2) == weight,
            int16(at: 4) == (isNegative ? 0x4000 : 0)
        else { return false }
        var offset = 8
        var equal = true
        forEachGroup { group in
            if equal, offset < bytes.count { equal = int16(at: offset) == group }
            offset += 2
        }
        return equal && offset == bytes.count
    }
}
