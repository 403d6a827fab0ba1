import ArgumentParser
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
        if error is ValidationError {
            self = .badInput
            return
        }
        switch HeadwayError.kind(of: error) {
        case .input: self = .badInput
        case .database: self = .databaseUnavailable
        case .other, nil: self = .other
        }
    }
}
