import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird
import HummingbirdCore

/// The query parameters of the read API, checked: anything wrong is a 400 that names it.
enum Queries {
    static let maximumLimit = 1000
    static let defaultLimit = 100
    /// The statuses a filter may name: every assessment status, and commitments not assessed yet.
    static let statuses = Assessment.Status.allCases.map(\.rawValue) + ["unassessed"]

    /// `GET /api/v1/commitments`: status (repeatable), tag, metric, q, stale, sort, limit, cursor
    /// (and format, read by `format(_:)`).
    static func listFilter(_ uri: URI) throws -> StatusReader.Filter {
        let parameters = try checked(uri, allowed: ["status", "tag", "metric", "q", "stale", "sort", "limit", "cursor", "format"])
        var filter = try commonFilter(parameters, emptyIsNone: false)
        filter.sort = try sort(parameters)
        filter.after = try single("cursor", parameters).map { try ListCursor.position(decoding: $0, sort: filter.sort) }
        filter.limit = try whole("limit", try single("limit", parameters), 1...maximumLimit) ?? defaultLimit
        return filter
    }

    /// The filter the JSON list and the dashboard's overview share: status (repeatable), tag,
    /// metric, q and stale. With `emptyIsNone` an empty value (a form's "any") means none;
    /// without, it is refused.
    static func commonFilter(_ parameters: Parameters, emptyIsNone: Bool) throws -> StatusReader.Filter {
        var filter = StatusReader.Filter()
        filter.statuses = parameters.getAll("status").filter { !emptyIsNone || !$0.isEmpty }
        if let unknown = filter.statuses.first(where: { !statuses.contains($0) }) {
            throw Problem.badRequest("status \(String(reflecting: unknown)) is not one of \(statuses.joined(separator: ", "))")
        }
        filter.tag = try single("tag", parameters, emptyIsNone: emptyIsNone)
        filter.metric = try single("metric", parameters, emptyIsNone: emptyIsNone)
        filter.search = try single("q", parameters, emptyIsNone: emptyIsNone)
        if let stale = try single("stale", parameters, emptyIsNone: emptyIsNone) {
            guard let value = Bool(stale) else { throw Problem.badRequest("stale must be true or false, not \(String(reflecting: stale))") }
            filter.stale = value
        }
        return filter
    }

    /// A whole number within `range`, when given.
    static func whole(_ name: String, _ text: String?, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(String(reflecting: text))")
        }
        return value
    }

    /// `GET /api/v1/commitments/{key}`: as_of, a date (2024-06-30) or a period (2024-06, 2024)
    /// meaning its last day, as `headway report --as-of` takes it.
    static func asOf(_ uri: URI) throws -> CivilDate? {
        let parameters = try checked(uri, allowed: ["as_of"])
        guard let text = try single("as_of", parameters) else { return nil }
        do {
            return try DatePeriod(parsing: text).last
        } catch {
            throw Problem.badRequest("as_of: \(error)")
        }
    }

    /// The parameters, refusing names the endpoint does not know (a misspelt filter would
    /// otherwise silently list everything).
    static func checked(_ uri: URI, allowed: Set<String>) throws -> Parameters {
        let parameters = uri.queryParameters
        if let unknown = parameters.map({ String($0.key) }).first(where: { !allowed.contains($0) }) {
            throw Problem.badRequest("unknown query parameter \(String(reflecting: unknown)); this endpoint takes \(allowed.sorted().joined(separator: ", "))")
        }
        return parameters
    }

    /// A parameter given at most once, and not empty (or, with `emptyIsNone`, empty meaning none).
    static func single(_ name: String, _ parameters: Parameters, emptyIsNone: Bool = false) throws -> String? {
        let values = parameters.getAll(name).filter { !emptyIsNone || !$0.isEmpty }
        guard let value = values.first else { return nil }
        guard values.count == 1 else { throw Problem.badRequest("\(name) may be given only once") }
        guard !value.isEmpty else { throw Problem.badRequest("\(name) must not be empty") }
        return value
    }
}
