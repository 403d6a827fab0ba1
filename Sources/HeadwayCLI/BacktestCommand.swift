import ArgumentParser
import Foundation
import HeadwayReport
import HeadwayStore

/// `headway backtest`: replays past assessments of commitments whose outcome is known.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay past assessments of commitments whose outcome is known, to judge the method.",
        discussion: """
            For each commitment achieved, achieved late or missed, assesses it again at the end of every month \
            (or quarter) from when it was made, with only what had been published by then, and reports how its \
            status and chance of meeting the target evolved and how early the status was right. Across them: \
            how often the 90% range held the value reached at the deadline, the Brier score of the \
            probabilities, and a reliability table. Nothing is stored.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Replay at the end of every month or quarter.") var every: Backtest.Every = .month
    @Option(help: "text, json or csv.") var format: Format = .text
    @Option(help: "The methods version to replay with: 3 (current) or 2, to see what changed.")
    var method: ForecastMethod = .current
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Argument(help: "Commitment keys (default: all with a known outcome).") var keys: [String] = []

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, csv
    }

    func run() throws {
        let (today, replays) = try database.workspace().backtest(keys: keys, every: every, method: method)
        let text: String
        switch format {
        case .text: text = BacktestReport.text(replays, today: today, every: every, method: method)
        case .json: text = BacktestReport.json(replays, today: today, every: every, method: method)
        case .csv: text = BacktestReport.csv(replays)
        }
        // A file is replaced only once the whole output is written.
        let out = try output.map(OutputFile.open) ?? OutputFile.standardOutput
        try out.write(text)
        try out.close()
    }
}

extension Backtest.Every: ExpressibleByArgument {}
extension ForecastMethod: ExpressibleByArgument {}
