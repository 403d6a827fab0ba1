import ArgumentParser
import Foundation
import HeadwayServer
import HeadwayStore
import Logging

/// `headway serve`: the read API over HTTP, until SIGTERM or SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve commitments, assessments and status counts as JSON over HTTP.",
        discussion: """
            Endpoints: GET /api/v1/commitments, /api/v1/commitments/KEY, /api/v1/summary, /api/v1/openapi.json, \
            /healthz and /readyz (docs/API.md). Reads need no token, so only loopback addresses are served unless \
            --public-read is given. One access log line per request goes to standard error \
            (HEADWAY_LOG_LEVEL=warning silences it). On SIGTERM or SIGINT the server stops accepting, finishes \
            the requests in flight and exits.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Database connections at most (and statements running at a time).") var connections = 8
    @Flag(help: "Allow a non-loopback --host: anyone who can reach it can read everything.") var publicRead = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be from 1 to 256") }
        guard publicRead || HeadwayServer.isLoopback(host) else {
            throw ValidationError("--host \(host) is reachable from other machines and reads need no token; add --public-read to serve it anyway")
        }
    }

    func run() throws {
        let url = try database.resolvedURL()
        _ = try database.workspace(url: url)
        let migrations = try Migrator(directory: try ResourceLocator.sqlDirectory()).migrations
        var logger = Logger(label: "headway.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["HEADWAY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        var server = HeadwayServer(host: host, port: port, databaseURL: url, migrations: migrations, logger: logger)
        server.poolSize = connections
        let host = host
        server.onListening = { port in
            FileHandle.standardOutput.write(Data("listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)\n".utf8))
        }
        try Self.waitFor { [server] in try await server.runUntilSignalled() }
    }

    /// Runs `body` as a task and blocks until it ends: ArgumentParser runs this command
    /// synchronously, and the server runs on Swift's and NIO's threads meanwhile.
    private static func waitFor(_ body: @escaping @Sendable () async throws -> Void) throws {
        final class Outcome: @unchecked Sendable {
            let done = DispatchSemaphore(value: 0)
            var error: (any Error)?  // written once before `done` is signalled
        }
        let outcome = Outcome()
        Task {
            do { try await body() } catch { outcome.error = error }
            outcome.done.signal()
        }
        outcome.done.wait()
        if let error = outcome.error { throw error }
    }
}
