import Foundation
import HeadwayStore
import Logging
import NIOPosix

/// The database could not be reached: the client gets 503 and should come back later.
public struct DatabaseUnavailable: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// A bounded pool of workspaces (each one libpq connection) whose work runs on threads of its own.
///
/// libpq blocks its caller, so no statement may run on an event loop or on Swift's cooperative
/// threads. Work goes to a thread pool of `size` threads, each using at most one connection at a
/// time: so there are never more than `size` connections, and further requests wait their turn.
/// A connection broken by a database restart is replaced, so the server recovers by itself.
public final class DatabasePool: @unchecked Sendable {
    public let size: Int
    private let url: String
    /// What pg_stat_activity shows for the pool's connections.
    private let applicationName: String
    private let threads: NIOThreadPool
    private let logger: Logger
    // Guards `idle` and the counts; Workspace is not Sendable, so workspaces only ever cross
    // threads through this lock, and each is used by one thread at a time.
    private let lock = NSLock()
    private var idle: [Workspace] = []
    /// Work asked for and not finished yet (running or waiting for a thread), work running, and
    /// how many pieces of work found every thread busy.
    private var pending = 0
    private var running = 0
    private var waits = 0

    /// A write must run once: this pool pings a reused connection before the work, and never
    /// runs the work a second time (a pool for writes sets it).
    let pingsBeforeUse: Bool

    public init(url: String, size: Int, applicationName: String = "headway serve", logger: Logger, pingsBeforeUse: Bool = false) {
        precondition(size > 0, "a pool needs at least one connection")
        self.url = url
        self.applicationName = applicationName
        self.size = size
        self.pingsBeforeUse = pingsBeforeUse
        self.logger = logger
        threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
    }

    /// Runs `body` with a workspace on one of the pool's threads. `body` may run twice, on a
    /// new connection, when the first turns out broken: it must only read, or be idempotent —
    /// unless the pool `pingsBeforeUse`, which runs it once.
    /// - Throws: `DatabaseUnavailable` when the database cannot be reached, else what `body` throws.
    public func withWorkspace<T: Sendable>(_ body: @escaping @Sendable (Workspace) throws -> T) async throws -> T {
        lock.withLock {
            pending += 1
            if pending > size { waits += 1 }
        }
        defer { lock.withLock { pending -= 1 } }
        return try await threads.runIfActive {
            self.lock.withLock { self.running += 1 }
            defer { self.lock.withLock { self.running -= 1 } }
            return try self.run(body)
        }
    }

    /// The pool's state now, for `GET /metrics`.
    public struct Statistics: Sendable {
        public let size: Int
        /// Connections running a statement, and open ones waiting for work.
        public let inUse: Int, idle: Int
        /// Requests waiting for a thread now, and how many have had to wait since the start.
        public let waiting: Int, waits: Int
    }

    public var statistics: Statistics {
        lock.withLock { Statistics(size: size, inUse: running, idle: idle.count, waiting: max(0, pending - running), waits: waits) }
    }

    /// Whether a thread is free now: work asked for now would start at once.
    public var hasIdleThread: Bool { lock.withLock { pending < size } }

    /// Stops the threads once the work already queued is done, and closes every connection.
    public func shutdown() async throws {
        try await threads.shutdownGracefully()
        lock.withLock { idle.removeAll() }
    }

    private func run<T>(_ body: (Workspace) throws -> T) throws -> T {
        // A connection idle across a database restart shows it is broken only when used. The
        // work here only reads or is idempotent, so running it again on a new connection is safe.
        if let connection = lock.withLock({ idle.popLast() }) {
            if pingsBeforeUse {
                // A broken connection shows it on the ping, before the work has started.
                if (try? connection.ping()) != nil { return try use(connection, body) }
                lock.withLock { idle.removeAll() }
                logger.info("database connection lost; reconnecting")
                return try use(try connect(), body)
            }
            do {
                return try use(connection, body)
            } catch is DatabaseUnavailable {
                logger.info("database connection lost; reconnecting")
            }
        }
        return try use(try connect(), body)
    }

    private func use<T>(_ connection: Workspace, _ body: (Workspace) throws -> T) throws -> T {
        do {
            let value = try body(connection)
            lock.withLock { idle.append(connection) }
            return value
        } catch {
            guard connection.isConnected else {
                // The server went away: the other idle connections are broken as well.
                lock.withLock { idle.removeAll() }
                throw DatabaseUnavailable(description: "lost the connection to the database")
            }
            lock.withLock { idle.append(connection) }
            throw error
        }
    }

    private func connect() throws -> Workspace {
        do {
            return try Workspace(url: url, migrating: false, applicationName: applicationName, logger: logger)
        } catch where HeadwayError.isConnectionFailure(error) {
            throw DatabaseUnavailable(description: String(describing: error))
        }
    }
}
