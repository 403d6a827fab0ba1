import ArgumentParser
import Foundation
import HeadwayServer
import HeadwayStore
import Logging

/// `headway serve`: the read API over HTTP, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API, live events and the web dashboard over HTTP.",
        discussion: """
            Endpoints: GET /api/v1/commitments, /api/v1/commitments/KEY, /api/v1/summary, /api/v1/events (Server-Sent \
            Events as the database changes), /api/v1/openapi.json, \
            /healthz and /readyz; POST /api/v1/observations and /api/v1/definitions with a write token (docs/API.md). \
            For readers elsewhere: /feeds/status.atom (status changes as Atom; tag=, commitment=), /badges/KEY.svg, \
            /commitments/KEY/chart.svg and /embed/commitments/KEY (a chart for an iframe, which only --embed-origins \
            may frame when given); their links start with --public-url, else the request's Host. \
            Reads need no token unless --require-read-token, so without it only loopback addresses are served \
            unless --public-read is given. The server also delivers the webhooks (headway webhook; /api/v1/webhooks \
            with a write token), from the event log, signed, retried for over 24 hours; any number of servers may run \
            on one database, each event going out once; links in them start with --public-url. One access log line per request goes to standard error \
            (HEADWAY_LOG_LEVEL=warning silences it). On SIGTERM or SIGINT the server stops accepting, finishes \
            the requests in flight and exits.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Database connections at most (and statements running at a time).") var connections = 8
    @Flag(help: "Allow a non-loopback --host without --require-read-token: anyone who can reach it can read everything.")
    var publicRead = false
    @Flag(help: "Reads need a read or write token too (Authorization: Bearer; headway token create).") var requireReadToken = false
    @Option(help: ArgumentHelp("The largest request body taken, in bytes or with K, M or G (binary) (default 256M).", valueName: "size"))
    var maxBody = "256M"
    @Option(help: ArgumentHelp("Let browser pages from this origin call the API (CORS); repeatable.", valueName: "origin"))
    var corsOrigin: [String] = []
    @Option(help: ArgumentHelp("The address people reach this server at, the base of links in webhooks, feeds and embeds.", valueName: "url"))
    var publicURL: String?
    @Option(help: ArgumentHelp("Let pages from this origin frame the embeds; repeatable (default: any origin).", valueName: "origin"))
    var embedOrigins: [String] = []
    @Option(
        help: ArgumentHelp(
            "A hot standby of the database to answer reads from; repeatable (also HEADWAY_READ_REPLICA_URLS, comma-separated).", valueName: "url"))
    var readReplica: [String] = []
    @Option(help: ArgumentHelp("Take a standby out of rotation when it lags more than this many seconds.", valueName: "seconds"))
    var maxReplicaLag: Double = 30
    @Option(help: ArgumentHelp("Trust HTTPS webhook receivers whose certificates these (PEM) sign, besides the system's.", valueName: "file"))
    var webhookCAFile: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be from 1 to 256") }
        guard publicRead || requireReadToken || HeadwayServer.isLoopback(host) else {
            throw ValidationError(
                "--host \(host) is reachable from other machines and reads need no token; add --require-read-token, or --public-read to serve it anyway")
        }
        guard maxReplicaLag > 0 else { throw ValidationError("--max-replica-lag must be a positive number of seconds") }
        guard Self.bytes(maxBody) != nil else { throw ValidationError("--max-body must be a whole number of bytes, optionally with K, M or G, such as 64M") }
        if let origin = corsOrigin.first(where: { !Self.isOrigin($0) }) {
            throw ValidationError("--cors-origin \(origin) is not an origin: scheme, host and port, such as https://dash.example.org")
        }
        if let origin = embedOrigins.first(where: { !Self.isOrigin($0) }) {
            throw ValidationError("--embed-origins \(origin) is not an origin: scheme, host and port, such as https://news.example.org")
        }
        if let publicURL, !Self.isOrigin(publicURL.components(separatedBy: "/").prefix(3).joined(separator: "/")) {
            throw ValidationError("--public-url \(publicURL) is not an http(s) address, such as https://pledges.example.org")
        }
    }

    func run() async throws {
        let url = try database.resolvedURL()
        _ = try database.workspace(url: url)
        let migrations = try ResourceLocator.migrations()
        var logger = Logger(label: "headway.serve") { label in DeferredMetadataLogHandler(StreamLogHandler.standardError(label: label)) }
        logger.logLevel = ProcessInfo.processInfo.environment["HEADWAY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        var server = HeadwayServer(host: host, port: port, databaseURL: url, migrations: migrations, logger: logger)
        server.poolSize = connections
        server.maxBodyBytes = Self.bytes(maxBody) ?? server.maxBodyBytes
        server.requireReadToken = requireReadToken
        server.corsOrigins = Set(corsOrigin)
        server.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        server.embedOrigins = embedOrigins
        server.readReplicaURLs = readReplica.isEmpty
            ? (ProcessInfo.processInfo.environment["HEADWAY_READ_REPLICA_URLS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            : readReplica
        server.maxReplicaLag = maxReplicaLag
        server.webhookRetries = try WebhookRetrySchedule.fromEnvironment()
        server.webhookCAFile = webhookCAFile
        let host = host
        server.onListening = { port in
            FileHandle.standardOutput.write(Data("listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)\n".utf8))
        }
        try await server.runUntilSignalled()
    }

    /// Whether `text` is an origin: http(s), a host, maybe a port, and no path.
    static func isOrigin(_ text: String) -> Bool {
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), let url = URL(string: text) else { return false }
        return url.host != nil && url.path.isEmpty && url.query == nil
    }

    /// A size such as 1048576, 512K, 64M or 1G (binary multiples); nil when it is none.
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let unit = text.last.flatMap { units[Character($0.uppercased())] }
        guard let number = Int(unit == nil ? text : String(text.dropLast())), number > 0 else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit ?? 1)
        return overflow ? nil : bytes
    }
}
