/// A failure with a message a user can act on, printed as one line by the CLI.
public struct HeadwayError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
