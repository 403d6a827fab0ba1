import Foundation
import HeadwayPostgres
import HeadwayStore

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster that the test run starts itself, in a temporary directory,
/// and removes when the test process exits. Database tests never skip: without PostgreSQL they
/// fail with the message of `PostgresBinaries.installAdvice`.
public enum TestDatabase {
    /// Creates an empty database on the shared test cluster and returns its URL; with
    /// `migrated`, Headway's migrations are applied to it.
    public static func create(migrated: Bool = true) throws -> String {
        let cluster = try SharedCluster.instance.cluster()
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PostgresConnection(url: cluster.url)
        try admin.executeScript("CREATE DATABASE \(name)")
        let url = cluster.url.replacingOccurrences(of: "/\(EmbeddedCluster.databaseName)?", with: "/\(name)?")
        if migrated {
            try Migrator(directory: ResourceLocator.sourceRoot.appendingPathComponent("sql")).migrate(try PostgresConnection(url: url))
        }
        return url
    }

    /// Connects to a new database (see `create`).
    public static func connect(migrated: Bool = true) throws -> PostgresConnection {
        try PostgresConnection(url: try create(migrated: migrated))
    }

    /// Every row of every table of schema headway, as text: equal snapshots mean nothing was written.
    public static func snapshot(_ connection: PostgresConnection) throws -> [String] {
        let tables = try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'headway' ORDER BY tablename")
            .map { try $0.decode(String.self, at: 0) }
        return try tables.map { table in
            try connection.query(
                "SELECT \(table) || ' ' || count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM headway.\(unsafeSQL: table) t"
            )[0].decode(String.self, at: 0)
        }
    }

    /// `url` with another user name (the test cluster trusts local connections).
    public static func url(_ url: String, user: String) -> String {
        url.replacingOccurrences(of: "postgresql://\(EmbeddedCluster.superuser)@", with: "postgresql://\(user)@")
    }

    /// The shared test cluster, started on first use.
    public static func cluster() throws -> EmbeddedCluster { try SharedCluster.instance.cluster() }
}

/// A fresh `$HEADWAY_HOME` for a cluster of a test's own, which the server's account can reach
/// even when the tests run as root; `remove()` stops that cluster and deletes everything.
public struct ScratchHome {
    public let url: URL

    public init() throws {
        url = URL(fileURLWithPath: "/tmp/hw-ec-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o711)
    }

    public var cluster: EmbeddedCluster { EmbeddedCluster(home: url, durable: false) }

    public func remove() {
        cluster.destroy()
        try? FileManager.default.removeItem(at: url)
    }
}

/// Starts the test cluster once per process and removes it at exit.
private final class SharedCluster: @unchecked Sendable {
    static let instance = SharedCluster()
    private let lock = NSLock()
    private var started: Result<EmbeddedCluster, any Error>?

    func cluster() throws -> EmbeddedCluster {
        lock.lock()
        defer { lock.unlock() }
        if let started { return try started.get() }
        let result = Result { try startCluster() }
        started = result
        return try result.get()
    }

    private func startCluster() throws -> EmbeddedCluster {
        removeAbandonedClusters()
        let home = URL(fileURLWithPath: "/tmp/headway-test-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        chmod(home.path, 0o711)  // so an unprivileged server account can reach its files when we are root
        let cluster = EmbeddedCluster(home: home, durable: false)
        atexit { SharedCluster.instance.shutdown() }
        do {
            try cluster.start()
        } catch {
            cluster.destroy()
            try? FileManager.default.removeItem(at: home)
            throw error
        }
        return cluster
    }

    func shutdown() {
        guard case .success(let cluster)? = started else { return }
        cluster.destroy()
        try? FileManager.default.removeItem(at: cluster.home)
    }

    /// Clusters left behind by test processes that died before their exit handler ran.
    private func removeAbandonedClusters() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in names where name.hasPrefix("headway-test-") {
            guard let pid = Int32(name.dropFirst("headway-test-".count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let home = URL(fileURLWithPath: "/tmp/\(name)")
            EmbeddedCluster(home: home, durable: false).destroy()
            try? FileManager.default.removeItem(at: home)
        }
    }
}
