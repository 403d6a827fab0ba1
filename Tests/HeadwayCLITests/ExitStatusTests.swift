import Foundation
import HeadwayStore
import TestSupport
import Testing

/// The exit statuses of the README's "Exit status": 0 done, 2 bad input, 3 database unavailable,
/// 4 loaded with rejects, 1 anything else; each failure one line that keeps its cause.
@Suite struct ExitStatusTests {
    static let header = "metric,period_start,period_end,value,qualifier,source,published_on,note\n"

    @Test func eachKindOfOutcomeHasItsStatus() throws {
        let folder = try ScratchDirectory("headway-exit")
        let url = try TestDatabase.create()
        let seeds = ResourceLocator.sourceRoot.appendingPathComponent("seeds").path
        let dryRun = try HeadwayBinary.run(["apply", "--dry-run", "\(seeds)/written-answer-2024-04-05.yaml"], url: url)
        #expect(dryRun.status == 0 && dryRun.output.hasPrefix("would create source "), "\(dryRun.output)")
        #expect(try HeadwayBinary.run(["apply", "\(seeds)/written-answer-2024-04-05.yaml"], url: url).status == 0)
        let metric = "county-lines-closures"
        let good = "\(metric),2022-04,2022-04,10,,,2022-05-01,\n"
        let bad = "\(metric),2022-05,2022-05,ten,,,2022-06-01,\n"
        let rejects = folder.url.appendingPathComponent("rejects.csv").path
        let cases: [(arguments: [String], status: Int32)] = [
            (["--help"], 0),
            (["load"], 2),  // a usage error
            (["load", "--skip-invalid", try folder.file("a.csv", Self.header + good)], 2),  // no --rejects
            (["report", "--as-of", "2024-13"], 2),
            (["report", "no-such-commitment"], 2),
            (["backtest", "no-such-commitment"], 2),
            (["load", try folder.file("b.csv", Self.header + good + bad)], 2),
            (["load", "/nonexistent/figures.csv"], 2),
            (["apply", try folder.file("c.yaml", "metrics: [{key: x}]\n")], 2),
            (["load", "--skip-invalid", "--rejects", rejects, try folder.file("d.csv", Self.header + good + bad)], 4),
            (["load", "--skip-invalid", "--rejects", rejects, try folder.file("e.csv", Self.header + good)], 0),
        ]
        for (arguments, status) in cases {
            let outcome = try HeadwayBinary.run(arguments, url: url)
            #expect(outcome.status == status, "\(arguments): \(outcome.status) \(outcome.errors)")
        }
        let refused = try HeadwayBinary.run(["report"], url: "postgresql://u@127.0.0.1:1/db?connect_timeout=2")
        #expect(refused.status == 3, "\(refused.errors)")
    }

    /// A usage error is one line, as every failure, and says where the command's help is.
    @Test func aUsageErrorIsOneLine() throws {
        for (arguments, help) in [(["load"], "headway load --help"), (["db", "nonsense"], "headway db --help"), (["--nonsense"], "headway --help")] {
            let outcome = try HeadwayBinary.run(arguments, url: nil)
            #expect(outcome.status == 2, "\(arguments)")
            #expect(outcome.errors.hasPrefix("headway: ") && outcome.errors.hasSuffix("(see `\(help)`)\n"), "\(outcome.errors)")
            #expect(outcome.errors.split(separator: "\n").count == 1, "\(outcome.errors)")
        }
    }

    @Test func theRejectsFileKeepsTheSystemsReason() throws {
        let folder = try ScratchDirectory("headway-exit")
        let url = try TestDatabase.create()
        let figures = try folder.file("f.csv", Self.header)
        let outcome = try HeadwayBinary.run(["load", "--skip-invalid", "--rejects", "/nonexistent/rejects.csv", figures], url: url)
        #expect(outcome.status == 2)
        #expect(outcome.errors.contains("No such file or directory"), "\(outcome.errors)")
    }

    @Test func aFigurePublishedInTheFutureIsLoadedWithAWarning() throws {
        let folder = try ScratchDirectory("headway-exit")
        let url = try TestDatabase.create()
        let seeds = ResourceLocator.sourceRoot.appendingPathComponent("seeds").path
        #expect(try HeadwayBinary.run(["apply", "\(seeds)/written-answer-2024-04-05.yaml"], url: url).status == 0)
        let figures = try folder.file("f.csv", Self.header + "county-lines-closures,2022-04,2022-04,10,,,2999-01-01,\n")
        let outcome = try HeadwayBinary.run(["load", figures], url: url)
        #expect(outcome.status == 0)
        #expect(outcome.output.contains("1 row: 1 inserted"), "\(outcome.output)")
        #expect(outcome.errors.contains("warning: 1 figure has a published_on after today, first at \(figures):2 (2999-01-01)"), "\(outcome.errors)")
    }
}
