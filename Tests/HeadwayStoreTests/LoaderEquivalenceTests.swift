import Foundation
import HeadwayPostgres
import TestSupport
import Testing

@testable import HeadwayStore

/// The loader's shortcuts (comparing with stored figures before staging, in batches and windows;
/// the merge without a sort for rows in order) against its plainest way: every row staged and
/// merged with the sorting merge. Random commands of random files (by metric, by period or in
/// no order; repeats, revisions, notes) must leave the same figures and the same summaries.
@Suite struct LoaderEquivalenceTests {
    static let metrics = ["arrests", "closures", "officers"]

    @Test func everyWayOfLoadingLeavesTheSameFigures() throws {
        let seed = ProcessInfo.processInfo.environment["HEADWAY_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_130
        var random = SplitMix64(seed: seed)
        for scenario in 0..<10 {
            let commands = (0..<4).map { command in
                (0..<Int.random(in: 1...2, using: &random)).map { file in
                    (name: "s\(scenario)-c\(command)-f\(file).csv", text: Self.randomFile(&random))
                }
            }
            var plain = ObservationLoader.Options()
            plain.rowsWorthComparing = Int.max
            plain.mergeAsIfUnordered = true
            var comparingAll = ObservationLoader.Options()
            comparingAll.rowsWorthComparing = 1
            // Batches and windows of a few rows: a file by period fills windows, settled a batch
            // at a time while the next fills; long runs are compared in parts.
            var small = ObservationLoader.Options()
            (small.rowsWorthComparing, small.batchSize, small.windowSize) = (2, 5, 7)
            let reference = try Self.run(commands, options: plain)
            for (name, options) in [("default options", ObservationLoader.Options()), ("every row compared", comparingAll), ("small batches and windows", small)] {
                let outcome = try Self.run(commands, options: options)
                #expect(outcome.summaries == reference.summaries, "seed \(seed), scenario \(scenario), \(name): summaries")
                #expect(outcome.firstDifference(from: reference) == nil, "seed \(seed), scenario \(scenario), \(name): figures")
            }
        }
    }

    struct Outcome {
        var summaries: [[Int]]
        var figures: [[String?]]

        /// The first stored figure that differs from `other`'s (with its counterpart), if any.
        func firstDifference(from other: Outcome) -> String? {
            let text = { (figure: [String?]?) in figure.map { $0.map { $0 ?? "null" }.joined(separator: ",") } ?? "none" }
            for index in 0..<max(figures.count, other.figures.count) {
                let mine = index < figures.count ? figures[index] : nil, theirs = index < other.figures.count ? other.figures[index] : nil
                if mine != theirs { return "figure \(index + 1): \(text(mine)), expected \(text(theirs))" }
            }
            return nil
        }
    }

    /// Runs the commands on a fresh database: each command's summary, then every stored figure.
    static func run(_ commands: [[(name: String, text: String)]], options: ObservationLoader.Options) throws -> Outcome {
        let fixture = try LoaderFixture()
        var summaries: [[Int]] = []
        for command in commands {
            let paths = try command.map { try fixture.file($0.name, $0.text) }
            let summary = try ObservationLoader(connection: fixture.connection, options: options).load(paths)
            summaries.append([summary.inserted, summary.unchanged, summary.revised, summary.provenanceDiffers])
        }
        let figures = try fixture.connection.query(
            """
            SELECT metric, period_start::text, period_end::text, revision::text, value::text, qualifier, published_on::text, note, source
            FROM headway.observations ORDER BY metric, period_end, period_start NULLS FIRST, revision
            """
        ).map(\.values)
        return Outcome(summaries: summaries, figures: figures)
    }

    /// A file of up to 60 rows over three metrics and 24 months: by metric (no identity twice),
    /// by period, or in no order; values, publication dates and notes from small sets, so that
    /// rows repeat stored figures, revise them, or repeat each other.
    static func randomFile(_ random: inout SplitMix64) -> String {
        var rows = (0..<Int.random(in: 1...60, using: &random)).map { _ in
            (metric: metrics.randomElement(using: &random)!, month: Int.random(in: 0..<24, using: &random),
             value: ["1", "2", "3.0"].randomElement(using: &random)!,
             published: ["2024-01-01", "2024-02-01", "2024-03-01"].randomElement(using: &random)!,
             note: ["", "", "checked"].randomElement(using: &random)!)
        }
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            var seen: Set<String> = []
            rows = rows.filter { seen.insert("\($0.metric) \($0.month)").inserted }
            rows.sort { ($0.metric, $0.month) < ($1.metric, $1.month) }
        case 1: rows.sort { ($0.month, $0.metric) < ($1.month, $1.metric) }
        default: rows.shuffle(using: &random)
        }
        return ObservationLoaderTests.header
            + rows.map { ObservationLoaderTests.monthRow($0.metric, $0.month, $0.value, published: $0.published, note: $0.note) }.joined()
    }
}
