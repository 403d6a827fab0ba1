import ArgumentParser
import Foundation
import HeadwayIngest
import HeadwayPostgres
import HeadwayStore

/// `headway demo`: the seed document's commitments and figures, loaded and reported.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load the seed data (seeds/) into the database and print the report.",
        discussion: "Uses the embedded database unless a database URL is configured. Running it again changes nothing."
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let seeds = try ResourceLocator.seedsDirectory()
        let names = try FileManager.default.contentsOfDirectory(atPath: seeds.path).sorted()
        let definitionFiles = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
        let observationFiles = names.filter { $0.hasSuffix(".csv") }
        let connection = try database.connectMigrated()

        var definitions = Definitions()
        for name in definitionFiles { try definitions.merge(try DefinitionsReader.read(path: seeds.appendingPathComponent(name).path)) }
        let changes = try DefinitionApplier(connection: connection).apply(definitions)
        print("Definitions (\(definitionFiles.joined(separator: ", "))): " + ApplyCommand.describe(changes, dryRun: false).split(separator: "\n").last!)
        let summary = try ObservationLoader(connection: connection).load(observationFiles.map { seeds.appendingPathComponent($0).path })
        print("Observations (\(observationFiles.joined(separator: ", "))): " + LoadCommand.describe(summary))
        print("")
        print(try CommitmentSummary.render(connection))
    }
}
