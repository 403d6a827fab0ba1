import Foundation
import HeadwayModel
import Testing

@Suite struct ModelTests {
    @Test func qualifiersCombineToTheWeakest() {
        #expect(Qualifier.exact.combined(with: .exact) == .exact)
        #expect(Qualifier.exact.combined(with: .atLeast) == .atLeast)
        #expect(Qualifier.atLeast.combined(with: .atLeast) == .atLeast)
        #expect(Qualifier.atLeast.combined(with: .about) == .about)
        #expect(Qualifier.atMost.combined(with: .exact) == .atMost)
        // Opposite bounds bound nothing together.
        #expect(Qualifier.atLeast.combined(with: .atMost) == .about)
    }

    @Test func qualifierSpellings() {
        #expect(Qualifier(text: "") == .exact)
        #expect(Qualifier(text: "at_least") == .atLeast)
        #expect(Qualifier(text: "at_most") == .atMost)
        #expect(Qualifier(text: "about") == .about)
        #expect(Qualifier(text: "over") == nil)
        #expect(Qualifier(text: "EXACT") == nil)
    }

    @Test func targetsAreValuesChangesOrPercentages() throws {
        #expect(try Commitment.Target(parsing: "2000") == .value(2000))
        #expect(try Commitment.Target(parsing: "+20000") == .change(20000))
        #expect(try Commitment.Target(parsing: "-500") == .change(-500))
        #expect(try Commitment.Target(parsing: "-10%") == .percentChange(-10))
        #expect(try Commitment.Target(parsing: "+2.5%") == .percentChange(Decimal(string: "2.5")!))
        for bad in ["", "ten", "10%%", "1,000", "+", "%", "1e", "nan", "inf"] {
            #expect(throws: TargetParseError.self) { try Commitment.Target(parsing: bad) }
        }
    }

    @Test func decimalsAreExact() {
        #expect(DecimalText.parse("0.1").map(DecimalText.format) == "0.1")
        #expect(DecimalText.parse("145000000").map(DecimalText.format) == "145000000")
        #expect(DecimalText.parse("-12.50").map(DecimalText.format) == "-12.5")
        #expect(DecimalText.parse("1e6").map(DecimalText.format) == "1000000")
        // Int64's edges: the fast path must not trap on abs(Int64.min).
        for text in ["-9223372036854775808", "9223372036854775807", "-9223372036854775809", "-9.2e18"] {
            #expect(DecimalText.parse(text).map(DecimalText.format) == (text == "-9.2e18" ? "-9200000000000000000" : text))
        }
        #expect(DecimalText.parse("123456789012345678901234567890.12345678").map(DecimalText.format)
            == "123456789012345678901234567890.12345678")
        for bad in ["", "-", ".", "1.2.3", "1e", "e5", "1-2", "NaN", "Infinity", " 1", "1 ", "0x10", "1_000"] {
            #expect(DecimalText.parse(bad) == nil, "\(bad)")
        }
    }
}
