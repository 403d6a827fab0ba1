import Foundation
import HeadwayModel

/// One point of a commitment's progress: the amount since the baseline (additive) or the change
/// in level since the baseline (level), known at `date`.
public struct ProgressPoint: Sendable, Equatable {
    public var date: CivilDate
    public var progress: Decimal
    /// The metric's own value there: the amount since the baseline, or the level.
    public var value: Decimal
    /// The weakest qualifier of the figures it came from.
    public var qualifier: Qualifier
    /// The figures it came from (shared between the points of a chain).
    var provenance: Provenance

    /// The figures it came from, as "period_start..period_end#revision"; a leading "-" marks a
    /// subtracted figure.
    public var derivedFrom: [String] { provenance.references }

    /// Each point's `derivedFrom` as JSON array text, made from each other along their chains
    /// (a running total's point n names n figures: written one by one, that is most of an
    /// answer's work), and every figure they name, without the "-" of a subtracted one.
    public static func derivedFromJSON(_ points: [ProgressPoint]) -> (texts: [String], named: Set<String>) {
        var named: Set<String> = []
        var made: [ObjectIdentifier: [UInt8]] = [:]
        let texts = points.map { String(decoding: $0.provenance.referencesJSON(named: &named, made: &made), as: UTF8.self) }
        return (texts, named)
    }

    public static func == (lhs: ProgressPoint, rhs: ProgressPoint) -> Bool {
        lhs.date == rhs.date && lhs.progress == rhs.progress && lhs.value == rhs.value && lhs.qualifier == rhs.qualifier
            && lhs.derivedFrom == rhs.derivedFrom
    }
}

/// Which figures a point came from. A chain of monthly figures shares its links, so a series of
/// n points costs n links rather than n² references.
final class Provenance: Sendable {
    private let reference: String?
    private let previous: Provenance?
    private let subtracted: Provenance?
    let count: Int

    static let none = Provenance(reference: nil, previous: nil, subtracted: nil, count: 0)

    private init(reference: String?, previous: Provenance?, subtracted: Provenance?, count: Int) {
        self.reference = reference
        self.previous = previous
        self.subtracted = subtracted
        self.count = count
    }

    func adding(_ reference: String) -> Provenance {
        Provenance(reference: reference, previous: self, subtracted: nil, count: count + 1)
    }

    func minus(_ other: Provenance) -> Provenance {
        Provenance(reference: nil, previous: self, subtracted: other, count: count + other.count)
    }

    /// The references as a JSON array's text, and each figure named in it (without "-") added
    /// to `named`. Texts already made are in `made` (by link): a link's text is that of the
    /// nearest link before it that has one, and the names after it, so the points of a chain
    /// are made from each other and no string is quoted twice. Only the links asked for keep
    /// a text (the points' own, and those a difference is made of), and a chain is walked by a
    /// loop, not by recursion: a running total begun years before over daily figures is a
    /// chain of thousands. Same order as `references`.
    func referencesJSON(named: inout Set<String>, made: inout [ObjectIdentifier: [UInt8]]) -> [UInt8] {
        if let known = made[ObjectIdentifier(self)] { return known }
        var text: [UInt8]
        if let subtracted {
            text = previous?.referencesJSON(named: &named, made: &made) ?? Array("[]".utf8)
            let other = subtracted.referencesJSON(named: &named, made: &made)
            // Each of the subtracted figures' strings, with a "-" after its opening quote.
            var minus: [UInt8] = []
            var inString = false, escaped = false
            for byte in other.dropFirst().dropLast() {
                minus.append(byte)
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                    minus.append(UInt8(ascii: "-"))
                }
            }
            if !minus.isEmpty {
                text.removeLast()
                if text.count > 1 { text.append(UInt8(ascii: ",")) }
                text += minus
                text.append(UInt8(ascii: "]"))
            }
        } else {
            // Back along the chain to a link with a text, or to its end (as `references`: a
            // link that is not a figure's ends it).
            var names: [String] = []
            var link: Provenance? = self
            var start: [UInt8]?
            while let current = link, let reference = current.reference {
                if let known = made[ObjectIdentifier(current)] {
                    start = known
                    break
                }
                names.append(reference)
                link = current.previous
            }
            text = start ?? Array("[]".utf8)
            text.removeLast()
            for name in names.reversed() {
                if text.count > 1 { text.append(UInt8(ascii: ",")) }
                JSONValue.appendQuoted(name, to: &text)
                named.insert(name)
            }
            text.append(UInt8(ascii: "]"))
        }
        made[ObjectIdentifier(self)] = text
        return text
    }

    var references: [String] {
        var result: [String] = []
        if let subtracted {
            result = (previous?.references ?? []) + subtracted.references.map { "-" + $0 }
        } else {
            var node: Provenance? = self
            while let current = node, let reference = current.reference {
                result.append(reference)
                node = current.previous
            }
            result.reverse()
        }
        return result
    }
}

/// An observation as the report sees it: the revision current at the as-of date.
public struct ObservedFigure: Sendable, Equatable {
    public var periodStart: CivilDate?
    public var periodEnd: CivilDate
    public var value: Decimal
    public var qualifier: Qualifier
    public var revision: Int
    public var publishedOn: CivilDate

    public init(periodStart: CivilDate?, periodEnd: CivilDate, value: Decimal, qualifier: Qualifier, revision: Int = 1, publishedOn: CivilDate) {
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.value = value
        self.qualifier = qualifier
        self.revision = revision
        self.publishedOn = publishedOn
    }

    var reference: String { Self.reference(start: periodStart, end: periodEnd, revision: revision) }

    /// "period_start..period_end#revision" (nothing before ".." for a level), as a point's
    /// `derived_from` names a figure. Written byte by byte into one string: an answer names
    /// every figure it lists, and the derivation each figure it chains.
    public static func reference(start: CivilDate?, end: CivilDate, revision: Int) -> String {
        String(unsafeUninitializedCapacity: 44) { bytes in
            var at = start?.write(to: bytes, at: 0) ?? 0
            bytes[at] = UInt8(ascii: ".")
            bytes[at + 1] = UInt8(ascii: ".")
            at = end.write(to: bytes, at: at + 2)
            bytes[at] = UInt8(ascii: "#")
            at += 1
            for byte in String(revision).utf8 {
                bytes[at] = byte
                at += 1
            }
            return at
        }
    }
}

/// Derives a progress series from published figures (DESIGN.md, "Deriving progress").
public enum ProgressDeriver {
    /// Additive metrics: progress over [B, t] from running totals that start at B, from periods
    /// that chain from B, or from differences of chains with a common earlier start S
    /// (total[S, t] − total[S, B−1]). Where several derivations reach the same t, the one built
    /// from the fewest figures wins (a published total beats a sum of its parts).
    public static func additive(baseline: CivilDate, figures: [ObservedFigure]) -> [ProgressPoint] {
        let dayBefore = baseline.adding(days: -1)
        var best: [CivilDate: ProgressPoint] = [:]
        func consider(_ point: ProgressPoint) {
            if let existing = best[point.date], existing.provenance.count <= point.provenance.count { return }
            best[point.date] = point
        }
        // Chains from B itself, and from an earlier start S only where some figure from S spans B
        // (a running total begun before the baseline): otherwise the difference adds nothing.
        var starts: Set<CivilDate> = [baseline]
        for figure in figures {
            if let start = figure.periodStart, start < baseline, figure.periodEnd >= baseline { starts.insert(start) }
        }
        for start in starts.sorted() {
            let chains = chainsFrom(start, figures)
            if start == baseline {
                for (date, chain) in chains { consider(chain.point(date: date)) }
            } else if let prefix = chains[dayBefore] {
                // total[S, t] − total[S, B−1]: the subtracted part's bound flips.
                for (date, chain) in chains where date > dayBefore {
                    consider(
                        ProgressPoint(
                            date: date, progress: chain.sum - prefix.sum, value: chain.sum - prefix.sum,
                            qualifier: chain.qualifier.combined(with: prefix.qualifier.negated),
                            provenance: chain.provenance.minus(prefix.provenance)))
                }
            }
        }
        return best.values.sorted { $0.date < $1.date }
    }

    /// Level metrics: each level observed after the baseline, less the baseline level.
    public static func level(baseline: CivilDate, baselineValue: Decimal, baselineQualifier: Qualifier = .exact, figures: [ObservedFigure]) -> [ProgressPoint] {
        figures.filter { $0.periodEnd > baseline }.sorted { $0.periodEnd < $1.periodEnd }.map { figure in
            ProgressPoint(
                date: figure.periodEnd, progress: figure.value - baselineValue, value: figure.value,
                qualifier: figure.qualifier.combined(with: baselineQualifier.negated), provenance: Provenance.none.adding(figure.reference))
        }
    }

    /// The level at or just before `date`, for a baseline given only as a date.
    public static func levelAt(_ date: CivilDate, figures: [ObservedFigure]) -> ObservedFigure? {
        figures.filter { $0.periodEnd <= date }.max { $0.periodEnd < $1.periodEnd }
    }

    /// Pledges for a rate (`over: year`, `quarter`, `month`): at each date t on which the figures
    /// tile the window ending at t exactly — one annual figure, four quarters, twelve months, or
    /// any mix of contiguous periods, with no gap and no overlap — that window's total, as a level
    /// less `baselineValue`. Dates after the baseline only; a window that cannot be tiled gives no
    /// point (it is not guessed).
    public static func window(
        _ over: Commitment.Over, baseline: CivilDate, baselineValue: Decimal, baselineQualifier: Qualifier = .exact, figures: [ObservedFigure]
    ) -> [ProgressPoint] {
        let tiler = WindowTiler(over, figures: figures)
        return tiler.ends.filter { $0 > baseline }.compactMap { end in
            tiler.total(endingOn: end).map { chain in
                ProgressPoint(
                    date: end, progress: chain.sum - baselineValue, value: chain.sum,
                    qualifier: chain.qualifier.combined(with: baselineQualifier.negated), provenance: chain.provenance)
            }
        }
    }

    /// The total over the latest window ending at or before `date` that the figures tile.
    public static func windowTotal(_ over: Commitment.Over, endingBy date: CivilDate, figures: [ObservedFigure]) -> (value: Decimal, qualifier: Qualifier)? {
        let tiler = WindowTiler(over, figures: figures)
        for end in tiler.ends.reversed() where end <= date {
            if let chain = tiler.total(endingOn: end) { return (chain.sum, chain.qualifier) }
        }
        return nil
    }

    /// Why the latest figure after `date` gives no window total, or nil when every such figure's
    /// window is tiled (or there is none): "the year to 2024-03-31 (from 2023-04-01) is not
    /// covered exactly by the figures published: a gap, or periods that overlap".
    public static func untiledWindow(_ over: Commitment.Over, after date: CivilDate, figures: [ObservedFigure]) -> String? {
        let tiler = WindowTiler(over, figures: figures)
        guard let end = tiler.ends.last, end > date, tiler.total(endingOn: end) == nil, let start = over.windowStart(endingOn: end) else {
            return nil
        }
        return "the \(over.rawValue) to \(end) (from \(start)) is not covered exactly by the figures published: a gap, or periods that overlap; "
            + "no total is guessed"
    }

    /// Tiles windows of one length from amounts over periods, shortest chain first.
    private struct WindowTiler {
        let over: Commitment.Over
        /// Figures over periods, by start then end.
        let figures: [ObservedFigure]
        /// Every period end: the dates a window may end on.
        let ends: [CivilDate]

        init(_ over: Commitment.Over, figures: [ObservedFigure]) {
            self.over = over
            self.figures = figures.filter { $0.periodStart != nil }.sorted { ($0.periodStart!, $0.periodEnd) < ($1.periodStart!, $1.periodEnd) }
            self.ends = Array(Set(self.figures.map(\.periodEnd))).sorted()
        }

        func total(endingOn end: CivilDate) -> Chain? {
            guard let start = over.windowStart(endingOn: end) else { return nil }
            // Figures from the window's start on, in order: binary search for the first.
            var (low, high) = (0, figures.count)
            while low < high {
                let middle = (low + high) / 2
                if figures[middle].periodStart! < start { low = middle + 1 } else { high = middle }
            }
            var reached: [CivilDate: Chain] = [start.adding(days: -1): Chain(sum: 0, qualifier: .exact, provenance: .none)]
            for figure in figures[low...] {
                let periodStart = figure.periodStart!
                if periodStart > end { break }
                guard figure.periodEnd <= end, let before = reached[periodStart.adding(days: -1)] else { continue }
                let chain = Chain(
                    sum: before.sum + figure.value, qualifier: before.qualifier.combined(with: figure.qualifier),
                    provenance: before.provenance.adding(figure.reference))
                if let existing = reached[figure.periodEnd], existing.provenance.count <= chain.provenance.count { continue }
                reached[figure.periodEnd] = chain
            }
            return reached[end]
        }
    }

    private struct Chain {
        var sum: Decimal
        var qualifier: Qualifier
        var provenance: Provenance
        func point(date: CivilDate) -> ProgressPoint {
            ProgressPoint(date: date, progress: sum, value: sum, qualifier: qualifier, provenance: provenance)
        }
    }

    /// Every end date reachable by chaining contiguous periods from `start`, with the shortest chain.
    private static func chainsFrom(_ start: CivilDate, _ figures: [ObservedFigure]) -> [CivilDate: Chain] {
        var reached: [CivilDate: Chain] = [start.adding(days: -1): Chain(sum: 0, qualifier: .exact, provenance: .none)]
        let candidates = figures.filter { $0.periodStart.map { $0 >= start } ?? false }.sorted {
            ($0.periodStart!, $0.periodEnd) < ($1.periodStart!, $1.periodEnd)
        }
        for figure in candidates {
            guard let periodStart = figure.periodStart, let before = reached[periodStart.adding(days: -1)] else { continue }
            let chain = Chain(
                sum: before.sum + figure.value, qualifier: before.qualifier.combined(with: figure.qualifier),
                provenance: before.provenance.adding(figure.reference))
            if let existing = reached[figure.periodEnd], existing.provenance.count <= chain.provenance.count { continue }
            reached[figure.periodEnd] = chain
        }
        reached.removeValue(forKey: start.adding(days: -1))
        return reached
    }
}

extension Qualifier {
    /// The qualifier of a subtracted figure: "at least x" subtracted bounds the result from above.
    public var negated: Qualifier {
        switch self {
        case .atLeast: .atMost
        case .atMost: .atLeast
        default: self
        }
    }
}
