import Logging

/// A log handler that keeps its logger's metadata as it is set and hands it to `Wrapped` only with
/// a line actually logged. swift-log's `StreamLogHandler` formats its metadata anew on every
/// change, and every request changes it twice (Hummingbird's request id and ours): a tenth of a
/// 304's work, even when the access log is off.
public struct DeferredMetadataLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped
    public var metadata: Logger.Metadata = [:]

    public init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The line, with this logger's metadata under the line's own (which wins where both have a key).
    public func log(event: LogEvent) {
        var event = event
        event.metadata = metadata.merging(event.metadata ?? [:]) { _, lines in lines }
        wrapped.log(event: event)
    }
}
