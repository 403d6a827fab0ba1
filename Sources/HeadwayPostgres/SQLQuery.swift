/// A SQL statement whose interpolated values travel as `$n` parameters, never as SQL text.
///
/// ```swift
/// let query: SQLQuery = "SELECT name FROM headway.metrics WHERE key = \(key)"
/// // text: SELECT name FROM headway.metrics WHERE key = $1, parameters: [key]
/// ```
/// Raw SQL (identifiers, fixed fragments) must be spelled `\(unsafeSQL: "...")`, so injection
/// is hard to write by accident. See https://www.postgresql.org/docs/current/libpq-exec.html#LIBPQ-PQEXECPARAMS.
public struct SQLQuery: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    public private(set) var sql: String
    public private(set) var parameters: [String?]
    /// Whether the connection prepares this text once and reuses it (see `prepared()`).
    public private(set) var isPrepared = false

    public init(stringLiteral value: String) {
        sql = value
        parameters = []
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        parameters = stringInterpolation.parameters
    }

    /// A statement with explicit `$n` placeholders and their values.
    public init(_ sql: String, parameters: [any PostgresEncodable]) {
        self.sql = sql
        self.parameters = parameters.map { $0.postgresText }
    }

    init(_ sql: String, rawParameters: [String?]) {
        self.sql = sql
        self.parameters = rawParameters
    }

    /// This statement inside a larger one: `before` and `after` are trusted SQL text around it,
    /// and its parameters keep their numbers (`SELECT … FROM (\(query)) AS t`).
    public func wrapped(unsafeSQL before: String, _ after: String) -> SQLQuery {
        SQLQuery(before + sql + after, rawParameters: parameters)
    }

    /// This statement, prepared the first time a connection runs it and reused after: planned
    /// once rather than each time (PostgreSQL may keep a plan for any parameters once it has
    /// seen that one does as well as theirs). For the statements a server runs for every
    /// request; the text must not vary with values (they are parameters anyway).
    public func prepared() -> SQLQuery {
        var query = self
        query.isPrepared = true
        return query
    }

    /// The SQL text only: parameter values are never shown.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var parameters: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            parameters.append(value.postgresText)
            sql += "$\(parameters.count)"
        }

        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            parameters.append(value?.postgresText)
            sql += "$\(parameters.count)"
        }

        /// Splices SQL text in as it is. Only for trusted, fixed fragments.
        public mutating func appendInterpolation(unsafeSQL fragment: String) { sql += fragment }

        /// Splices another query in (a condition shared by several statements), its `$n`
        /// placeholders renumbered to follow the parameters before it.
        public mutating func appendInterpolation(_ fragment: SQLQuery) {
            sql += SQLQuery.renumbered(fragment.sql, after: parameters.count)
            parameters += fragment.parameters
        }
    }

    /// `sql` with every placeholder `$n` outside quoted text and identifiers made `$(n + offset)`.
    /// Read byte by byte: every character that matters here is ASCII, and no byte of a longer
    /// UTF-8 sequence is (a server builds statements this way for every request).
    static func renumbered(_ sql: String, after offset: Int) -> String {
        guard offset > 0 else { return sql }
        let bytes = Array(sql.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 16)
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        var quote: UInt8?
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if let open = quote {
                if byte == open { quote = nil }
                result.append(byte)
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
                result.append(byte)
            } else if byte == UInt8(ascii: "$"), index < bytes.count, isDigit(bytes[index]) {
                var number = 0
                while index < bytes.count, isDigit(bytes[index]) {
                    number = number &* 10 &+ Int(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                }
                result.append(byte)
                result.append(contentsOf: String(number + offset).utf8)
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
