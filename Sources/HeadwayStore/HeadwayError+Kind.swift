import HeadwayIngest
import HeadwayPostgres

extension HeadwayError {
    /// What kind of failure `error` is, for the errors Headway's layers throw: bad input, the
    /// database unavailable, or something else; nil for an error none of them throws.
    public static func kind(of error: any Error) -> Kind? {
        switch error {
        case let error as HeadwayError: error.kind
        case is InputError, is ObservationLoader.InvalidInput: .input
        case let error as PostgresError: isUnavailable(error) ? .database : .other
        default: nil
        }
    }

    /// Connection failures, a broken connection, refused logins or privileges, and a server
    /// shutting down or out of resources: what an operator fixes, not the input.
    static func isUnavailable(_ error: PostgresError) -> Bool {
        if error.kind == .connection { return true }
        guard let state = error.sqlState else { return false }
        return ["08", "28", "3D", "53", "57"].contains { state.isInClass($0) } || state == .insufficientPrivilege
            || state == .readOnlySQLTransaction
    }

    /// Whether `error` is the database refusing this login a table (a reader's login where a
    /// writer's is needed).
    public static func isInsufficientPrivilege(_ error: any Error) -> Bool {
        (error as? PostgresError)?.sqlState == .insufficientPrivilege
    }

    /// Whether `error` is a failure to reach the database at all (rather than one statement's).
    public static func isConnectionFailure(_ error: any Error) -> Bool {
        (error as? PostgresError)?.kind == .connection
    }

    /// Whether a standby cancelled the statement to go on replaying (SQLSTATE 40001, "conflict
    /// with recovery"): the same read may be asked elsewhere.
    public static func isCancelledForRecovery(_ error: any Error) -> Bool {
        (error as? PostgresError)?.sqlState == .serializationFailure
    }
}
