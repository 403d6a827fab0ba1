/// An error from PostgreSQL or from talking to it.
///
/// Server errors carry the SQLSTATE and the fields PostgreSQL reports
/// (see https://www.postgresql.org/docs/current/protocol-error-fields.html).
/// `description` never shows bound parameter values or passwords, since they may be
/// personal data or secrets; `debugDescription` adds the SQL text.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made (refused, timed out, authentication failed).
        case connection
        /// The server rejected a statement.
        case server
        /// The connection broke, or libpq reported a client-side failure.
        case client
        /// A value could not be decoded into the requested Swift type.
        case decoding
    }

    public var kind: Kind
    /// The five-character SQLSTATE code, such as `23505`.
    public var sqlState: SQLState?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var table: String?
    public var column: String?
    public var constraint: String?
    /// The statement that failed (never its parameter values).
    public var sql: String?

    public init(
        kind: Kind, message: String, sqlState: SQLState? = nil, detail: String? = nil, hint: String? = nil,
        table: String? = nil, column: String? = nil, constraint: String? = nil, sql: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.table = table
        self.column = column
        self.constraint = constraint
        self.sql = sql
    }

    /// "cached plan must not change result type": a prepared statement's tables changed shape
    /// since it was prepared (SQLSTATE 0A000 alone is any unsupported feature).
    var isChangedPlan: Bool { sqlState?.code == "0A000" && message.contains("cached plan must not change result type") }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState.code))" }
        if let detail { text += ". \(detail)" }
        if let hint { text += " Hint: \(hint)" }
        return DatabaseURL.redactingSecrets(in: text)
    }

    public var debugDescription: String {
        var text = description
        if let constraint { text += " [constraint \(constraint)]" }
        if let sql { text += "\nSQL: \(sql)" }
        return text
    }
}

/// A SQLSTATE code (https://www.postgresql.org/docs/current/errcodes-appendix.html).
///
/// Match errors with `catch let error as PostgresError where error.sqlState == .uniqueViolation`,
/// or with the `~=` pattern: `catch SQLState.uniqueViolation`.
public struct SQLState: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public init(_ code: String) { self.code = code }
    public var description: String { code }

    /// Whether the code belongs to a class (`"23"` for integrity constraint violations).
    public func isInClass(_ twoCharacterClass: String) -> Bool { code.hasPrefix(twoCharacterClass) }

    public static let uniqueViolation = SQLState("23505")
    public static let foreignKeyViolation = SQLState("23503")
    public static let notNullViolation = SQLState("23502")
    public static let checkViolation = SQLState("23514")
    public static let exclusionViolation = SQLState("23P01")
    public static let raiseException = SQLState("P0001")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let syntaxError = SQLState("42601")
    public static let undefinedTable = SQLState("42P01")
    public static let insufficientPrivilege = SQLState("42501")
    public static let invalidPassword = SQLState("28P01")
    public static let invalidTextRepresentation = SQLState("22P02")
    public static let readOnlySQLTransaction = SQLState("25006")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let connectionFailure = SQLState("08006")

    /// Whether retrying the whole transaction may succeed (PostgreSQL asks for it).
    public var isTransient: Bool { self == .serializationFailure || self == .deadlockDetected }
}

public func ~= (pattern: SQLState, error: any Error) -> Bool {
    (error as? PostgresError)?.sqlState == pattern
}
