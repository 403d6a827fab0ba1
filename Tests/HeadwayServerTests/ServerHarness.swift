import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
import HeadwayServer
import HeadwayStore
import Logging
import ServiceLifecycle
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `HeadwayServer` running in this process on a free port, asked over real HTTP.
final class RunningServer: Sendable {
    let port: Int
    let log: LogCapture
    private let group: ServiceGroup
    private let serving: Task<Void, any Error>

    init(url: String, poolSize: Int = 4, limits: ServerLimits = ServerLimits(), configure: (inout HeadwayServer) -> Void = { _ in }) async throws {
        let log = LogCapture()
        let logger = Logger(label: "headway.test") { _ in DeferredMetadataLogHandler(LogCapture.Handler(capture: log)) }
        var server = HeadwayServer(
            host: "127.0.0.1", port: 0, databaseURL: url,
            migrations: try Migrator(directory: ResourceLocator.sourceRoot.appendingPathComponent("sql")).migrations, logger: logger)
        server.poolSize = poolSize
        server.limits = limits
        configure(&server)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        server.onListening = { continuation.yield($0) }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: logger))
        serving = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HeadwayError("the server never listened") }
        self.port = port
        self.log = log
        self.group = group
    }

    /// Stops the server the way SIGTERM does, and waits until it has.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await serving.value
    }

    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: Data

        var json: Any { (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) ?? NSNull() }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var contentType: String? { headers["content-type"] }
    }

    /// GET `pathAndQuery` (already percent-encoded where needed).
    func get(_ pathAndQuery: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) async throws -> Answer {
        try await Self.get(port: port, pathAndQuery, method: method, headers: headers, body: body)
    }

    /// POST `body` with its Content-Type and, when given, a bearer token.
    func post(_ path: String, _ body: String, contentType: String = "text/csv", token: String? = nil) async throws -> Answer {
        var headers = ["Content-Type": contentType]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await get(path, method: "POST", headers: headers, body: Data(body.utf8))
    }

    static func get(port: Int, _ pathAndQuery: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) async throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(pathAndQuery)")!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let answer: Data, response: URLResponse
        if let body {
            (answer, response) = try await Self.session.upload(for: request, from: body)
        } else {
            (answer, response) = try await Self.session.data(for: request)
        }
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return Answer(status: http.statusCode, headers: fields, body: answer)
    }

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 64  // tests hold many requests open at once
        return URLSession(configuration: configuration)
    }()
}

/// A log handler that keeps every line, for tests that read the access log.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var text: [String] { lock.withLock { lines } }

    /// A value, as swift-log expects: each copy of a Logger has its own metadata (the server
    /// adds a request's to its copy on many threads at once); only the lines are shared.
    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.lock.withLock { capture.lines.append("\(event.level) \(event.message) \(fields)") }
        }
    }
}

/// A small portfolio: two metrics, four commitments (one with a key that needs escaping in a
/// URL, one made late), figures for both metrics, and stored assessments for some.
enum Portfolio {
    static let awkwardKey = "Drugs strategy: 2,000/yr closures"

    static let definitions = """
        sources:
          - key: answer
            title: Written answer
            published_on: 2024-04-05
        metrics:
          - key: closures
            name: County lines closed
            unit: lines
            kind: additive
          - key: officers
            name: Officers in post
            unit: officers
            kind: level
        commitments:
          - key: closures-100
            title: Close 100 lines in 2024
            metric: closures
            baseline: { date: 2024-01 }
            target: { value: 100 }
            deadline: 2024-12
            tags: [crime, lines]
          - key: "\(awkwardKey)"
            title: Close 2,000 County Lines a year
            metric: closures
            baseline: { date: 2024-01 }
            target: { value: 2000 }
            deadline: 2025-04
            tags: [crime]
          - key: officers-1500
            title: 1,500 officers in post by 2026
            metric: officers
            baseline: { date: 2024-01, value: 1000 }
            target: { value: 1500 }
            deadline: 2026-12
            made_on: 2024-06
            tags: [policing]
          - key: zz-unassessed
            title: Never assessed yet
            metric: officers
            baseline: { date: 2024-01, value: 1000 }
            target: { value: 1200 }
            deadline: 2027-12
        """

    static let figures = """
        metric,period_start,period_end,value,qualifier,source,published_on,note
        closures,2024-01,2024-03,20,,answer,2024-04-05,first quarter
        closures,2024-04,2024-06,30,,answer,2024-07-10,second quarter
        closures,2024-07,2024-09,25,,answer,2024-10-10,third quarter
        officers,,2024-03-31,1100,,answer,2024-04-05,
        officers,,2024-06-30,1180,,answer,2024-07-10,

        """

    /// A migrated database holding the portfolio; all but `zz-unassessed` assessed as of today, the
    /// assessments the views show (an assessment as of another day is history only).
    static func create() throws -> String {
        let url = try TestDatabase.create()
        try fill(url)
        return url
    }

    /// Migrates a bare database (a scratch cluster's, which tests stop and start) and fills it.
    static func migrateAndFill(_ url: String) throws {
        try Migrator(directory: ResourceLocator.sourceRoot.appendingPathComponent("sql")).migrate(try PostgresConnection(url: url))
        try fill(url)
    }

    static func fill(_ url: String) throws {
        let connection = try PostgresConnection(url: url)
        _ = try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: definitions, fileName: "portfolio.yaml"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("portfolio-\(UUID().uuidString).csv")
        try Data(figures.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try ObservationLoader(connection: connection).load([file.path])
        try AssessmentStore(connection: connection).assessAndStore(keys: ["closures-100", awkwardKey, "officers-1500"])
    }
}

/// A key as one path segment: everything but unreserved characters percent-encoded.
func pathSegment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"))!
}

