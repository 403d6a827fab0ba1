import Foundation
import HeadwayModel

/// The planned trajectory: straight lines from the baseline through the milestones to the target.
struct Trajectory {
    /// (offset in days, planned progress), increasing offsets.
    let knots: [(x: Double, y: Double)]
    /// Additive plans start counting at the end of the day before the baseline (offset 0).
    private let kind: Metric.Kind

    init(commitment: Commitment, origin offset: (CivilDate) -> Double, baselineValue: Decimal, target: Decimal, kind: Metric.Kind) {
        var knots: [(Double, Double)] = [(0, 0)]
        for milestone in commitment.milestones {
            // Milestones are stated like the target: an amount since the baseline, or a level.
            let planned = kind == .additive ? milestone.value : milestone.value - baselineValue
            knots.append((offset(milestone.date), planned.double))
        }
        knots.append((offset(commitment.deadline.last), target.double))
        self.knots = knots
        self.kind = kind
    }

    /// Planned progress at offset `x`, extended beyond the ends along the end segments.
    func planned(at x: Double) -> Double {
        let index = segment(containing: x)
        let (a, b) = (knots[index], knots[index + 1])
        return b.x == a.x ? b.y : a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
    }

    /// The offset at which the plan reaches `progress` (the first crossing), extended beyond the
    /// ends along the end segments; nil when the plan never moves.
    func offsetReaching(_ progress: Double) -> Double? {
        for index in 0..<(knots.count - 1) {
            let (a, b) = (knots[index], knots[index + 1])
            if (a.y <= progress && progress <= b.y) || (b.y <= progress && progress <= a.y), a.y != b.y {
                return a.x + (progress - a.y) * (b.x - a.x) / (b.y - a.y)
            }
        }
        let (first, second) = (knots[0], knots[1])
        let (beforeLast, last) = (knots[knots.count - 2], knots[knots.count - 1])
        // Past the target: extend the last segment; short of the start: extend the first.
        let increasing = last.y >= first.y
        if (increasing && progress > last.y) || (!increasing && progress < last.y) {
            guard last.y != beforeLast.y else { return nil }
            return last.x + (progress - last.y) * (last.x - beforeLast.x) / (last.y - beforeLast.y)
        }
        guard second.y != first.y else { return nil }
        return first.x + (progress - first.y) * (second.x - first.x) / (second.y - first.y)
    }

    private func segment(containing x: Double) -> Int {
        for index in 0..<(knots.count - 1) where x <= knots[index + 1].x { return index }
        return knots.count - 2
    }

    /// The report's series: the baseline, every progress point, the milestones and the deadline.
    /// Progress only where a figure gives it: the plan starts from nothing at the baseline, but
    /// that is the plan's origin, not a published figure.
    func series(points: [ProgressPoint], origin: CivilDate, deadline: CivilDate, offset: (CivilDate) -> Double) -> [Assessment.SeriesPoint] {
        let baseline = kind == .additive ? origin.adding(days: 1) : origin
        var byDate: [CivilDate: Assessment.SeriesPoint] = [:]
        for knot in knots.dropFirst() {
            let date = origin.adding(days: Int(knot.x))
            byDate[date] = Assessment.SeriesPoint(date: date, progress: nil, qualifier: nil, trajectory: knot.y)
        }
        byDate[baseline] = Assessment.SeriesPoint(date: baseline, progress: nil, qualifier: nil, trajectory: knots[0].y)
        for point in points {
            byDate[point.date] = Assessment.SeriesPoint(
                date: point.date, progress: point.progress, qualifier: point.qualifier, trajectory: planned(at: offset(point.date)))
        }
        return byDate.values.sorted { $0.date < $1.date }
    }
}
