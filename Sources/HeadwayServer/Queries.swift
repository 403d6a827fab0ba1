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
        var filter = StatusReader.Filter()
        filter.statuses = parameters.getAll("status")
        if let unknown = filter.statuses.first(where: { !statuses.contains($0) }) {
            throw Problem.badRequest("status \(String(reflecting: unknown)) is not one of \(statuses.joined(separator: ", "))")
        }
        filter.tag = try single("tag", parameters)
        filter.metric = try single("metric", parameters)
        filter.search = try single("q", parameters)
        filter.sort = try sort(parameters)
        filter.after = try single("cursor", parameters).map { try ListCursor.position(decoding: $0, sort: filter.sort) }
        if let stale = try single("stale", parameters) {
            guard let value = Bool(stale) else { throw Problem.badRequest("stale must be true or false, not \(String(reflecting: stale))") }
            filter.stale = value
        }
        if let limit = try single("limit", parameters) {
            guard let value = Int(limit), (1...maximumLimit).contains(value) else {
                throw Problem.badRequest("limit must be a whole number from 1 to \(maximumLimit), not \(String(reflecting: limit))")
            }
            filter.limit = value
        } else {
            filter.limit = defaultLimit
        }
        return filter
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

    /// A parameter given at most once and not empty.
    static func single(_ name: String, _ parameters: Parameters) throws -> String? {
        let values = parameters.getAll(name)
        guard let value = values.first else { return nil }
        guard values.count == 1 else { throw Problem.badRequest("\(name) may be given only once") }
        guard !value.isEmpty else { throw Problem.badRequest("\(name) must not be empty") }
        return value
    }
}
