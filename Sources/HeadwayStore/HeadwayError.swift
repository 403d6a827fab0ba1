/// A failure with a message a user can act on, printed as one line by the CLI.
public struct HeadwayError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What failed, for the exit status scripts act on (README, "Exit status").
    public enum Kind: Sendable, Equatable {
        /// The input was wrong: arguments, files, names.
        case input
        /// The database could not be reached, started or used.
        case database
        case other
    }

    public let message: String
    public let kind: Kind
    public init(_ message: String, kind: Kind = .other) {
        self.message = message
        self.kind = kind
    }
    public var description: String { message }
}
