import Foundation
import HeadwayIngest
import HeadwayModel
import Testing

@Suite struct DefinitionsReaderTests {
    private func read(_ text: String) throws -> Definitions { try DefinitionsReader.read(text: text, fileName: "d.yaml") }

    private func message(_ text: String) -> String? {
        do {
            _ = try read(text)
            return nil
        } catch {
            return (error as? InputError)?.description
        }
    }

    @Test func readsTheDesignExample() throws {
        let definitions = try read(
            """
            sources:
              - key: hl-written-answer-2024-04-05
                title: "Organised Crime: Cross Border Cooperation"
                publisher: UK Parliament
                published_on: 2024-04-05
            metrics:
              - key: county-lines-closures
                name: County lines closed
                unit: lines
                kind: additive
            commitments:
              - key: drugs-strategy-2000-closures
                title: Close over 2,000 county lines by April 2025
                metric: county-lines-closures
                made_by: HM Government (From Harm to Hope drugs strategy)
                made_on: 2021-12-06
                baseline: { date: 2022-04 }
                target: { value: 2000, comparison: at_least }
                deadline: 2025-04
            """)
        let commitment = try #require(definitions.commitments.first)
        #expect(commitment.line == 12)
        #expect(commitment.value.baseline.date.description == "2022-04-01")
        #expect(commitment.value.deadline.last.description == "2025-04-30")
        #expect(commitment.value.target == .value(2000))
        #expect(commitment.value.comparison == .atLeast)
        #expect(definitions.sources.first?.value.publishedOn?.description == "2024-04-05")
    }

    @Test func readsJSONToo() throws {
        let definitions = try read(#"{"metrics": [{"key": "m", "name": "M", "unit": "u", "kind": "level"}]}"#)
        #expect(definitions.metrics.first?.value.kind == .level)
    }

    @Test func namesFileLineAndFieldOfEachProblem() {
        let metric = "metrics:\n  - key: m\n    name: M\n    unit: u\n    kind: additive\n"
        #expect(message("metrics:\n  - key: m\n    name: M\n    unit: u\n    kind: additive\n    colour: red\n")?.hasPrefix("d.yaml:6: field colour: unknown field in a metric") == true)
        #expect(message("metrics:\n  - key: m\n    name: M\n    unit: u\n    kind: sometimes\n") == "d.yaml:5: field kind: \"sometimes\" is not additive or level")
        #expect(message("metrics:\n  - key: m\n    name: M\n    kind: level\n") == "d.yaml:2: field unit: is required in a metric")
        #expect(message(metric + metric.replacingOccurrences(of: "metrics:\n", with: ""))?.hasPrefix("d.yaml:6: field key: metric \"m\" is defined twice (first at d.yaml:2)") == true)
        #expect(message("metrics:\n  - key: m\n    key: n\n")?.hasPrefix("d.yaml:3: field key: appears twice") == true)
        #expect(message("things: []\n")?.hasPrefix("d.yaml:1: field things: unknown field in a definitions file") == true)
        #expect(message("metrics: [\n")?.hasPrefix("d.yaml:") == true)
        let commitment = """
            commitments:
              - key: c
                title: T
                metric: m
                baseline: { date: 2022-04 }
                target: { value: 2000 }
                deadline: 2025-04

            """
        #expect(message(commitment.replacingOccurrences(of: "2025-04", with: "2025-13")) == "d.yaml:7: field deadline: month 13 does not exist, got \"2025-13\"")
        #expect(message(commitment.replacingOccurrences(of: "2025-04", with: "2021-04"))?.hasPrefix("d.yaml:7: field deadline: 2021-04-30 is not after the baseline") == true)
        #expect(message(commitment.replacingOccurrences(of: "value: 2000", with: "value: \"2,000\""))?.hasPrefix("d.yaml:6: field target.value:") == true)
        #expect(message(commitment.replacingOccurrences(of: "{ value: 2000 }", with: "{ value: 2000, change: 5 }")) == "d.yaml:6: field target: has both a value and a change; give one")
        #expect(message(commitment.replacingOccurrences(of: "{ value: 2000 }", with: "{ value: 2000, comparison: more }"))?.hasPrefix("d.yaml:6: field target.comparison:") == true)
        #expect(message(commitment + "    milestones:\n      - { date: 2024-01, value: 10 }\n      - { date: 2023-01, value: 5 }\n")?.hasPrefix("d.yaml:10: field milestones: milestone dates must increase") == true)
        // Bounds: numbers, min no greater than max.
        #expect(message(metric.replacingOccurrences(of: "kind: additive\n", with: "kind: additive\n    min: 5\n    max: 1\n")) == "d.yaml:7: field max: 1 is below min 5")
        #expect(message(metric.replacingOccurrences(of: "kind: additive\n", with: "kind: additive\n    min: none\n"))?.hasPrefix("d.yaml:6: field min:") == true)
        let bounded = try? read(metric.replacingOccurrences(of: "kind: additive\n", with: "kind: additive\n    min: 0\n"))
        #expect(bounded?.metrics.first?.value.minimum == 0 && bounded?.metrics.first?.value.maximum == nil)
        // `over`: one of four words, and no window longer than the commitment's span.
        #expect(message(commitment.replacingOccurrences(of: "{ value: 2000 }", with: "{ value: 2000, over: decade }")) == "d.yaml:6: field target.over: \"decade\" is not period, year, quarter or month")
        #expect(
            message(commitment.replacingOccurrences(of: "{ value: 2000 }", with: "{ value: 2000, over: year }").replacingOccurrences(of: "2025-04", with: "2023-02"))
                == "d.yaml:6: field target.over: a year is longer than the commitment's span (2022-04-01 to 2023-02-28): its window ending on the deadline would start on 2022-03-01")
        let perYear = try? read(commitment.replacingOccurrences(of: "{ value: 2000 }", with: "{ value: 2000, over: year }"))
        #expect(perYear?.commitments.first?.value.over == .year)
        #expect(perYear?.commitments.first?.line(of: "target.over") == 6)
    }

    @Test func anUnreadableFileKeepsTheSystemsReason() {
        let error = #expect(throws: InputError.self) { try DefinitionsReader.read(path: "/nonexistent/d.yaml") }
        #expect(error?.description == "/nonexistent/d.yaml: cannot read the file: No such file or directory")
    }

    @Test func commonYAMLMistakesSayWhatToDo() {
        let metric = "metrics:\n  - key: m\n    name: M\n    unit: u\n    kind: level\n"
        // A thousands separator inside braces splits the number into two fields.
        let separated = "commitments:\n  - key: c\n    title: T\n    metric: m\n    baseline: { date: 2022-04 }\n    target: { value: 30,000 }\n    deadline: 2025-04\n"
        #expect(message(separated)?.hasPrefix("d.yaml:6: field 000: looks like the rest of a number written with a thousands separator") == true, "\(message(separated) ?? "")")
        // Outside braces it is one text, which is not a number.
        #expect(message(separated.replacingOccurrences(of: "{ value: 30,000 }", with: "\n      value: 30,000"))?.contains("without thousands separators") == true)
        // A tab for indentation.
        let tabbed = metric.replacingOccurrences(of: "    name", with: "\tname")
        #expect(message(tabbed) == "d.yaml:3: YAML indents with spaces, not tabs: replace the tab", "\(message(tabbed) ?? "")")
        // A missing colon is named on its own line, not the next.
        let colonless = metric.replacingOccurrences(of: "name: M", with: "name M")
        #expect(message(colonless) == "d.yaml:3: no ':' after the field name (write `name: value`)", "\(message(colonless) ?? "")")
    }

    @Test func changeTargetsAndTags() throws {
        let definitions = try read(
            """
            commitments:
              - key: c
                title: T
                metric: m
                baseline: { date: 2019-09-30, value: 123171 }
                target: { change: "-10%" }
                comparison: at_most
                deadline: FY2024-25
                tags: [a, b]
              - key: d
                title: T
                metric: m
                baseline: 2019
                target: "+20000"
                deadline: 2023
            """)
        #expect(definitions.commitments[0].value.target == .percentChange(-10))
        #expect(definitions.commitments[0].value.comparison == .atMost)
        #expect(definitions.commitments[0].value.baseline.value == 123171)
        #expect(definitions.commitments[0].value.tags == ["a", "b"])
        #expect(definitions.commitments[0].value.deadline.precision == .financialYear)
        #expect(definitions.commitments[1].value.target == .change(20000))
    }

    /// A tag is one line of plain text: control characters are refused at the line that holds them
    /// (a U+001F once split a tag in two on the way back from the database); separators are kept.
    @Test func tagsRefuseControlCharactersAndKeepSeparators() throws {
        let commitment = """
            {"commitments": [
              {"key": "c", "title": "T", "metric": "m", "baseline": "2022-04", "target": {"value": 1}, "deadline": "2025-04",
               "tags": ["a;b", "k=v", "", "x,y", "TAG"]}
            ]}
            """
        #expect(try read(commitment).commitments[0].value.tags == ["a;b", "k=v", "", "x,y", "TAG"])
        for control in ["\\u001f", "\\n", "\\t", "\\u007f", "\\u0085", "\\u001b[31m"] {
            let text = commitment.replacingOccurrences(of: "\"x,y\"", with: "\"x\(control)y\"")
            #expect(message(text) == "d.yaml:3: field tags: a tag must not contain control characters", "\(control)")
        }
    }
}
