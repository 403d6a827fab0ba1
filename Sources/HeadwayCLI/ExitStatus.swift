import ArgumentParser
import HeadwayIngest
import HeadwayPostgres
import HeadwayStore

/// The exit statuses scripts can act on, one per kind of outcome (README, "Exit status").
enum ExitStatus: Int32 {
    case ok = 0
    /// An internal or otherwise unexpected error.
    case other = 1
    /// Bad input: a usage error, an invalid file, an unknown name.
    case badInput = 2
    /// The database could not be reached or started, refused the login, or went away.
    case databaseUnavailable = 3
    /// `load --skip-invalid` loaded the good rows and rejected some.
    case loadedWithRejects = 4

    /// The status for a failure.
    init(for error: any Error) {
        switch error {
        case is InputError, is ObservationLoader.InvalidInput, is ValidationError: self = .badInput
        case let error as HeadwayError:
            switch error.kind {
            case .input: self = .badInput
            case .database: self = .databaseUnavailable
            case .other: self = .other
            }
        case let error as PostgresError: self = Self.isUnavailable(error) ? .databaseUnavailable : .other
        default: self = .other
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
}
