import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayReport
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Ends a transaction holding a lock when `now()` is called, or after 60 s on its own thread;
/// the connection is used by that thread alone from then on.
final class LockRelease: @unchecked Sendable {
    private let requested = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var released: Bool?
    private let connection: PostgresConnection

    init(_ connection: PostgresConnection) {
        self.connection = connection
        Thread.detachNewThread { [self] in
            let onRequest = requested.wait(timeout: .now() + 60) == .success
            lock.withLock { released = onRequest }
            try? self.connection.executeScript("COMMIT")
        }
    }

    func now() { requested.signal() }

    /// Whether `now()` came before the 60 s ran out (false until the lock is released).
    var byTest: Bool { lock.withLock { released ?? false } }
}

/// Errors, health, the database going away and coming back, the pool's bound, the access log,
/// the OpenAPI document and shutdown.
@Suite struct ServerOperationsTests {
    static func expectProblem(_ answer: RunningServer.Answer, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == status, sourceLocation: sourceLocation)
        #expect(answer.contentType == "application/problem+json", sourceLocation: sourceLocation)
        #expect(answer.object["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect(answer.object["type"] as? String == "about:blank", sourceLocation: sourceLocation)
        #expect((answer.object["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect((answer.object["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test func badRequestsAndUnknownThingsAreProblems() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        // ("/" is the dashboard's overview: DashboardTests.)
        for path in ["/api/v1/commitments/no-such-key", "/api/v1/nothing", "/nothing", "/api/v1/commitments/closures-100/extra"] {
            Self.expectProblem(try await server.get(path), 404)
        }
        let unknown = try await server.get("/api/v1/commitments/no-such-key")
        #expect(unknown.object["detail"] as? String == #"no commitment with key "no-such-key""#)
        for query in [
            "limit=0", "limit=1001", "limit=ten", "limit=1&limit=2", "status=winning", "stale=maybe", "tag=",
            "sort=nothing", "sort=-", "cursor=", "cursor=abc",
        ] {
            Self.expectProblem(try await server.get("/api/v1/commitments?\(query)"), 400)
        }
        for query in ["as_of=yesterday", "as_of=2024-13-01", "when=2024", "as_of=2024&as_of=2025"] {
            Self.expectProblem(try await server.get("/api/v1/commitments/closures-100?\(query)"), 400)
        }
        Self.expectProblem(try await server.get("/api/v1/summary?tag=crime"), 400)
        let limit = try await server.get("/api/v1/commitments?limit=1001")
        #expect((limit.object["detail"] as? String)?.contains("limit") == true)
        #expect(limit.headers["retry-after"] == nil)
        #expect(try await server.get("/api/v1/commitments?limit=1000").status == 200)
        // Only GET and HEAD are served; other methods on a resource that exists are 405.
        for (method, path) in [("POST", "/api/v1/commitments"), ("DELETE", "/api/v1/commitments/closures-100"), ("PUT", "/healthz")] {
            let refused = try await server.get(path, method: method)
            Self.expectProblem(refused, 405)
            #expect(refused.headers["allow"] == "GET, HEAD")
        }
        Self.expectProblem(try await server.get("/api/v1/nothing", method: "POST"), 404)
        let head = try await server.get("/api/v1/summary", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.contentType == "application/json")
        // 29 February only in leap years: the pattern cannot say so, the server does.
        #expect(try await server.get("/api/v1/commitments/closures-100?as_of=2024-02-29").status == 200)
        Self.expectProblem(try await server.get("/api/v1/commitments/closures-100?as_of=2023-02-29"), 400)
        try await server.stop()
    }

    @Test func readinessNeedsTheDatabaseMigrated() async throws {
        let migrated = try await RunningServer(url: try TestDatabase.create())
        #expect(try await migrated.get("/healthz").object["status"] as? String == "ok")
        let ready = try await migrated.get("/readyz")
        #expect(ready.status == 200)
        #expect(ready.object["status"] as? String == "ready")
        try await migrated.stop()

        let bare = try await RunningServer(url: try TestDatabase.create(migrated: false))
        #expect(try await bare.get("/healthz").status == 200)
        let notReady = try await bare.get("/readyz")
        Self.expectProblem(notReady, 503)
        #expect((notReady.object["detail"] as? String)?.contains("1 (measurement_model)") == true)
        #expect(notReady.headers["retry-after"] == "5")
        try await bare.stop()
    }

    @Test func aDatabaseThatGoesAwayGives503sAndTheServerRecoversWhenItReturns() async throws {
        let home = try ScratchHome()
        defer { home.remove() }
        let cluster = home.cluster
        try cluster.start()
        try Portfolio.migrateAndFill(cluster.url)
        let server = try await RunningServer(url: cluster.url, poolSize: 2)
        #expect(try await server.get("/api/v1/commitments").status == 200)
        #expect(try await server.get("/readyz").status == 200)

        try cluster.stop()
        for path in ["/api/v1/commitments?status=achieved", "/api/v1/commitments/closures-100", "/api/v1/summary", "/readyz"] {
            let answer = try await server.get(path)
            Self.expectProblem(answer, 503)
            #expect(answer.headers["retry-after"] == "5")
            #expect((answer.object["detail"] as? String)?.contains("database") == true)
        }
        #expect(try await server.get("/healthz").status == 200)  // the server itself is fine
        // An answer kept for the state the server knows needs no database (docs/API.md, "Caching").
        #expect(try await server.get("/api/v1/commitments").status == 200)

        try cluster.start()
        // The pool's connections broke with the server; the first requests replace them.
        for path in ["/api/v1/commitments", "/api/v1/commitments/closures-100", "/api/v1/summary", "/readyz"] {
            #expect(try await server.get(path).status == 200, "\(path)")
        }
        // Restarted while nobody asked: the idle connections are broken, and no request may fail for it.
        try cluster.stop()
        try cluster.start()
        for path in ["/api/v1/commitments", "/api/v1/commitments/closures-100", "/api/v1/summary", "/readyz"] {
            #expect(try await server.get(path).status == 200, "after a quiet restart: \(path)")
        }
        try await server.stop()
        #expect(!server.log.text.contains { $0.contains("password") })
    }

    @Test func concurrentRequestsShareABoundedPool() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url, poolSize: 2)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await server.get(index % 2 == 0 ? "/api/v1/commitments/closures-100" : "/api/v1/commitments?tag=crime").status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 40))
        let connections = try PostgresConnection(url: url).query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'headway serve' AND datname = current_database()"
        )[0].decode(Int.self, at: 0)
        #expect((1...2).contains(connections))
        try await server.stop()
    }

    @Test func aDatabaseThatHangsHoldsUpNoOtherRequest() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url, poolSize: 2)
        // Reads of commitment_status wait for this lock: more waiting requests than the machine
        // has cores or the pool has connections. The test releases it once the other requests are
        // answered; a thread of its own releases it after 60 s anyway, so a server that blocked
        // its threads makes the test fail rather than hang.
        let locker = try PostgresConnection(url: url)
        try locker.executeScript("BEGIN; LOCK TABLE headway.commitment_state IN ACCESS EXCLUSIVE MODE")
        let release = LockRelease(locker)
        let waiting = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await server.get("/api/v1/commitments").status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let observer = try PostgresConnection(url: url)
        for _ in 0..<600 {
            let blocked = try observer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'headway serve' AND wait_event_type = 'Lock'"
            )[0].decode(Int.self, at: 0)
            if blocked == 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        for _ in 0..<20 { #expect(try await server.get("/healthz").status == 200) }
        #expect(try await server.get("/api/v1/openapi.json").status == 200)
        release.now()
        #expect(try await waiting.value == Array(repeating: 200, count: 6))
        #expect(release.byTest, "the other requests were answered only once the lock was released")
        try await server.stop()
    }

    @Test func everyRequestIsLoggedWithoutItsQueryOrHeaders() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        _ = try await server.get("/api/v1/commitments?q=secret-search", headers: ["Authorization": "Bearer hunter2-token"])
        _ = try await server.get("/api/v1/commitments/no-such-key")
        try await server.stop()
        let lines = server.log.text.filter { $0.contains("duration_ms=") }
        #expect(lines.count == 2)
        #expect(lines.first?.contains("GET /api/v1/commitments 200") == true)
        #expect(lines.last?.contains("GET /api/v1/commitments/no-such-key 404") == true)
        #expect(lines.allSatisfy { $0.contains("method=GET") && $0.contains("status=") && $0.contains("path=/api/v1/") })
        #expect(!server.log.text.contains { $0.contains("hunter2") || $0.contains("secret-search") })
    }

    @Test func theOpenAPIDocumentDescribesWhatIsServed() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url)
        let answer = try await server.get("/api/v1/openapi.json")
        let one = try await server.get("/api/v1/commitments/closures-100")
        let metricList = try await server.get("/api/v1/metrics")
        try await server.stop()
        #expect(answer.status == 200)
        let document = answer.object
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = document["paths"] as? [String: Any] ?? [:]
        #expect(paths.keys.sorted() == [
            "/api/v1/commitments", "/api/v1/commitments/{key}", "/api/v1/commitments/{key}/history", "/api/v1/definitions",
            "/api/v1/events", "/api/v1/metrics", "/api/v1/metrics/{key}/observations", "/api/v1/observations",
            "/api/v1/openapi.json", "/api/v1/summary", "/api/v1/webhooks", "/api/v1/webhooks/{id}", "/api/v1/webhooks/{id}/deliveries",
            "/api/v1/webhooks/{id}/rotate-secret", "/badges/{key}.svg", "/commitments/{key}/chart.svg", "/embed/commitments/{key}",
            "/feeds/status.atom", "/healthz", "/metrics", "/readyz",
        ])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]] ?? [:]
        // Every column of the view, in the list's rows; every field of the report's object.
        let columns = try PostgresConnection(url: url).query(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'headway.commitment_status'::regclass AND attnum > 0 ORDER BY attnum"
        ).map { try $0.decode(String.self, at: 0) }
        let row = schemas["CommitmentStatus"] ?? [:]
        #expect(Set((row["properties"] as? [String: Any] ?? [:]).keys) == Set(columns))
        #expect(row["required"] as? [String] == columns)
        let assessment = schemas["Assessment"] ?? [:]
        #expect(Set((assessment["properties"] as? [String: Any] ?? [:]).keys) == Set(one.object.keys))
        #expect(Set(assessment["required"] as? [String] ?? []) == Set(one.object.keys))
        // Each point of the series, and the figures they name.
        let point = (((assessment["properties"] as? [String: Any])?["series"] as? [String: Any])?["items"] as? [String: Any]) ?? [:]
        let pointKeys = Set((one.object["series"] as? [[String: Any]] ?? []).flatMap { $0.keys })
        #expect(Set(point["required"] as? [String] ?? []) == pointKeys)
        let figure = (one.object["figures"] as? [[String: Any]])?.first ?? [:]
        #expect(!figure.isEmpty)
        #expect(Set(schemas["PointFigure"]?["required"] as? [String] ?? []) == Set(figure.keys))
        // The table answers: their rows' fields are the views' columns (the metrics', the answer's).
        func itemFields(_ schema: String, _ field: String) -> [String] {
            let items = ((schemas[schema]?["properties"] as? [String: Any])?[field] as? [String: Any])?["items"] as? [String: Any]
            return items?["required"] as? [String] ?? []
        }
        let connection = try PostgresConnection(url: url)
        func viewColumns(_ view: String) throws -> [String] {
            try connection.columnNames("SELECT * FROM headway.\(unsafeSQL: view) LIMIT 0")
        }
        #expect(itemFields("History", "history") == (try viewColumns("status_history")))
        #expect(itemFields("ObservationList", "observations") == (try viewColumns("observation_current")))
        let metric = (metricList.object["metrics"] as? [[String: Any]])?.first ?? [:]
        #expect(Set(itemFields("MetricList", "metrics")) == Set(metric.keys))
        #expect(schemas["Status"]?["enum"] as? [String] == Assessment.Status.allCases.map(\.rawValue))
        #expect(schemas["StatusFilter"]?["enum"] as? [String] == Assessment.Status.allCases.map(\.rawValue) + ["unassessed"])
        // Every reference resolves.
        let text = String(data: answer.body, encoding: .utf8) ?? ""
        let references = text.components(separatedBy: "\"$ref\": \"#/components/").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(!references.isEmpty)
        for reference in references {
            let parts = reference.split(separator: "/").map(String.init)
            let section = (document["components"] as? [String: Any])?[parts[0]] as? [String: Any] ?? [:]
            #expect(parts.count == 2 && section[parts[1]] != nil, "\(reference)")
        }
    }

    @Test func sigtermStopsTheServeCommandCleanly() async throws {
        let url = try Portfolio.create()
        let socket = try LoopbackSocket()
        socket.close()  // the port is free again, for the server to take
        let port = socket.port
        let process = try HeadwayBinary.start(["serve", "--port", String(port)], url: url)
        var health = 0
        for _ in 0..<600 where health != 200 {  // up to 30 s: the suite loads the machine
            health = (try? await RunningServer.get(port: port, "/healthz").status) ?? 0
            if health != 200 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(health == 200)
        #expect(try await RunningServer.get(port: port, "/api/v1/commitments/closures-100").status == 200)
        process.send(SIGTERM)
        let outcome = try process.wait()
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.contains("listening on http://127.0.0.1:\(port)"))
        #expect(outcome.errors.contains("GET /api/v1/commitments/closures-100 200"))
        #expect(!outcome.errors.contains(url))
    }

    @Test func serveRefusesAnAddressOtherMachinesReachWithoutPublicRead() throws {
        let outcome = try HeadwayBinary.run(["serve", "--host", "0.0.0.0", "--port", "0"], url: "postgresql:///unused")
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("--public-read"))
    }
}
