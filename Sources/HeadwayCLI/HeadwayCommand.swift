import ArgumentParser
import Foundation
import HeadwayStore
import Logging

/// `headway`: track public commitments against published progress figures.
public struct HeadwayCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "headway",
        abstract: "Track public commitments against the progress figures published over time.",
        discussion: """
            Database: --database-url, else HEADWAY_DATABASE_URL, else DATABASE_URL, else the embedded \
            PostgreSQL cluster in $HEADWAY_HOME (default ~/.local/share/headway).
            """,
        version: "\(BuildInfo.version) (commit \(BuildInfo.commit))",
        subcommands: [
            DatabaseCommand.self, ApplyCommand.self, LoadCommand.self, ImportCommand.self, ReportCommand.self, BacktestCommand.self, ServeCommand.self, TokenCommand.self, WebhookCommand.self,
            DemoCommand.self,
        ]
    )

    public init() {}

    /// Parses and runs (`serve` as the async command it is, on Swift's concurrency, the others
    /// as they are); failures are one line on stderr and a non-zero exit.
    public static func start(arguments: [String]? = nil) async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let configured = ProcessInfo.processInfo.environment["HEADWAY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = configured ?? .warning
            return handler
        }
        do {
            var command = try parseAsRoot(arguments)
            do {
                if var asynchronous = command as? any AsyncParsableCommand {
                    try await asynchronous.run()
                } else {
                    try command.run()
                }
            } catch {
                // A command that fails leaves no embedded cluster running that it started.
                if (error as? ExitCode)?.isSuccess != true { EmbeddedCluster.stopClustersStartedHere() }
                throw error
            }
        } catch let status as ExitCode {
            Foundation.exit(status.rawValue)
        } catch let error as ObservationLoader.InvalidInput {
            // One line per bad row, each FILE:LINE: column NAME: what is wrong.
            FileHandle.standardError.write(Data(error.description.split(separator: "\n").map { "headway: \($0)\n" }.joined().utf8))
            Foundation.exit(ExitStatus(for: error).rawValue)
        } catch where HeadwayError.kind(of: error) != nil {
            // The store's errors (the database's among them) describe themselves in one line.
            fail(String(describing: error), ExitStatus(for: error))
        } catch {
            // Help and version print and end well; usage errors print the usage and end with 2.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // One line, as every failure (README, "Exit status"), pointing to the command's help.
            let line = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("headway: \(line) (see `\(helpCommand(arguments ?? Array(CommandLine.arguments.dropFirst())))`)\n".utf8))
            Foundation.exit(code == .validationFailure ? ExitStatus.badInput.rawValue : ExitStatus.other.rawValue)
        }
    }

    /// `headway SUBCOMMAND… --help` for the subcommands named at the front of `arguments`.
    static func helpCommand(_ arguments: [String]) -> String {
        var words = ["headway"]
        var command: any ParsableCommand.Type = HeadwayCommand.self
        for argument in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            words.append(argument)
            command = next
        }
        return (words + ["--help"]).joined(separator: " ")
    }

    private static func fail(_ message: String, _ status: ExitStatus) -> Never {
        let secrets = DatabaseOptions.configuredPasswords(arguments: Array(CommandLine.arguments.dropFirst()))
        let line = DatabaseAddress.redactingSecrets(in: message, secrets: secrets).replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("headway: \(line)\n".utf8))
        Foundation.exit(status.rawValue)
    }
}
