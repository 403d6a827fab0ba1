import Foundation
import HeadwayModel
import HeadwayStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `headway serve`: the HTTP/1.1 API: reads, and writes with a token.
public struct HeadwayServer: Service {
    public var host: String
    public var port: Int
    /// The database's URL, as every command takes it.
    public var databaseURL: String
    /// What `/readyz` checks is applied.
    public var migrations: [Migration]
    /// At most this many database connections, and as many statements at a time.
    public var poolSize: Int = 8
    /// Where the access log and the server's own messages go.
    public var logger: Logger
    /// Timeouts and bounds that keep one client from holding up the others.
    public var limits = ServerLimits()
    /// The largest request body taken (`--max-body`); larger ones are 413.
    public var maxBodyBytes = 256 << 20
    /// Whether reads need a read or write token too (`--require-read-token`); writes always need a write token.
    public var requireReadToken = false
    /// Origins a browser page may call the API from (`--cors-origin`); none by default.
    public var corsOrigins: Set<String> = []
    /// The address people reach the dashboard at (`--public-url`, such as
    /// https://pledges.example.org), without a trailing slash: the base of the links in webhooks,
    /// feeds and embeds. Nil: links are made from the request's Host.
    public var publicURL: String?
    /// Origins whose pages may frame the embeds (`--embed-origins`); empty: any origin.
    public var embedOrigins: [String] = []
    /// Hot standbys of the database that reads may go to (`--read-replica`), and how far one may
    /// lag behind before it is taken out of rotation (`--max-replica-lag`, seconds).
    public var readReplicaURLs: [String] = []
    public var maxReplicaLag: Double = 30
    /// Whether this server delivers the webhooks (`headway webhook`); any number may, at once.
    public var deliversWebhooks = true
    /// When failed webhook deliveries are tried again, and when a hook is given up.
    public var webhookRetries = WebhookRetrySchedule()
    /// PEM certificates HTTPS receivers may be signed by, besides the system's (`--webhook-ca-file`).
    public var webhookCAFile: String?

    public init(host: String, port: Int, databaseURL: String, migrations: [Migration], logger: Logger) {
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.migrations = migrations
        self.logger = logger
    }

    /// Told the port once the server listens (the real one when `port` is 0).
    public var onListening: @Sendable (Int) async -> Void = { _ in }

    /// Serves until the service group shuts down gracefully (`headway serve`: on SIGTERM or
    /// SIGINT): then the server stops accepting connections, lets the requests in flight finish,
    /// and closes the database connections.
    public func run() async throws {
        SpooledBody.removeLeftovers()
        let pool = DatabasePool(url: databaseURL, size: poolSize, logger: logger)
        // Writes have a pool of their own on the primary, which runs each write once.
        let writes = DatabasePool(url: databaseURL, size: max(2, poolSize / 4), logger: logger, pingsBeforeUse: true)
        let replicas = ReadReplicas(urls: readReplicaURLs, poolSize: poolSize, maxLag: maxReplicaLag, primary: pool, logger: logger)
        let live = LiveEvents(databaseURL: databaseURL, pool: pool, limits: limits, logger: logger)
        let hub = live.hub
        let reads = Reads(primary: pool, replicas: replicas, knownVersion: { hub.version })
        let router = Router(options: .autoGenerateHeadEndpoints)
        Operations.install(on: router, pool: pool, replicas: replicas, logger: logger)
        if !corsOrigins.isEmpty { router.add(middleware: CORSMiddleware(origins: corsOrigins)) }
        let access = Access(reads: reads, writes: writes, requireReadToken: requireReadToken)
        if requireReadToken { router.add(middleware: ReadTokenMiddleware(access: access)) }
        live.addRoutes(to: router)
        WriteAPI(pool: writes, access: access, maxBodyBytes: maxBodyBytes).addRoutes(to: router)
        WebhookRoutes(pool: writes, access: access).addRoutes(to: router)
        let api = API(reads: reads, migrations: migrations, hub: live.hub, cache: live.cache)
        api.addRoutes(to: router)
        api.addReadRoutes(to: router)
        let links = PublicLinks(publicURL: publicURL)
        Dashboard(reads: reads, hub: live.hub, cache: live.cache, links: links, logger: logger).addRoutes(to: router)
        StatusFeed(reads: reads, links: links).addRoutes(to: router)
        Embeds(reads: reads, links: links, origins: embedOrigins, logger: logger).addRoutes(to: router)
        let onListening = onListening
        let application = Application(
            router: router,
            server: .http1(configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [ExpectContinueHandler(maxBodyBytes: maxBodyBytes)], idleTimeout: TimeAmount(limits.idleTimeout))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "headway"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let monitor = Task { await replicas.monitor() }
        defer { monitor.cancel() }
        let webhooks: WebhookDelivery?
        do {
            webhooks = deliversWebhooks
                ? try WebhookDelivery(
                    databaseURL: databaseURL, hub: live.hub, publicURL: publicURL, schedule: webhookRetries, trustedCAFile: webhookCAFile, logger: logger)
                : nil
        } catch {
            try? await pool.shutdown()
            try? await writes.shutdown()
            await replicas.shutdown()
            throw error
        }
        let delivering = webhooks.map { webhooks in Task { await webhooks.run() } }
        let stopDelivering = {
            delivering?.cancel()
            await delivering?.value
            await webhooks?.shutdown()
        }
        do {
            try await live.serving { try await application.run() }
        } catch {
            await stopDelivering()
            try? await pool.shutdown()
            try? await writes.shutdown()
            await replicas.shutdown()
            throw error
        }
        await stopDelivering()
        try await pool.shutdown()
        try await writes.shutdown()
        await replicas.shutdown()
    }
}

extension HeadwayServer {
    /// Serves until SIGTERM or SIGINT, then shuts down gracefully.
    public func runUntilSignalled() async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
