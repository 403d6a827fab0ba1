import ArgumentParser
import Foundation
import HeadwayReport
import HeadwayStore

/// `headway db …`: migrations and the embedded database.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Apply migrations and manage the embedded database.",
        subcommands: [Migrate.self, Start.self, Stop.self, Status.self, PrintURL.self, GrantReader.self, GrantWriter.self, Replica.self]
    )

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending sql/ migrations, in order.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let applied = try database.workspace(migrating: false).migrate()
            if applied.isEmpty {
                print("Database is up to date; nothing to apply.")
            } else {
                for migration in applied { print("Applied \(String(format: "%03d", migration.version))_\(migration.name)") }
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Create if needed and start the embedded PostgreSQL.")
        func run() throws {
            let cluster = EmbeddedCluster(home: EmbeddedCluster.defaultHome())
            let started = try cluster.start()
            print(started ? "Started the embedded database (\(cluster.dataDirectory.path))." : "The embedded database is already running.")
        }
    }

    struct Replica: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replica",
            abstract: "Create if needed and start a hot standby of the embedded database in DIR; print its URL.",
            discussion: """
                The standby is PostgreSQL's own streaming replication (pg_basebackup -R) of the embedded \
                database, in DIR (a HEADWAY_HOME of its own), on a Unix socket of its own. Give its URL to \
                headway serve --read-replica. Stop it with HEADWAY_HOME=DIR headway db stop (docs/SCALING.md).
                """)
        @Argument(help: "Where the standby lives.") var directory: String

        func run() throws {
            let primary = EmbeddedCluster(home: EmbeddedCluster.defaultHome())
            try primary.start()
            let standby = EmbeddedCluster(home: URL(fileURLWithPath: directory))
            guard standby.home.path != primary.home.path else { throw ValidationError("the standby needs a directory of its own, not HEADWAY_HOME") }
            try standby.createStandby(of: primary)
            print(standby.url)
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop the embedded PostgreSQL.")
        func run() throws {
            let stopped = try EmbeddedCluster(home: EmbeddedCluster.defaultHome()).stop()
            print(stopped ? "Stopped the embedded database." : "The embedded database is not running.")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show where the database is and what it holds.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            if let url = database.configuredURL {
                print("database:   \(DatabaseAddress.redacted(url)) (configured)")
            } else {
                let status = try EmbeddedCluster(home: EmbeddedCluster.defaultHome()).status()
                print("database:   embedded, \(status.running ? "running" : status.initialized ? "stopped" : "not created yet")")
                print("data:       \(status.dataDirectory)")
                print("socket:     \(status.socketDirectory) (Unix socket only, no TCP)")
                print("log:        \(status.logFile)")
                print("url:        \(status.url)")
                guard status.running else { return }
            }
            let status = try database.workspace(migrating: false).status()
            print("server:     PostgreSQL \(status.serverVersion / 10000).\(status.serverVersion % 10000)")
            print("migrations: \(status.appliedMigrations) applied, \(status.pendingMigrations) pending")
            if let contents = status.contents {
                let counts = [
                    counted(contents.metrics, "metric"), counted(contents.sources, "source"), counted(contents.commitments, "commitment"),
                    counted(contents.observations, "observation"),
                ]
                print("contents:   " + counts.joined(separator: ", "))
            }
        }
    }

    struct PrintURL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url", abstract: "Print the database URL (for psql); a password is masked unless --show-password.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print a configured URL's password as it is.") var showPassword = false

        func run() throws {
            if let url = database.configuredURL {
                print(showPassword ? url : DatabaseAddress.redacted(url))
            } else {
                let cluster = EmbeddedCluster(home: EmbeddedCluster.defaultHome())
                try cluster.start()
                print(cluster.url)
            }
        }
    }

    struct GrantReader: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant-reader",
            abstract: "Create or update a login that may read Headway's views and nothing else (for Grafana, Metabase, psql).")
        @OptionGroup var grant: LoginOptions
        func run() throws { try grant.run(.reader) }
    }

    struct GrantWriter: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant-writer", abstract: "Create or update a login that may apply, load and report.")
        @OptionGroup var grant: LoginOptions
        func run() throws { try grant.run(.writer) }
    }

    struct LoginOptions: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Read the login's password from the first line of standard input (never from the command line).")
        var passwordStdin = false
        @Argument(help: "The login (role) name.") var name: String

        func run(_ group: LoginGrants.Group) throws {
            var password: String?
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw HeadwayError("--password-stdin: standard input has no password", kind: .input)
                }
                password = line
            }
            let created = try database.workspace().grant(group, to: name, password: password)
            let rights = group == .reader ? "may read the headway views, and nothing else" : "may apply, load and report"
            let how = password == nil ? "no password set: the server's own authentication applies" : "password set"
            print("\(created ? "Created" : "Updated") login \(name): \(rights) (\(how)).")
        }
    }
}
