import Foundation

/// Kalman's recursions for a local linear trend in continuous time, observed exactly at
/// irregular offsets (docs/METHODS.md, section 6): progress y moves at pace β with white noise
/// of variance σ² a day, and β itself is a random walk with variance q = ratio · σ² a day.
/// Over d days the state (y, β) moves by [[1, d], [0, 1]] with noise covariance
/// σ² [[d + ratio d³/3, ratio d²/2], [ratio d²/2, ratio d]]. Everything here is in units of σ²,
/// which the likelihood then estimates in closed form (it is "concentrated out").
enum TrendFilter {
    struct Fit {
        var ratio: Double
        /// The filtered pace at the latest point.
        var slope: Double
        /// Its variance, in units of σ².
        var slopeVariance: Double
        /// Σ v² / f and Σ log f over the innovations after the first interval, and their count.
        var sumOfSquares: Double
        var sumOfLogVariances: Double
        var innovations: Int
    }

    /// - Parameter points: the origin (0, 0) first, then at least one point, offsets increasing.
    static func run(_ points: [(x: Double, y: Double)], ratio: Double) -> Fit {
        // The pace starts unknown (diffuse) and progress at the origin is known, so the first
        // interval gives the pace exactly as its average, with variance 1/d + ratio·d/3; progress
        // itself is known exactly at every point, so only the pace's variance is carried.
        let first = points[1].x - points[0].x
        var slope = (points[1].y - points[0].y) / first
        var slopeVariance = 1 / first + ratio * first / 3
        var fit = Fit(ratio: ratio, slope: 0, slopeVariance: 0, sumOfSquares: 0, sumOfLogVariances: 0, innovations: 0)
        for index in points.indices.dropFirst(2) {
            let d = points[index].x - points[index - 1].x
            let predictedVariance = d * d * slopeVariance + d + ratio * d * d * d / 3
            let covariance = d * slopeVariance + ratio * d * d / 2
            let innovation = points[index].y - (points[index - 1].y + slope * d)
            fit.sumOfSquares += innovation * innovation / predictedVariance
            fit.sumOfLogVariances += log(predictedVariance)
            fit.innovations += 1
            slope += covariance / predictedVariance * innovation
            slopeVariance = slopeVariance + ratio * d - covariance * covariance / predictedVariance
        }
        fit.slope = slope
        fit.slopeVariance = slopeVariance
        return fit
    }
}
