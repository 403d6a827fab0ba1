import Foundation
import HeadwayReport

/// The report's seeded generator (SplitMix64): the same seed gives the same inputs, so a failure
/// can be replayed with HEADWAY_FUZZ_SEED.
public typealias SplitMix64 = HeadwayReport.SplitMix64

extension SplitMix64 {
    public init(seed: UInt64) { self.init(state: seed) }
}

/// Mutation fuzzing within a time budget: inputs grown from a corpus of valid examples by byte
/// flips, insertions of tokens that matter to the format, deletions, duplications, splices and
/// truncations. Every input goes to `body`, which checks its own properties (no crash, a clear
/// error); the time of the slowest input shows there is no hang.
public enum Fuzz {
    public struct Report: CustomStringConvertible {
        public var inputs = 0
        public var rejected = 0
        public var slowestSeconds = 0.0
        public var seed: UInt64 = 0
        public var description: String {
            "\(inputs) inputs, \(rejected) rejected, slowest \(String(format: "%.1f", slowestSeconds * 1000)) ms, seed \(seed)"
        }
    }

    /// Seconds per fuzzed target: HEADWAY_FUZZ_SECONDS, else 4.
    public static var budget: Double { ProcessInfo.processInfo.environment["HEADWAY_FUZZ_SECONDS"].flatMap(Double.init) ?? 4 }

    /// Runs `body` on mutated inputs until the budget is spent; `body` returns whether the input
    /// was rejected (with a clear error, which it checks).
    public static func run(corpus: [[UInt8]], tokens: [[UInt8]], _ body: ([UInt8]) throws -> Bool) rethrows -> Report {
        let seed = ProcessInfo.processInfo.environment["HEADWAY_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        var report = Report(seed: seed)
        let deadline = Date().addingTimeInterval(budget)
        // The corpus itself first, then mutants of it.
        var queue = corpus
        while !queue.isEmpty || Date() < deadline {
            let input = queue.popLast() ?? mutate(corpus.randomElement(using: &random)!, corpus: corpus, tokens: tokens, using: &random)
            let started = Date()
            if try body(input) { report.rejected += 1 }
            report.slowestSeconds = max(report.slowestSeconds, Date().timeIntervalSince(started))
            report.inputs += 1
        }
        return report
    }

    static func mutate(_ original: [UInt8], corpus: [[UInt8]], tokens: [[UInt8]], using random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: tokens.randomElement(using: &random)!, at: position)
            case 2 where position < bytes.count:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &random)))
            case 3 where position < bytes.count:
                let piece = bytes[position..<min(bytes.count, position + Int.random(in: 1...64, using: &random))]
                bytes.insert(contentsOf: piece, at: Int.random(in: 0...bytes.count, using: &random))
            case 4:
                let other = corpus.randomElement(using: &random)!
                if !other.isEmpty { bytes.insert(contentsOf: other[Int.random(in: 0..<other.count, using: &random)...].prefix(80), at: position) }
            case 5: bytes.removeSubrange(position...)
            default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            }
        }
        return bytes
    }
}
