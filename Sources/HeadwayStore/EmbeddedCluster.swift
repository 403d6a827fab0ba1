import Foundation
import HeadwayPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The private PostgreSQL cluster Headway uses when no database URL is configured.
///
/// It lives in `$HEADWAY_HOME/cluster` (default `~/.local/share/headway`), is made from the
/// machine's PostgreSQL binaries on first use, listens on a Unix socket only (no TCP port) in
/// a directory only its owner can enter, and is reused by later runs. PostgreSQL refuses to run
/// as root, so when Headway runs as root the server runs as the unprivileged `postgres` user
/// (or `nobody`); if that user cannot reach `$HEADWAY_HOME` (root's home is private), the
/// cluster lives in `/var/lib/headway/` and `$HEADWAY_HOME/cluster` links to it.
public struct EmbeddedCluster: Sendable {
    public static let databaseName = "headway"
    public static let superuser = "headway"

    public let home: URL
    /// false for throwaway test clusters: no fsync, which PostgreSQL does not need to lose nothing
    /// until the machine itself crashes.
    public var durable: Bool

    public init(home: URL, durable: Bool = true) {
        self.home = home.standardizedFileURL
        self.durable = durable
    }

    /// `$HEADWAY_HOME`, else `~/.local/share/headway`.
    public static func defaultHome() -> URL {
        if let configured = ProcessInfo.processInfo.environment["HEADWAY_HOME"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/headway")
    }

    /// Where the cluster's files live (after resolving the root fallback).
    public var clusterDirectory: URL {
        let inHome = home.appendingPathComponent("cluster")
        guard let account = serverAccount, !account.canTraverse(home.path) else { return inHome }
        return URL(fileURLWithPath: "/var/lib/headway/cluster-\(fnv1a(home.path))")
    }

    public var dataDirectory: URL { clusterDirectory.appendingPathComponent("data") }
    public var socketDirectory: URL { clusterDirectory.appendingPathComponent("run") }
    public var logFile: URL { clusterDirectory.appendingPathComponent("postgres.log") }

    /// A URL for this cluster that libpq and `psql` accept. It holds no password: the socket's
    /// directory is private to the server's account, and local connections are trusted.
    public var url: String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~/"))
        let host = socketDirectory.path.addingPercentEncoding(withAllowedCharacters: allowed) ?? socketDirectory.path
        return "postgresql://\(Self.superuser)@/\(Self.databaseName)?host=\(host)"
    }

    public struct Status: Sendable {
        public let initialized: Bool
        public let running: Bool
        public let serverVersion: String?
        public let dataDirectory: String
        public let socketDirectory: String
        public let logFile: String
        public let url: String
    }

    public func status() throws -> Status {
        let initialized = FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
        let version = try? String(contentsOf: dataDirectory.appendingPathComponent("PG_VERSION"), encoding: .utf8)
        return Status(
            initialized: initialized, running: initialized ? try isRunning(try PostgresBinaries.locate()) : false,
            serverVersion: version?.trimmingCharacters(in: .whitespacesAndNewlines), dataDirectory: dataDirectory.path,
            socketDirectory: socketDirectory.path, logFile: logFile.path, url: url)
    }

    /// Creates the cluster if needed, starts it if it is not running, and makes sure the
    /// `headway` database exists. Safe to call concurrently and after an interrupted first start.
    /// - Returns: whether this call started the server.
    @discardableResult
    public func start() throws -> Bool {
        let binaries = try PostgresBinaries.locate()
        try prepareDirectories()
        return try withLock {
            try initializeIfNeeded(binaries)
            var started = false
            if try !isRunning(binaries) {
                let outcome = try runAsServer(
                    binaries.pgCtl, ["-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "120", "start"])
                let running = try outcome.succeeded || isRunning(binaries)
                guard running else {
                    throw HeadwayError(
                        "the embedded PostgreSQL did not start: \(lastLines(outcome.output)) \(lastLines(logText())) (log: \(logFile.path))",
                        kind: .database)
                }
                started = true
                Self.startedHere.insert(home)
            }
            try createDatabaseIfNeeded()
            return started
        }
    }

    /// Makes this cluster a hot standby of `primary` (an embedded cluster of this machine) and
    /// starts it: PostgreSQL's own streaming replication (`pg_basebackup -R`), reads only, its
    /// socket in its own directory. Does nothing to a standby that exists already but start it.
    public func createStandby(of primary: EmbeddedCluster) throws {
        let binaries = try PostgresBinaries.locate()
        try prepareDirectories()
        try withLock {
            guard !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else { return }
            let scratch = clusterDirectory.appendingPathComponent("data.partial")
            try? FileManager.default.removeItem(at: scratch)
            let connection = "host=\(primary.socketDirectory.path) user=\(Self.superuser)"
            let outcome = try runAsServer(binaries.pgBasebackup, ["-D", scratch.path, "-R", "-X", "stream", "-c", "fast", "-d", connection])
            guard outcome.succeeded else {
                throw HeadwayError("could not copy the primary for a standby (pg_basebackup): \(lastLines(outcome.output))", kind: .database)
            }
            let quotedSocket = socketDirectory.path.replacingOccurrences(of: "'", with: "''")
            let config = try FileHandle(forWritingTo: scratch.appendingPathComponent("postgresql.conf"))
            try config.seekToEnd()
            try config.write(contentsOf: Data("\n# A hot standby of \(primary.home.path): its own socket; reads while it replays.\nunix_socket_directories = '\(quotedSocket)'\nhot_standby = on\n".utf8))
            try config.close()
            try FileManager.default.moveItem(at: scratch, to: dataDirectory)
        }
        try start()
    }

    /// Stops the server if it runs. Returns whether it was running.
    @discardableResult
    public func stop() throws -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory.path) else { return false }
        let binaries = try PostgresBinaries.locate()
        guard try isRunning(binaries) else { return false }
        let outcome = try runAsServer(binaries.pgCtl, ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "stop"])
        guard outcome.succeeded else { throw HeadwayError("could not stop the embedded PostgreSQL: \(lastLines(outcome.output))", kind: .database) }
        Self.startedHere.remove(home)
        return true
    }

    /// Stops every embedded cluster that this process started and has not stopped: a command
    /// that fails calls it, so that it leaves no server running that was not running before it
    /// (one that succeeds leaves the cluster serving, for the next command). Best effort: a
    /// cluster that will not stop is left as it is.
    public static func stopClustersStartedHere() {
        for home in startedHere.all { _ = try? EmbeddedCluster(home: home).stop() }
    }

    /// The homes of the clusters this process started.
    private static let startedHere = StartedClusters()

    /// Stops the server and deletes every file of the cluster (for throwaway test clusters).
    public func destroy() {
        _ = try? stop()
        try? FileManager.default.removeItem(at: clusterDirectory)
        try? FileManager.default.removeItem(at: home.appendingPathComponent("cluster"))
    }

    // MARK: - Steps

    private func prepareDirectories() throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: home, withIntermediateDirectories: true)
        let clusterDirectory = self.clusterDirectory
        let link = home.appendingPathComponent("cluster")
        if clusterDirectory != link, (try? fileManager.destinationOfSymbolicLink(atPath: link.path)) == nil {
            try? fileManager.removeItem(at: link)
            try fileManager.createSymbolicLink(at: link, withDestinationURL: clusterDirectory)
        }
        for directory in [clusterDirectory, socketDirectory] {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            // Private to the server's account: nobody else can reach the socket or the data.
            chmod(directory.path, 0o700)
            if let account = serverAccount { chown(directory.path, account.uid, account.gid) }
        }
        // The socket's path must fit in sockaddr_un (107 bytes on Linux, 103 on macOS).
        let socketPath = socketDirectory.path + "/.s.PGSQL.5432"
        guard socketPath.utf8.count <= 103 else {
            throw HeadwayError("HEADWAY_HOME is too deep for a Unix socket path (\(socketPath.utf8.count) bytes, at most 103); choose a shorter HEADWAY_HOME")
        }
    }

    /// initdb into a scratch directory, then rename: a half-made cluster is never mistaken for a
    /// whole one, and an interrupted first start is simply redone.
    private func initializeIfNeeded(_ binaries: PostgresBinaries) throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) { return }
        let scratch = clusterDirectory.appendingPathComponent("data.partial")
        try? fileManager.removeItem(at: scratch)
        try? fileManager.removeItem(at: dataDirectory)
        var arguments = [
            "-D", scratch.path, "-U", Self.superuser, "-E", "UTF8", "--no-locale",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        ]
        if !durable { arguments.append("--no-sync") }
        let outcome = try runAsServer(binaries.initdb, arguments)
        guard outcome.succeeded else {
            throw HeadwayError("could not create the embedded PostgreSQL cluster: \(lastLines(outcome.output))", kind: .database)
        }
        let quotedSocket = socketDirectory.path.replacingOccurrences(of: "'", with: "''")
        var settings = """

            # Headway's embedded cluster: Unix socket only, in a directory private to this account.
            listen_addresses = ''
            unix_socket_directories = '\(quotedSocket)'
            unix_socket_permissions = 0700
            # Room for bulk loads: fewer checkpoints (and full-page writes) in the middle of a large COPY.
            shared_buffers = 256MB
            max_wal_size = 4GB

            """
        if !durable { settings += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" }
        let config = try FileHandle(forWritingTo: scratch.appendingPathComponent("postgresql.conf"))
        try config.seekToEnd()
        try config.write(contentsOf: Data(settings.utf8))
        try config.close()
        try fileManager.moveItem(at: scratch, to: dataDirectory)
    }

    private func isRunning(_ binaries: PostgresBinaries) throws -> Bool {
        // pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
        try runAsServer(binaries.pgCtl, ["-D", dataDirectory.path, "status"]).status == 0
    }

    private func createDatabaseIfNeeded() throws {
        let maintenance = url.replacingOccurrences(of: "/\(Self.databaseName)?", with: "/postgres?")
        let connection = try PostgresConnection(url: maintenance)
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = \(Self.databaseName)")
        if exists.isEmpty {
            do {
                try connection.executeScript("CREATE DATABASE \(Self.databaseName)")
            } catch let error as PostgresError where error.sqlState == SQLState("42P04") {
                // Created meanwhile by a concurrent start.
            }
        }
    }

    private func runAsServer(_ executable: String, _ arguments: [String]) throws -> ChildProcess.Outcome {
        try ProcessRunner.run(executable, arguments, asUser: serverAccount?.name)
    }

    /// Holds an exclusive lock on `<cluster>/.lock` while `body` runs, so concurrent first starts
    /// do not both run initdb.
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let path = clusterDirectory.appendingPathComponent(".lock").path
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HeadwayError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw HeadwayError("cannot lock \(path)") }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private func logText() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    private func lastLines(_ text: String) -> String {
        text.split(separator: "\n").suffix(3).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// The account the server runs as when Headway runs as root; nil otherwise.
    var serverAccount: ServerAccount? { geteuid() == 0 ? ServerAccount.unprivileged() : nil }
}

/// A set of cluster homes shared by the threads of one process.
private final class StartedClusters: @unchecked Sendable {
    private let lock = NSLock()
    private var homes: [URL] = []

    var all: [URL] { lock.withLock { homes } }
    func insert(_ home: URL) { lock.withLock { if !homes.contains(home) { homes.append(home) } } }
    func remove(_ home: URL) { lock.withLock { homes.removeAll { $0 == home } } }
}

/// An unprivileged account to run PostgreSQL as when Headway is root.
struct ServerAccount: Sendable {
    let name: String
    let uid: uid_t
    let gid: gid_t

    static func unprivileged() -> ServerAccount? {
        for name in ["postgres", "nobody"] {
            if let entry = getpwnam(name) {
                return ServerAccount(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
            }
        }
        return nil
    }

    /// Whether this account may enter `path` (every directory on the way needs search permission).
    func canTraverse(_ path: String) -> Bool {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            var info = stat()
            guard stat(current, &info) == 0 else { return true }  // not made yet: we will make it
            let mode = info.st_mode
            let allowed =
                info.st_uid == uid ? mode & 0o100 != 0 : info.st_gid == gid ? mode & 0o010 != 0 : mode & 0o001 != 0
            if !allowed { return false }
        }
        return true
    }
}

/// FNV-1a, 64-bit, hex: a short stable name for a path.
private func fnv1a(_ text: String) -> String {
    var hash = FNV1a()
    hash.mix(text.utf8)
    return String(hash.value, radix: 16)
}
