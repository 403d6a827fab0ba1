import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

@testable import HeadwayServer

/// `headway serve --read-replica`: a real primary and a hot standby of it (PostgreSQL's streaming
/// replication, `pg_basebackup -R`), two servers on them. Reads go to the standby; a write's answer
/// names its event, and a read that asks for it sees it while the standby's replay is paused; a
/// plain read is current once replay resumes; live events come from the primary; a standby that
/// stops or lags leaves the rotation and returns; with the primary down, reads go on and writes
/// are 503.
@Suite(.serialized) struct ReplicaTests {
    @Test func readsGoToTheStandbyAndClientsReadTheirWrites() async throws {
        let primaryHome = try ScratchHome(), standbyHome = try ScratchHome()
        defer {
            standbyHome.remove()
            primaryHome.remove()
        }
        let primary = primaryHome.cluster
        try primary.start()
        try Portfolio.migrateAndFill(primary.url)
        let token = try Workspace(url: primary.url).tokens.create(name: "loader", scope: .write)
        let standby = standbyHome.cluster
        try standby.createStandby(of: primary)
        let replica = try PostgresConnection(url: standby.url)
        #expect(try replica.query("SELECT pg_is_in_recovery()")[0].decode(Bool.self, at: 0))

        let configure = { (server: inout HeadwayServer) in
            server.readReplicaURLs = [standby.url]
            server.maxReplicaLag = 3
        }
        let one = try await RunningServer(url: primary.url, poolSize: 2, configure: configure)
        let two = try await RunningServer(url: primary.url, poolSize: 2, configure: configure)
        try await Self.waitUntil("the standby is in rotation") {
            let first = try await Self.inRotation(one), second = try await Self.inRotation(two)
            return first == true && second == true
        }

        // Reads are answered from the standby: its connections are held there.
        #expect(try await one.get("/api/v1/commitments").status == 200)
        #expect(try await two.get("/api/v1/summary").status == 200)
        let held = try replica.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'headway serve'")[0].decode(Int.self, at: 0)
        #expect(held >= 2, "connections on the standby: \(held)")
        let stream = try await LiveEventsTests.openStream(two.port)

        // Replay paused: a write's event is not on the standby.
        _ = try replica.query("SELECT pg_wal_replay_pause()")
        let body = "metric,period_start,period_end,value,published_on\nclosures,2025-01,2025-03,7,2025-04-10\n"
        let written = try await one.post("/api/v1/observations", body, token: token)
        #expect(written.status == 200, "\(written.object)")
        let event = try #require(written.headers["headway-event-id"].flatMap(Int64.init))
        let path = "/api/v1/metrics/closures/observations"
        let stale = try await two.get(path)
        #expect(stale.status == 200 && !String(decoding: stale.body, as: UTF8.self).contains("2025-03-31"))
        let started = ContinuousClock.now
        let fresh = try await two.get(path, headers: ["Headway-Min-Event-Id": String(event)])
        #expect(fresh.status == 200 && String(decoding: fresh.body, as: UTF8.self).contains("2025-03-31"), "\(fresh.object)")
        #expect(ContinuousClock.now - started < .seconds(5))
        // The live event reached the other server's client, from the primary, while reads used the standby.
        let events = try await LiveEventsTests.waitForEvents(stream) { $0.contains { $0.id >= event } }
        #expect(events.contains { $0.type == "observations" })

        // Paused past --max-replica-lag: out of rotation, reads from the primary, readyz says why.
        try await Self.waitUntil("the paused standby leaves the rotation") { try await Self.inRotation(two) == false }
        let ready = try await two.get("/readyz")
        #expect(ready.status == 200 && String(decoding: ready.body, as: UTF8.self).contains("lagging"), "\(ready.object)")
        #expect(String(decoding: try await two.get(path).body, as: UTF8.self).contains("2025-03-31"))
        let metrics = String(decoding: try await two.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("headway_replica_in_rotation{replica=\"replica-1\"} 0"), "\(metrics)")

        // Replay resumes: back in rotation, and a plain read from the standby is current.
        _ = try replica.query("SELECT pg_wal_replay_resume()")
        try await Self.waitUntil("the standby catches up") { try await Self.inRotation(two) == true }
        #expect(String(decoding: try await two.get(path).body, as: UTF8.self).contains("2025-03-31"))

        // The standby stops: every read is still answered, from the primary; it returns when started.
        try standby.stop()
        for _ in 0..<3 { #expect(try await one.get("/api/v1/commitments").status == 200) }
        #expect(try await one.get("/").status == 200)
        try standby.start()
        try await Self.waitUntil("the restarted standby returns") { try await Self.inRotation(one) == true }

        // The primary down: reads go on from the standby; writes are 503 with Retry-After.
        try primary.stop()
        #expect(try await one.get("/api/v1/summary").status == 200)
        let refused = try await one.post("/api/v1/observations", body, token: token)
        #expect(refused.status == 503 && refused.headers["retry-after"] != nil)
        try primary.start()

        try await one.stop()
        try await two.stop()
        try standby.stop()
    }

    /// Whether the server's `/readyz` says its one standby is in rotation.
    static func inRotation(_ server: RunningServer) async throws -> Bool? {
        let ready = try await server.get("/readyz")
        return ((ready.object["replicas"] as? [[String: Any]])?.first?["in_rotation"]) as? Bool
    }

    static func waitUntil(_ what: String, seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("waited \(seconds) s for: \(what)")
    }
}
