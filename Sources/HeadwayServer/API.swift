import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird

/// The routes of the read API. Thin: parameters are checked in `Queries`, the SQL lives in
/// HeadwayStore, and every statement runs through the pool, off the event loops.
struct API: Sendable {
    let pool: DatabasePool
    let migrations: [Migration]

    func addRoutes(to router: Router<BasicRequestContext>) {
        read(router, "healthz") { _, _ in jsonResponse(#"{"status":"ok"}"#) }
        read(router, "readyz") { _, _ in try await ready() }
        let v1 = router.group("api/v1")
        read(v1, "commitments") { request, _ in try await commitments(Queries.listFilter(request.uri)) }
        read(v1, "commitments/:key") { request, context in
            let key = try context.parameters.require("key")
            return try await commitment(key.removingPercentEncoding ?? key, asOf: Queries.asOf(request.uri))
        }
        read(v1, "summary") { request, _ in
            _ = try Queries.checked(request.uri, allowed: [])
            return try await summary()
        }
        read(v1, "openapi.json") { _, _ in jsonResponse(OpenAPIDocument.text) }
    }

    /// The methods a client may try on a resource beside GET and HEAD (QUERY: the draft safe method with a body).
    static let otherMethods: [HTTPRequest.Method] = [.post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!]

    /// A read-only resource: GET (and HEAD, which the router derives from it); any other
    /// method is 405 with Allow, rather than the 404 of a path that does not exist.
    private func read(
        _ routes: some RouterMethods<BasicRequestContext>, _ path: RouterPath,
        _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
    ) {
        routes.get(path, use: handler)
        for method in Self.otherMethods {
            routes.on(path, method: method) { _, _ -> Response in throw Problem.methodNotAllowed(method, allowed: "GET, HEAD") }
        }
    }

    /// Ready when the database answers and every migration this build knows is applied.
    func ready() async throws -> Response {
        let migrations = migrations
        let pending = try await pool.withWorkspace { try $0.pendingMigrations(migrations).map { "\($0.version) (\($0.name))" } }
        guard pending.isEmpty else { throw Problem.unavailable("migrations not applied yet: \(pending.joined(separator: ", "))") }
        return jsonResponse(#"{"status":"ready"}"#)
    }

    func commitments(_ filter: StatusReader.Filter) async throws -> Response {
        let page = try await pool.withWorkspace { try $0.commitments(filter) }
        let cursor: JSONValue = page.nextCursor.map(JSONValue.string) ?? .null
        return jsonResponse(#"{"commitments":["# + page.rows.joined(separator: ",") + #"],"next_cursor":"# + cursor.compactText + "}")
    }

    private enum Lookup: Sendable {
        case unknown, notYetMade, found(Assessment)
    }

    /// The assessment as the JSON report has it, computed now from the figures; with `asOf`,
    /// from what was published by then. Nothing is stored.
    func commitment(_ key: String, asOf: CivilDate?) async throws -> Response {
        let date = asOf ?? CivilDate.today()
        let lookup = try await pool.withWorkspace { workspace -> Lookup in
            guard try workspace.commitmentExists(key: key) else { return .unknown }
            return try workspace.assess(keys: [key], asOf: date).first.map(Lookup.found) ?? .notYetMade
        }
        switch lookup {
        case .unknown: throw Problem.notFound("no commitment with key \(String(reflecting: key))")
        case .notYetMade: throw Problem.notFound("commitment \(String(reflecting: key)) was made after \(date)")
        case .found(let assessment): return jsonResponse(JSONReport.value(assessment).compactText)
        }
    }

    /// Counts by status, of the whole portfolio and per tag, every status present with 0 for none.
    func summary() async throws -> Response {
        let counts = try await pool.withWorkspace { try $0.statusCounts() }
        func fields(_ rows: [StatusReader.StatusCount]) -> [(String, JSONValue)] {
            let byStatus = Dictionary(rows.map { ($0.status, $0.commitments) }, uniquingKeysWith: +)
            return [
                ("total", .number(String(rows.reduce(0) { $0 + $1.commitments }))),
                ("by_status", .object(Queries.statuses.map { ($0, .number(String(byStatus[$0] ?? 0))) })),
            ]
        }
        var byTag: [String: [StatusReader.StatusCount]] = [:]
        for row in counts { if let tag = row.tag { byTag[tag, default: []].append(row) } }
        let tags = byTag.keys.sorted().map { ($0, JSONValue.object(fields(byTag[$0] ?? []))) }
        return jsonResponse(JSONValue.object(fields(counts.filter { $0.tag == nil }) + [("by_tag", .object(tags))]).compactText)
    }
}
