import HeadwayModel

/// A definition together with where it was written, so later checks can name the file and line.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var file: String
    public var line: Int
    /// The line of each field as written (for errors about one field).
    public var fieldLines: [String: Int]

    public func line(of field: String) -> Int { fieldLines[field] ?? line }

    /// An error about this definition, or about one of its fields.
    public func error(_ message: String, field: String? = nil) -> InputError {
        var error = InputError(file: file, line: field.map(line(of:)) ?? line, column: field, message: message)
        error.label = "field"
        return error
    }
}

/// The sources, metrics and commitments of one or more definition files.
public struct Definitions: Sendable {
    public var sources: [Located<Source>] = []
    public var metrics: [Located<Metric>] = []
    public var commitments: [Located<Commitment>] = []

    public init() {}

    public var isEmpty: Bool { sources.isEmpty && metrics.isEmpty && commitments.isEmpty }

    /// Adds another file's definitions; a key defined twice is an error naming both places.
    public mutating func merge(_ other: Definitions) throws {
        sources = try Self.merged(sources, other.sources, \.key, "source")
        metrics = try Self.merged(metrics, other.metrics, \.key, "metric")
        commitments = try Self.merged(commitments, other.commitments, \.key, "commitment")
    }

    static func merged<T>(_ existing: [Located<T>], _ added: [Located<T>], _ key: KeyPath<T, String>, _ noun: String) throws -> [Located<T>] {
        var seen: [String: Located<T>] = [:]
        for item in existing { seen[item.value[keyPath: key]] = item }
        var result = existing
        for item in added {
            let name = item.value[keyPath: key]
            if let first = seen[name] {
                throw item.error("\(noun) \(String(reflecting: name)) is defined twice (first at \(first.file):\(first.line))", field: "key")
            }
            seen[name] = item
            result.append(item)
        }
        return result
    }
}
