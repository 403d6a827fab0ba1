import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
import HeadwayReport
import Logging

/// Headway's workflows over one connection to its database: applying definitions, loading
/// figures, assessing and reporting, backtesting, and what the HTTP API reads. The command line
/// and the server both call this and nothing below it, so each workflow is written once: the
/// migrations on connecting, the clock, and the re-assessment of what a load or apply touched.
///
/// Not Sendable: it owns one libpq connection, used by one thread at a time.
public final class Workspace {
    let connection: PostgresConnection
    /// Today's civil date, for a backtest's known outcomes and a load's figures published later.
    /// What counts as the present for stored assessments is the database's clock (sql/004).
    public var today: @Sendable () -> CivilDate = { CivilDate.today() }

    /// Connects to `url`; with `migrating`, applies pending `sql/` migrations first, as every
    /// command does, so the workflows see the current schema.
    /// - Throws: `PostgresError` when the database cannot be reached; `HeadwayError` when a
    ///   migration cannot be applied.
    public init(url: String, migrating: Bool = true, applicationName: String = "headway", logger: Logger? = nil) throws {
        connection = try logger.map { try PostgresConnection(url: url, applicationName: applicationName, logger: $0) }
            ?? PostgresConnection(url: url, applicationName: applicationName)
        if migrating { try migrate() }
    }

    /// Whether the connection still works (false once the server has gone away).
    public var isConnected: Bool { connection.isConnected }

    // MARK: - Migrations and the database

    /// Applies pending migrations from `sql/` and returns them (empty when up to date).
    @discardableResult
    public func migrate() throws -> [Migration] {
        try Migrator(migrations: try ResourceLocator.migrations()).migrate(connection)
    }

    /// The migrations of `migrations` not applied yet.
    public func pendingMigrations(_ migrations: [Migration]) throws -> [Migration] {
        try Migrator(migrations: migrations).pending(connection)
    }

    /// What `headway db status` shows of a database it can reach.
    public struct DatabaseStatus: Sendable {
        /// PostgreSQL's version number, such as 150018.
        public let serverVersion: Int
        public let appliedMigrations: Int
        public let pendingMigrations: Int
        /// Rows of metrics, sources, commitments and observations; nil before the first migration.
        public let contents: (metrics: Int, sources: Int, commitments: Int, observations: Int)?
    }

    public func status() throws -> DatabaseStatus {
        let migrator = Migrator(migrations: try ResourceLocator.migrations())
        let pending = try migrator.pending(connection)
        var contents: (Int, Int, Int, Int)?
        if pending.count < migrator.migrations.count {
            let row = try connection.query(
                """
                SELECT (SELECT count(*) FROM headway.metrics), (SELECT count(*) FROM headway.sources),
                       (SELECT count(*) FROM headway.commitments), (SELECT count(*) FROM headway.observations)
                """)[0]
            contents = (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1), try row.decode(Int.self, at: 2), try row.decode(Int.self, at: 3))
        }
        return DatabaseStatus(
            serverVersion: connection.serverVersion, appliedMigrations: migrator.migrations.count - pending.count,
            pendingMigrations: pending.count, contents: contents)
    }

    /// Makes `login` a member of `group` (see `LoginGrants.grant`); returns whether it was created.
    @discardableResult
    public func grant(_ group: LoginGrants.Group, to login: String, password: String?) throws -> Bool {
        try LoginGrants(connection: connection).grant(group, to: login, password: password)
    }

    // MARK: - Reads for the HTTP API

    /// One page of `headway.commitment_status` (see `StatusReader.commitments`).
    public func commitments(_ filter: StatusReader.Filter, format: RowFormat = .json) throws -> StatusReader.Page {
        try StatusReader(connection: connection).commitments(filter, format: format)
    }

    /// A commitment's status changes (see `StatusReader.history`); nil for an unknown key.
    public func history(key: String, format: RowFormat = .json) throws -> FormattedRows? {
        try StatusReader(connection: connection).history(key: key, format: format)
    }

    /// Metrics and their figures, as the API lists them.
    public var metrics: MetricReader { MetricReader(connection: connection) }

    /// Metrics' published figures, with their provenance.
    public var figures: FigureReader { FigureReader(connection: connection) }

    public func statusCounts() throws -> [StatusReader.StatusCount] {
        try StatusReader(connection: connection).statusCounts()
    }
}

// MARK: - The dashboard's and the event stream's reads

extension Workspace {
    /// What the web dashboard reads: the overview's page, figures, chains and status history.
    public var dashboard: DashboardReader { DashboardReader(connection: connection) }

    /// The stored events (sql/006).
    public var events: EventLog { EventLog(connection: connection) }

    /// Asks the database to announce new events on this workspace's connection.
    public func listenForEvents() throws {
        try connection.listen(StoredEvent.channel)
    }

    /// Waits up to `timeout` for announcements (after `listenForEvents`); whether any came.
    public func waitForEvents(timeout: Duration) throws -> Bool {
        try !connection.waitForNotifications(timeout: timeout).isEmpty
    }
}
