import ArgumentParser
import Foundation
import HeadwayIngest
import HeadwayStore

#if canImport(Glibc)
    import Glibc
#endif

/// `headway demo`: the seed document's commitments and figures, loaded and reported.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load the seed data (seeds/) into the database and report it as of its own date and as of today.",
        discussion: "Uses the embedded database unless a database URL is configured. Running it again changes nothing."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Where to write the HTML report (default: $HEADWAY_HOME/headway-report.html).", valueName: "file"))
    var htmlOutput: String?

    func run() throws {
        // The seed files are built into the binary (seeds/ of the source tree); errors name them
        // as seeds/NAME.
        let seeds = try ResourceLocator.seeds()
        let definitionFiles = seeds.filter { $0.name.hasSuffix(".yaml") || $0.name.hasSuffix(".yml") || $0.name.hasSuffix(".json") }
        let observationFiles = seeds.filter { $0.name.hasSuffix(".csv") }
        let workspace = try database.workspace()

        var definitions = Definitions()
        for file in definitionFiles { try definitions.merge(try DefinitionsReader.read(text: file.text, fileName: "seeds/" + file.name)) }
        let changes = try workspace.apply(definitions).changes
        print("Definitions (\(definitionFiles.map(\.name).joined(separator: ", "))): " + Summaries.describe(changes, dryRun: false).split(separator: "\n").last!)
        // Every commitment is assessed and stored below, so the load need not re-assess any.
        let summary = try workspace.load(texts: observationFiles.map { ("seeds/" + $0.name, $0.text) }, reassessing: false)
        print("Observations (\(observationFiles.map(\.name).joined(separator: ", "))): " + Summaries.describe(summary))
        // First as the seed document saw it (its own date), then today, when every deadline it
        // names may have passed with no newer figure loaded.
        let assessed = try workspace.assessForStoring()  // the present, by the server's clock
        let today = assessed.asOf
        let colour = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        if let answer = definitions.sources.filter({ $0.value.publishedOn != nil }).max(by: { $0.value.publishedOn! < $1.value.publishedOn! })?.value,
            let answeredOn = answer.publishedOn, answeredOn < today
        {
            print("\nAs of \(answeredOn), the date of the seed document (\"\(answer.title)\"): each commitment as it stood then.\n")
            let then = try workspace.assess(asOf: answeredOn)
            print(Summaries.render(then, asOf: answeredOn, format: .text, colour: colour, leftOut: try workspace.countMadeAfter(answeredOn)), terminator: "")
        }
        try workspace.store(assessed)
        let assessments = assessed.assessments
        print("\nAs of today, \(today), on every figure in the database: the same commitments now.\n")
        print(Summaries.render(assessments, asOf: today, format: .text, colour: colour), terminator: "")
        let page = htmlOutput.map { URL(fileURLWithPath: $0) } ?? EmbeddedCluster.defaultHome().appendingPathComponent("headway-report.html")
        try FileManager.default.createDirectory(at: page.deletingLastPathComponent(), withIntermediateDirectories: true)
        let html = try OutputFile.open(page.path)
        try html.write(contentsOf: Data(Summaries.render(assessments, asOf: today, format: .html).utf8))
        try html.close()
        print("\nToday's report as a web page, with a chart per commitment: \(page.path)")
    }
}
