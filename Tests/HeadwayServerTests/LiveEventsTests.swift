import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayServer
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// GET /api/v1/events: events stored by the database's triggers (sql/006), from any writer,
/// announced live over Server-Sent Events; Last-Event-ID resumes; ETags from the state's version.
@Suite struct LiveEventsTests {
    /// A stream opened and answered (its head and first comment have arrived).
    static func openStream(_ port: Int, _ pathAndQuery: String = "/api/v1/events", headers: [String: String] = [:]) async throws -> RawConnection {
        try await offloaded {
            let connection = try RawConnection(port: port)
            try connection.get(pathAndQuery, headers: headers)
            guard connection.read(timeout: .seconds(30), until: { $0.contains("retry: 2000") }) else {
                throw HeadwayError("the stream did not start: \(connection.text)")
            }
            return connection
        }
    }

    /// Waits up to `timeout` until the stream has delivered events satisfying `done`.
    @discardableResult
    static func waitForEvents(
        _ stream: RawConnection, timeout: Duration = .seconds(30), until done: @escaping @Sendable ([ServerSentEvent]) -> Bool
    ) async throws -> [ServerSentEvent] {
        try await offloaded {
            stream.read(timeout: timeout) { _ in done(stream.events) }
            return stream.events
        }
    }

    /// The stored events after `id`, as the stream should write them.
    static func stored(_ url: String, after id: Int64 = 0) throws -> [ServerSentEvent] {
        try EventLog(connection: try PostgresConnection(url: url)).events(after: id, limit: 1000).map {
            ServerSentEvent(id: $0.id, type: $0.type, data: $0.data)
        }
    }

    /// A present assessment of `key` inserted with plain SQL, as any writer could: the latest
    /// one's result under another status.
    static func insertAssessment(_ url: String, key: String, status: String) throws {
        try PostgresConnection(url: url).execute(
            """
            INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, method_version, status, result)
            SELECT commitment_key, commitment_version, (now() AT TIME ZONE 'UTC')::date, method_version, \(status), result
            FROM headway.assessments WHERE commitment_key = \(key) ORDER BY id DESC LIMIT 1
            """)
    }

    static func load(_ url: String, _ csv: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(csv.utf8).write(to: file)
        _ = try ObservationLoader(connection: try PostgresConnection(url: url)).load([file.path])
    }

    /// `headway serve` and `headway load` as processes of their own, as in use: the suite's
    /// other tests, which block this process's threads at times, cannot delay the server.
    @Test func aLoadByAnotherProcessIsAnnouncedWithinTwoSeconds() async throws {
        let url = try Portfolio.create()
        let socket = try LoopbackSocket()
        socket.close()  // the port is free again, for the server to take
        let port = socket.port
        let serving = try HeadwayBinary.start(["serve", "--port", String(port)], url: url)
        defer { serving.send(SIGTERM) }
        var health = 0
        for _ in 0..<600 where health != 200 {
            health = (try? await RunningServer.get(port: port, "/healthz").status) ?? 0
            if health != 200 { try await Task.sleep(for: .milliseconds(50)) }
        }
        let stream = try await Self.openStream(port)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("metric,period_start,period_end,value,source,published_on\nclosures,2024-10,2024-12,40,answer,2025-01-10\n".utf8).write(to: file)
        let (outcome, loaded, events) = try await offloaded {
            let outcome = try HeadwayBinary.run(["load", file.path], url: url)
            let loaded = ContinuousClock.now
            stream.read(timeout: .seconds(2)) { _ in
                stream.events.contains { $0.type == "observations" } && stream.events.filter { $0.type == "assessment" }.count == 2
            }
            return (outcome, ContinuousClock.now - loaded, stream.events)
        }
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(loaded < .seconds(2))
        #expect(events.first { $0.type == "observations" }?.data == #"{"commitments":[],"metrics":["closures"]}"#)
        // The load re-assesses the commitments on the metric: one event each, of the present.
        let assessed = events.filter { $0.type == "assessment" }
        #expect(Set(assessed.compactMap { $0.object["commitments"] as? [String] }.flatMap { $0 }) == ["closures-100", Portfolio.awkwardKey])
        #expect(assessed.allSatisfy { $0.object["as_of"] as? String == CivilDate.today().description && $0.object["metrics"] as? [String] == ["closures"] })
        // Exactly what the database stored, in id order, each once.
        #expect(events == (try Self.stored(url)).filter { events.map(\.id).contains($0.id) })
        #expect(events.map(\.id) == events.map(\.id).sorted())
        serving.send(SIGTERM)
        #expect(try serving.wait().status == 0)
    }

    @Test func anAssessmentStoredWithSQLIsAnnouncedWithTheChangeOfStatus() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url)
        let stream = try await Self.openStream(server.port)
        let before = try PostgresConnection(url: url).query("SELECT status FROM headway.commitment_status WHERE key = 'closures-100'")[0]
            .decode(String.self, at: 0)
        let other = before == "off_track" ? "at_risk" : "off_track"
        try Self.insertAssessment(url, key: "closures-100", status: other)
        let events = try await Self.waitForEvents(stream) { $0.count >= 2 }
        let today = CivilDate.today().description
        #expect(events.map(\.type) == ["assessment", "status"])
        #expect(events.first?.data == #"{"as_of":"\#(today)","commitments":["closures-100"],"metrics":["closures"],"status":"\#(other)"}"#)
        #expect(events.last?.data == #"{"as_of":"\#(today)","commitments":["closures-100"],"metrics":["closures"],"previous_status":"\#(before)","status":"\#(other)"}"#)
        // The same status again is an assessment, not a change.
        try Self.insertAssessment(url, key: "closures-100", status: other)
        let more = try await Self.waitForEvents(stream) { $0.count >= 3 }
        #expect(more.map(\.type) == ["assessment", "status", "assessment"])
        // A report as of a past date is history: nothing is announced.
        try PostgresConnection(url: url).execute(
            "INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, method_version, status, result) SELECT commitment_key, commitment_version, '2024-06-30', method_version, 'missed', result FROM headway.assessments WHERE commitment_key = 'officers-1500' LIMIT 1")
        #expect(try Self.stored(url, after: more.last?.id ?? 0).isEmpty)
        try await server.stop()
    }

    @Test func lastEventIDReplaysExactlyTheMissedEventsThenLiveOnes() async throws {
        let url = try Portfolio.create()
        let all = try Self.stored(url)
        #expect(all.map(\.type).contains("definitions") && all.map(\.type).contains("observations") && all.map(\.type).contains("status"))
        let server = try await RunningServer(url: url)
        let resumeAfter = all[1].id
        let header = try await Self.openStream(server.port, headers: ["Last-Event-ID": String(resumeAfter)])
        let query = try await Self.openStream(server.port, "/api/v1/events?last_event_id=\(resumeAfter)")
        for stream in [header, query] {
            #expect(try await Self.waitForEvents(stream) { $0.count >= all.count - 2 } == Array(all.dropFirst(2)))
        }
        // Filtered: one commitment's own events and those of its metric; one type.
        let filtered = try await Self.openStream(server.port, "/api/v1/events?commitment=officers-1500&last_event_id=0")
        let statuses = try await Self.openStream(server.port, "/api/v1/events?type=status&type=definitions&last_event_id=0")
        try Self.insertAssessment(url, key: "closures-100", status: "missed")
        try Self.insertAssessment(url, key: "officers-1500", status: "missed")
        let everything = try Self.stored(url)
        let live = try await Self.waitForEvents(header) { $0.count >= everything.count - 2 }
        #expect(live == Array(everything.dropFirst(2)))
        let mine = everything.filter { event in
            let object = event.object
            return (object["commitments"] as? [String] ?? []).contains("officers-1500")
                || (["observations", "definitions"].contains(event.type) && (object["metrics"] as? [String] ?? []).contains("officers"))
        }
        #expect(try await Self.waitForEvents(filtered) { $0.count >= mine.count } == mine)
        #expect(!mine.isEmpty && mine.count < everything.count)
        let kinds = everything.filter { $0.type == "status" || $0.type == "definitions" }
        #expect(try await Self.waitForEvents(statuses) { $0.count >= kinds.count } == kinds)
        try await server.stop()
        // The streams ended with the server.
        #expect(try await offloaded { header.waitForClose(timeout: .seconds(30)) })
    }

    @Test func badEventRequestsAreProblemsAndSubscribersAreBounded() async throws {
        let url = try Portfolio.create()
        var limits = ServerLimits()
        limits.eventSubscribers = 2
        limits.keepaliveInterval = .milliseconds(200)
        let server = try await RunningServer(url: url, limits: limits)
        for query in ["type=everything", "commitment=", "last_event_id=-1", "last_event_id=x", "since=1", "commitment=a&commitment=b"] {
            ServerOperationsTests.expectProblem(try await server.get("/api/v1/events?\(query)"), 400)
        }
        ServerOperationsTests.expectProblem(try await server.get("/api/v1/events", headers: ["Last-Event-ID": "yesterday"]), 400)
        ServerOperationsTests.expectProblem(try await server.get("/api/v1/events?commitment=no-such-key"), 404)
        let refused = try await server.get("/api/v1/events", method: "POST")
        ServerOperationsTests.expectProblem(refused, 405)
        let head = try await server.get("/api/v1/events", method: "HEAD")
        #expect(head.status == 200 && head.contentType == "text/event-stream")

        var first: RawConnection? = try await Self.openStream(server.port)
        let second = try await Self.openStream(server.port)
        let third = try await server.get("/api/v1/events")
        ServerOperationsTests.expectProblem(third, 503)
        #expect(third.headers["retry-after"] == "5")
        // Keepalive comments flow; a client that goes away is noticed by the next one and its place freed.
        #expect(try await offloaded { second.read(timeout: .seconds(30)) { _ in second.comments.contains(": keepalive") } })
        first = nil
        var reopened: RawConnection?
        for _ in 0..<300 where reopened == nil {
            try await Task.sleep(for: .milliseconds(100))
            if try await server.get("/api/v1/events", method: "HEAD").status == 200, (try? await server.get("/readyz"))?.status == 200 {
                reopened = try? await offloaded {
                    let connection = try RawConnection(port: server.port)
                    try connection.get("/api/v1/events")
                    return connection.read(timeout: .seconds(30)) { $0.contains("retry: 2000") } ? connection : nil
                }
            }
        }
        #expect(reopened != nil && first == nil)
        try await server.stop()
    }

    @Test func answersCarryAnETagAndARevalidationIsAnswered304UntilTheStateChanges() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url)
        let list = try await server.get("/api/v1/commitments")
        let tag = try #require(list.headers["etag"])
        #expect(tag.hasPrefix("W/\""))
        #expect(list.headers["cache-control"] == "no-cache")
        let again = try await server.get("/api/v1/commitments", headers: ["If-None-Match": tag])
        #expect(again.status == 304 && again.body.isEmpty && again.headers["etag"] == tag)
        // Another query, another answer, another tag; errors and the server's own state are not tagged.
        let other = try await server.get("/api/v1/commitments?tag=crime")
        #expect(other.headers["etag"] != nil && other.headers["etag"] != tag)
        #expect(try await server.get("/api/v1/commitments?tag=crime", headers: ["If-None-Match": tag]).status == 200)
        #expect(try await server.get("/api/v1/commitments/no-such-key").headers["etag"] == nil)
        #expect(try await server.get("/readyz").headers["etag"] == nil)
        #expect(try await server.get("/healthz").headers["etag"] == nil)
        // The dashboard's pages too; not its assets, which carry a max-age.
        for page in ["/", "/commitments/closures-100", "/metrics/closures"] {
            let html = try await server.get(page)
            let pageTag = try #require(html.headers["etag"])
            #expect(try await server.get(page, headers: ["If-None-Match": pageTag]).status == 304)
        }
        #expect(try await server.get("/assets/dashboard.js").headers["etag"] == nil)

        // A load changes the state: the old tag no longer matches, and the answer is new.
        try Self.load(url, "metric,period_end,value,source,published_on\nofficers,2024-09-30,1250,answer,2024-10-10\n")
        var changed = try await server.get("/api/v1/commitments", headers: ["If-None-Match": tag])
        for _ in 0..<40 where changed.status == 304 {
            try await Task.sleep(for: .milliseconds(50))
            changed = try await server.get("/api/v1/commitments", headers: ["If-None-Match": tag])
        }
        #expect(changed.status == 200)
        #expect(changed.headers["etag"] != nil && changed.headers["etag"] != tag)
        try await server.stop()
    }

    /// A 304, and an answer the server keeps for the state it knows, need no database.
    @Test func a304NeedsNoDatabaseAndTheStreamFollowsADatabaseRestart() async throws {
        let home = try ScratchHome()
        defer { home.remove() }
        let cluster = home.cluster
        try cluster.start()
        try Portfolio.migrateAndFill(cluster.url)
        let server = try await RunningServer(url: cluster.url, poolSize: 2)
        let one = try await server.get("/api/v1/commitments/closures-100")
        let tag = try #require(one.headers["etag"])
        let stream = try await Self.openStream(server.port)

        try cluster.stop()
        let revalidated = try await server.get("/api/v1/commitments/closures-100", headers: ["If-None-Match": tag])
        #expect(revalidated.status == 304)
        let kept = try await server.get("/api/v1/commitments/closures-100", headers: ["If-None-Match": "W/\"1-0\""])
        #expect(kept.status == 200 && kept.body == one.body && kept.headers["etag"] == tag)
        ServerOperationsTests.expectProblem(try await server.get("/api/v1/commitments/officers-1500"), 503)

        try cluster.start()
        let last = try Self.stored(cluster.url).last?.id ?? 0
        try Self.insertAssessment(cluster.url, key: "officers-1500", status: "missed")
        // The listener reconnects by itself (within about 2 s) and reads what was stored meanwhile.
        let events = try await Self.waitForEvents(stream) { $0.contains { $0.id > last && $0.type == "status" } }
        #expect(events.filter { $0.id > last }.map(\.type) == ["assessment", "status"])
        #expect(try await server.get("/api/v1/commitments/closures-100", headers: ["If-None-Match": tag]).status == 200)
        try await server.stop()
    }
}
