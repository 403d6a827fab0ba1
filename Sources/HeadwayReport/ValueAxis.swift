import Foundation

/// A chart's value axis: round ticks ("nice numbers", steps of 1, 2, 2.5 or 5 × 10^k) from
/// the first at or below the data to the first at or above them, at most `maxTicks` of them,
/// with labels a reader can read a value off. The axis starts at zero unless the data are far
/// from it: when the smallest value plotted is more than half the largest (a level of 140,000
/// to 150,000 officers), the ticks start near the data instead.
///
/// ```swift
/// let axis = ValueAxis(covering: [0, 20_951])
/// axis.ticks             // [0, 5000, 10000, 15000, 20000, 25000]
/// axis.labels()          // ["0", "5,000", "10,000", "15,000", "20,000", "25,000"]
/// ```
public struct ValueAxis: Equatable, Sendable {
    /// The tick values, lowest first; the first and last are the ends of the axis.
    public let ticks: [Double]
    /// The distance between ticks.
    public let step: Double
    /// The step's decimal exponent k (step = m × 10^k, m in 1, 2, 2.5, 5).
    private let exponent: Int
    private let mantissa: Double

    public var low: Double { ticks.first ?? 0 }
    public var high: Double { ticks.last ?? 1 }

    /// The steps m × 10^k tried, smallest first, for each decade.
    static let mantissas: [Double] = [1, 2, 2.5, 5]

    /// An axis over `values` (none, or none finite: 0 to 1) with at most `maxTicks` ticks (at least 2).
    public init(covering values: [Double], maxTicks: Int = 6) {
        let values = values.filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        // A count starts at zero unless the data are far from it.
        if low >= 0 && low <= high / 2 { low = 0 }
        if high <= 0 && high >= low / 2 { high = 0 }
        if high == low { (low, high) = low > 0 ? (0, high) : low < 0 ? (low, 0) : (0, 1) }
        let limit = max(2, maxTicks)
        // The smallest nice step that spans the data in `limit` ticks or fewer.
        var exponent = Int((log10((high - low) / Double(limit))).rounded(.down)) - 1
        while true {
            for mantissa in Self.mantissas {
                let step = mantissa * pow(10, Double(exponent))
                // (The tolerance forgives rounding: 0.3 / 0.1 is 2.9999999999999996.)
                let bottom = (low / step + 1e-9).rounded(.down), top = (high / step - 1e-9).rounded(.up)
                if Int(top - bottom) + 1 <= limit {
                    self.step = step
                    self.exponent = exponent
                    self.mantissa = mantissa
                    self.ticks = stride(from: bottom, through: top, by: 1).map { $0 * step }
                    return
                }
            }
            exponent += 1
        }
    }

    /// The labels for the ticks, each no wider than `room` at `fontSize` where that can be done:
    /// in millions ("2.5m") or billions ("1.2bn") when the largest tick reaches them, else
    /// grouped ("25,000"), else in thousands ("150k") when grouped labels would be too wide.
    public func labels(room: Double = .infinity, fontSize: Double = 12) -> [String] {
        let largest = ticks.map(abs).max() ?? 0
        let natural: (scale: Int, suffix: String) = largest >= 1e9 ? (9, "bn") : largest >= 1e6 ? (6, "m") : (0, "")
        let grouped = labels(scale: natural.scale, suffix: natural.suffix)
        guard natural.scale == 0, largest >= 1e3, grouped.contains(where: { ChartText.width($0, fontSize: fontSize) > room }) else {
            return grouped
        }
        return labels(scale: 3, suffix: "k")
    }

    /// Each tick divided by 10^scale, with as many decimals as the step needs there.
    private func labels(scale: Int, suffix: String) -> [String] {
        let shifted = exponent - scale
        let decimals = max(0, -shifted + (mantissa == 2.5 ? 1 : 0))
        return ticks.map { tick in
            let text = String(format: "%.\(decimals)f", tick / pow(10, Double(scale)))
            // Zero as "0" (not "0.00", "-0" or "0m").
            return Double(text) == 0 ? "0" : Display.grouped(text) + suffix
        }
    }
}
