import Foundation
import HeadwayModel
import HeadwayReport
import Testing

/// A seeded simulation study: series whose outcome is known, assessed part-way, to check that the
/// stated 90% range holds the outcome about 90% of the time and that `probability_met` beats a
/// coin (docs/METHODS.md, section 8, has the table this prints).
@Suite struct CalibrationTests {
    @Test func ninetyPercentRangesCoverAboutNinetyPercentAndProbabilitiesBeatACoin() {
        let study = CalibrationStudy.run(seriesPerProcess: 100)
        print(study.table())
        let overall = study.overall
        #expect(overall.count >= 900)
        #expect((0.85...0.95).contains(overall.coverage), "coverage \(overall.coverage) outside 85–95%")
        #expect(overall.brier < 0.25, "Brier \(overall.brier) does not beat a constant 0.5 (0.25)")
        for (process, cell) in study.byProcess {
            #expect((0.80...0.97).contains(cell.coverage), "\(process): coverage \(cell.coverage)")
            #expect(cell.brier < 0.25, "\(process): Brier \(cell.brier)")
        }
    }
}

/// SplitMix64: a small, seeded generator, so the study is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 boosted).
    mutating func gamma(shape: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1) * pow(max(uniform(), 1e-300), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let v = pow(1 + c * x, 3)
            if v > 0, log(max(uniform(), 1e-300)) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }
}

struct CalibrationStudy {
    struct Cell {
        var count = 0
        var covered = 0
        var squaredError = 0.0
        var coverage: Double { Double(covered) / Double(max(count, 1)) }
        var brier: Double { squaredError / Double(max(count, 1)) }
    }

    enum Process: String, CaseIterable {
        case independent = "independent normal increments, weekly"
        case overdispersed = "overdispersed gamma increments, weekly"
        case autocorrelated = "AR(1) increments (ρ = 0.6), weekly"
        case monthly = "independent normal increments, monthly"
        case quarterly = "independent normal increments, quarterly (few points)"
        case level = "level: random walk with drift, weekly"
    }

    static let asOfFractions = [0.25, 0.5, 0.75]
    var cells: [String: [Double: Cell]] = [:]

    var byProcess: [(String, Cell)] {
        cells.keys.sorted().map { process in (process, cells[process]!.values.reduce(into: Cell()) { $0.merge($1) }) }
    }

    var overall: Cell { cells.values.flatMap(\.values).reduce(into: Cell()) { $0.merge($1) } }

    static func run(seriesPerProcess: Int) -> CalibrationStudy {
        var study = CalibrationStudy()
        var random = SeededGenerator(state: 20_261_130)
        let baseline = try! CivilDate(parsing: "2020-01-06")
        for process in Process.allCases {
            for _ in 0..<seriesPerProcess {
                study.simulate(process, baseline: baseline, random: &random)
            }
        }
        return study
    }

    private mutating func simulate(_ process: Process, baseline: CivilDate, random: inout SeededGenerator) {
        let (step, steps) = process == .monthly ? (30, 36) : process == .quarterly ? (91, 12) : (7, 104)
        let deadline = baseline.adding(days: steps * step - 1)
        // Increments per step, with a mean drawn per series.
        let mean = 50 + 100 * random.uniform()
        var increments: [Double] = []
        var previous = 0.0
        for _ in 0..<steps {
            switch process {
            case .independent, .monthly, .quarterly: increments.append(mean + 0.4 * mean * random.normal())
            case .overdispersed: increments.append(mean * random.gamma(shape: 0.5) / 0.5)
            case .autocorrelated:
                previous = 0.6 * previous + 0.3 * mean * random.normal()
                increments.append(mean + previous)
            case .level: increments.append(-0.2 * mean + mean * random.normal())
            }
        }
        let kind: Metric.Kind = process == .level ? .level : .additive
        let start = 10_000.0
        var figures: [ObservedFigure] = []
        var total = 0.0
        for (index, increment) in increments.enumerated() {
            total += increment
            let first = baseline.adding(days: index * step)
            let last = first.adding(days: step - 1)
            if kind == .additive {
                figures.append(ObservedFigure(periodStart: first, periodEnd: last, value: Self.decimal(increment), qualifier: .exact, publishedOn: last))
            } else {
                figures.append(ObservedFigure(periodStart: nil, periodEnd: last, value: Self.decimal(start + total), qualifier: .exact, publishedOn: last))
            }
        }
        let outcome = total
        // A target near what the series is expected to reach, so that meeting it is uncertain.
        let expected = (process == .level ? -0.2 : 1) * mean * Double(steps)
        let targetChange = expected * (0.85 + 0.3 * random.uniform())
        let metric = Metric(key: "m", name: "m", unit: "u", kind: kind)
        let commitment = Commitment(
            key: "c", title: "c", metric: "m",
            baseline: .init(date: kind == .additive ? baseline : baseline.adding(days: -1), value: kind == .level ? Self.decimal(start) : nil),
            target: .change(Self.decimal(targetChange)), comparison: targetChange >= 0 ? .atLeast : .atMost,
            deadline: DatePeriod(last: deadline, precision: .day), milestones: [])
        let met = targetChange >= 0 ? outcome >= targetChange : outcome <= targetChange
        for fraction in Self.asOfFractions {
            let asOf = baseline.adding(days: Int(Double(steps * step) * fraction))
            let a = Assessor.assess(commitment, metric: metric, figures: figures, asOf: asOf)
            guard let low = a.projection.valueAtDeadlineLow, let high = a.projection.valueAtDeadlineHigh,
                let probability = a.probabilityMet
            else {
                Issue.record("\(process) as of \(fraction): no range or probability (status \(a.status))")
                continue
            }
            let base = kind == .level ? start : 0
            var cell = cells[process.rawValue, default: [:]][fraction, default: Cell()]
            cell.count += 1
            if low <= outcome + base && outcome + base <= high { cell.covered += 1 }
            cell.squaredError += (probability - (met ? 1 : 0)) * (probability - (met ? 1 : 0))
            cells[process.rawValue, default: [:]][fraction] = cell
        }
    }

    private static func decimal(_ value: Double) -> Decimal { Decimal(string: String(format: "%.2f", value))! }

    /// Coverage and Brier score by process and as-of point, as a Markdown table.
    func table() -> String {
        var lines = ["| process | as of 25% | as of 50% | as of 75% | Brier |", "| --- | ---: | ---: | ---: | ---: |"]
        for (process, all) in byProcess {
            let row = Self.asOfFractions.map { cells[process]![$0].map { String(format: "%.1f%%", $0.coverage * 100) } ?? "–" }
            lines.append("| \(process) | " + row.joined(separator: " | ") + String(format: " | %.3f |", all.brier))
        }
        let total = overall
        let byFraction = Self.asOfFractions.map { fraction in
            let cell = cells.values.compactMap { $0[fraction] }.reduce(into: Cell()) { $0.merge($1) }
            return String(format: "%.1f%%", cell.coverage * 100)
        }
        lines.append(
            String(format: "| all: %d assessments, %.1f%% covered | ", total.count, total.coverage * 100) + byFraction.joined(separator: " | ")
                + String(format: " | %.3f |", total.brier))
        return lines.joined(separator: "\n")
    }
}

extension CalibrationStudy.Cell {
    mutating func merge(_ other: Self) {
        count += other.count
        covered += other.covered
        squaredError += other.squaredError
    }
}
