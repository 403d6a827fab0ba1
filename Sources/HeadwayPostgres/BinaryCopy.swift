/// COPY's binary format, for bulk loads: the server receives dates and numbers ready-made
/// instead of parsing their text, about a third of the work of a COPY of dated figures.
/// See https://www.postgresql.org/docs/current/sql-copy.html ("Binary Format") and the
/// `*_recv` functions of PostgreSQL's `date.c` and `numeric.c` for each value's layout.
extension CopyWriter {
    /// Days from 1970-01-01 (Unix) to 2000-01-01 (PostgreSQL's epoch).
    static let postgresEpochOffset = 10_957

    mutating func beginBinary() {
        buffer.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        appendInt32(0)  // flags
        appendInt32(0)  // header extension length
    }

    mutating func finish() {
        if format == .binary { appendInt16(-1) }
    }

    /// Starts a row of `fields` values (binary format).
    public mutating func beginRow(fields: Int) { appendInt16(Int16(fields)) }

    /// Ends a row (binary format).
    public mutating func endBinaryRow() throws {
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// A `text` value, or NULL.
    public mutating func writeBinary(text: String?) {
        guard var text else { return appendInt32(-1) }
        text.withUTF8 { bytes in
            appendInt32(Int32(bytes.count))
            buffer.append(contentsOf: bytes)
        }
    }

    /// A `bigint`, or NULL.
    public mutating func writeBinary(int64 value: Int64?) {
        guard let value else { return appendInt32(-1) }
        appendInt32(8)
        appendInt32(Int32(truncatingIfNeeded: value >> 32))
        appendInt32(Int32(truncatingIfNeeded: value))
    }

    /// A `date`, given as days since 1970-01-01, or NULL.
    public mutating func writeBinary(daysSince1970 days: Int?) {
        guard let days else { return appendInt32(-1) }
        appendInt32(4)
        appendInt32(Int32(days - Self.postgresEpochOffset))
    }

    /// A `numeric`, from a number already laid out as the server stores it. Every field is
    /// converted with a check: a layout the format cannot carry throws, it never traps.
    public mutating func writeBinary(numeric: some PostgresNumericLayout) throws {
        guard let groups = Int16(exactly: numeric.groupCount), let weight = Int16(exactly: numeric.weight),
            let scale = Int16(exactly: numeric.displayScale), scale >= 0, groups >= 0,
            let length = Int32(exactly: 8 + 2 * numeric.groupCount)
        else {
            throw PostgresError(kind: .client, message: "a number too large or too precise for numeric: \(numeric)")
        }
        appendInt32(length)
        appendInt16(groups)
        appendInt16(weight)
        appendInt16(numeric.isNegative ? 0x4000 : 0)
        appendInt16(scale)
        var written = 0
        var valid = true
        numeric.forEachGroup { group in
            guard written < numeric.groupCount, let digit = Int16(exactly: group), digit >= 0, digit < 10_000 else {
                valid = false
                return
            }
            appendInt16(digit)
            written += 1
        }
        guard valid, written == numeric.groupCount else {
            throw PostgresError(kind: .client, message: "a number laid out wrongly for numeric: \(numeric)")
        }
    }

    private mutating func appendInt16(_ value: Int16) {
        let bits = UInt16(bitPattern: value)
        buffer.append(UInt8(bits >> 8))
        buffer.append(UInt8(bits & 0xFF))
    }

    private mutating func appendInt32(_ value: Int32) {
        let bits = UInt32(bitPattern: value)
        buffer.append(UInt8(bits >> 24))
        buffer.append(UInt8(bits >> 16 & 0xFF))
        buffer.append(UInt8(bits >> 8 & 0xFF))
        buffer.append(UInt8(bits & 0xFF))
    }
}

/// A number as PostgreSQL's `numeric` stores it: base-10000 digits, most significant first, the
/// power of 10000 of the first, a sign, and how many decimal digits it shows after the point.
/// See `numeric_recv` in PostgreSQL's `numeric.c`.
public protocol PostgresNumericLayout: CustomStringConvertible {
    var isNegative: Bool { get }
    var weight: Int { get }
    var displayScale: Int { get }
    var groupCount: Int { get }
    /// Calls `body` with each base-10000 digit, most significant first.
    func forEachGroup(_ body: (Int) -> Void)
}
