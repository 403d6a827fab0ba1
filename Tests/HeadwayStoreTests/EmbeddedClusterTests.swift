import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The embedded default: a private cluster made, started, reused and stopped by Headway.
@Suite(.serialized) struct EmbeddedClusterTests {
    private func withHome(_ body: (URL) throws -> Void) throws {
        let home = try ScratchHome()
        defer { home.remove() }
        try body(home.url)
    }

    @Test func createsStartsReusesAndStops() throws {
        try withHome { home in
            let cluster = EmbeddedCluster(home: home, durable: false)
            #expect(try cluster.status().initialized == false)
            #expect(try cluster.start() == true)
            #expect(try cluster.start() == false)  // already running: reused
            let status = try cluster.status()
            #expect(status.initialized && status.running)

            let connection = try PostgresConnection(url: cluster.url)
            let settings = try connection.query(
                "SELECT current_setting('listen_addresses'), current_setting('unix_socket_permissions'), current_database()")[0]
            #expect(settings.values == ["", "0700", "headway"])  // no TCP; a private socket

            var info = stat()
            #expect(stat(cluster.socketDirectory.path, &info) == 0)
            #expect(info.st_mode & 0o077 == 0)
            #expect(stat(cluster.dataDirectory.path, &info) == 0)
            #expect(info.st_mode & 0o077 == 0)

            #expect(try cluster.stop() == true)
            #expect(try cluster.status().running == false)
            #expect(throws: PostgresError.self) { try PostgresConnection(url: cluster.url) }
            #expect(try cluster.start() == true)  // the same data comes back
            #expect(try PostgresConnection(url: cluster.url).query("SELECT 1").count == 1)
        }
    }

    @Test func recoversFromAnInterruptedFirstStart() throws {
        try withHome { home in
            let cluster = EmbeddedCluster(home: home, durable: false)
            // A first start killed during initdb leaves a half-made scratch directory.
            let scratch = cluster.clusterDirectory.appendingPathComponent("data.partial")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            try "garbage".write(to: scratch.appendingPathComponent("PG_VERSION"), atomically: true, encoding: .utf8)
            #expect(try cluster.start() == true)
            #expect(!FileManager.default.fileExists(atPath: scratch.path))
            #expect(try PostgresConnection(url: cluster.url).query("SELECT 1").count == 1)
        }
    }

    @Test func concurrentFirstStartsMakeOneCluster() async throws {
        let scratch = try ScratchHome()
        defer { scratch.remove() }
        let home = scratch.url
        let started = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<3 { group.addTask { try EmbeddedCluster(home: home, durable: false).start() } }
            var results: [Bool] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(started.filter { $0 }.count == 1)
    }

    @Test func urlIsOneThatPsqlAccepts() throws {
        let cluster = EmbeddedCluster(home: URL(fileURLWithPath: "/tmp/some home"))
        #expect(cluster.url.hasPrefix("postgresql://headway@/headway?host="))
        #expect(!cluster.url.contains(" "))
    }
}
