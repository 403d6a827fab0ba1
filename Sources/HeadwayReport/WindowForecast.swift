import Foundation
import HeadwayModel

/// A pledge for a rate forecast from its flow (docs/METHODS.md, section 12): the amounts over
/// periods are a cumulative series C from an anchor date, forecast by section 6's model, and each
/// future window's total is the known part of it (C(latest) − C(start − 1) where the window began
/// before the latest figure) plus the flow over the rest, whose mean and variance are closed forms
/// of the model. A window's total is never forecast from the totals of windows that share most of
/// their figures.
struct WindowForecast {
    let over: Commitment.Over
    let flow: Forecast
    /// C at the end of each day it is known, from (anchor − 1 day, 0), increasing dates.
    let cumulative: [(date: CivilDate, total: Double)]
    var latest: CivilDate { cumulative[cumulative.count - 1].date }

    /// - Parameters:
    ///   - windowEnds: the dates the figures give a window's total on, increasing.
    ///   - requiredPace: the flow a day that the target asks for, for the prior's scale.
    init?(_ over: Commitment.Over, figures: [ObservedFigure], windowEnds: [CivilDate], method: ForecastMethod, requiredPace: Double) {
        guard let last = windowEnds.last else { return nil }
        // The earliest window's start whose chain of figures reaches the latest window's end:
        // the longest unbroken flow (the latest window's own start always does).
        var anchors = windowEnds.compactMap { over.windowStart(endingOn: $0) }
        if anchors.count > 2 { anchors = [anchors[0], anchors[anchors.count - 1]] }
        for anchor in anchors {
            let points = ProgressDeriver.additive(baseline: anchor, figures: figures).filter { $0.date <= last }
            guard points.last?.date == last else { continue }
            let origin = anchor.adding(days: -1)
            let path = [(x: 0.0, y: 0.0)] + points.map { (x: Double(origin.days(until: $0.date)), y: $0.progress.double) }
            guard let flow = Forecast(method, points: path, windowDays: Double(Assessor.recentWindowDays), requiredPace: requiredPace) else { continue }
            self.over = over
            self.flow = flow
            cumulative = [(origin, 0)] + points.map { ($0.date, $0.progress.double) }
            return
        }
        return nil
    }

    /// C at the end of `date` (on or before the latest), straight between the days it is known.
    func cumulative(at date: CivilDate) -> Double {
        guard let after = cumulative.firstIndex(where: { $0.date >= date }) else { return cumulative[cumulative.count - 1].total }
        if cumulative[after].date == date || after == 0 { return cumulative[after].total }
        let (a, b) = (cumulative[after - 1], cumulative[after])
        return a.total + (b.total - a.total) * Double(a.date.days(until: date)) / Double(a.date.days(until: b.date))
    }

    /// The window ending on `end`: its known part, and the days after the latest figure that its
    /// future part starts and ends at.
    func parts(endingOn end: CivilDate) -> (known: Double, from: Double, to: Double) {
        let start = over.windowStart(endingOn: end)!.adding(days: -1)
        let known = start < latest ? cumulative(at: latest) - cumulative(at: max(start, cumulative[0].date)) : 0
        return (known, Double(max(0, latest.days(until: start))), Double(latest.days(until: end)))
    }

    /// The total of the window ending on `end`: its central value and its standard deviation.
    func total(endingOn end: CivilDate) -> (central: Double, spread: Double) {
        let (known, from, to) = parts(endingOn: end)
        return (known + flow.drift * (to - from), flow.spreadOfChange(from: from, to: to))
    }

    /// The chance that a window ending after the latest figure and by `deadline` totals at least
    /// (`above`) or at most `target`, by simulation: `paths` futures of the flow at `cadence` days
    /// a step (the figures' own), each drawn from the model — a pace drawn from its estimate's
    /// uncertainty, then wandering, increments with their noise, all scaled by one draw of
    /// √(ν/χ²_ν) so that a path's spread follows Student's t — and every window ending on a step
    /// checked. A fixed seed keeps the answer byte-stable.
    func probability(reaching target: Double, by deadline: CivilDate, above: Bool, cadence: Double, paths: Int = 1000) -> Double {
        let horizon = Double(latest.days(until: deadline))
        guard horizon > 0 else { return 0 }
        let steps = max(1, min(240, Int((horizon / max(cadence, 1)).rounded(.up))))
        let step = horizon / Double(steps)
        let windowStart = over.windowStart(endingOn: deadline)!
        let windowDays = Double(windowStart.days(until: deadline) + 1)
        let lag = Int((windowDays / step).rounded())
        // What each window ending on a step already holds.
        let known: [Double] = (1...steps).map { k in parts(endingOn: latest.adding(days: Int((Double(k) * step).rounded()))).known }
        let sigma = flow.dispersion.squareRoot()
        let paceSpread = sigma * flow.slopeVariance.squareRoot()
        let freedom = Int(flow.degreesOfFreedom.rounded())
        var random = SplitMix64(state: 0x4865_6164_7761_7921)
        var hits = 0
        var future = [Double](repeating: 0, count: steps + 1)
        for _ in 0..<paths {
            var scale = 1.0
            if freedom < 100 {
                var chiSquare = 0.0
                for _ in 0..<freedom { let z = random.normal(); chiSquare += z * z }
                scale = (Double(freedom) / max(chiSquare, 1e-12)).squareRoot()
            }
            var pace = flow.drift + scale * paceSpread * random.normal()
            var hit = false
            for k in 1...steps {
                pace += scale * (flow.wander * step).squareRoot() * random.normal()
                future[k] = future[k - 1] + pace * step + scale * sigma * step.squareRoot() * random.normal()
                let total = known[k - 1] + future[k] - (k - lag > 0 ? future[k - lag] : 0)
                if above ? total >= target : total <= target {
                    hit = true
                    break
                }
            }
            hits += hit ? 1 : 0
        }
        return Double(hits) / Double(paths)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small generator whose seed fixes every draw (the
/// calibration studies of the tests use it too).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Box–Muller.
    public mutating func normal() -> Double {
        let u = max(uniform(), 1e-300)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }
}
