import HeadwayModel

/// The JSON report: per commitment every field DESIGN.md lists, and `as_of` at the top.
public enum JSONReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate) -> String {
        var text = ""
        write(assessments, asOf: asOf) { text += $0 }
        return text
    }

    /// Writes the report piece by piece (one commitment at a time), so a large report is never
    /// held in memory whole. The bytes are the same as `render`'s.
    public static func write(_ assessments: [Assessment], asOf: CivilDate, to output: (String) -> Void) {
        output("{\n  \"as_of\": \"\(asOf)\",\n  \"method_version\": \(JSONValue.quote(Assessment.methodVersion)),\n  \"commitments\": ")
        if assessments.isEmpty {
            output("[]\n}\n")
            return
        }
        output("[\n")
        for (index, assessment) in assessments.enumerated() {
            var piece = Array("    ".utf8)
            value(assessment).write(to: &piece, indent: 4, pretty: true)
            piece.append(contentsOf: (index == assessments.count - 1 ? "\n" : ",\n").utf8)
            output(String(decoding: piece, as: UTF8.self))
        }
        output("  ]\n}\n")
    }

    /// One assessment as a JSON object. Without the series it is what `headway.assessments.result`
    /// keeps: the series can be derived again from the figures, and would multiply the table's size.
    public static func value(_ assessment: Assessment, includeSeries: Bool = true) -> JSONValue {
        let pace = assessment.pace
        let projection = assessment.projection
        var fields: [(String, JSONValue)] = [
            ("key", .string(assessment.key)),
            ("title", .string(assessment.title)),
            ("metric", .string(assessment.metric)),
            ("unit", .string(assessment.unit)),
            ("kind", .string(assessment.kind.rawValue)),
            ("status", .string(assessment.status.rawValue)),
            ("as_of", .date(assessment.asOf)),
            ("baseline", .object([("date", .date(assessment.baselineDate)), ("value", .decimal(assessment.baselineValue))])),
            ("target", .object([
                ("value", .decimal(assessment.targetValue)), ("progress", .decimal(assessment.targetProgress)),
                ("comparison", .string(assessment.comparison.rawValue)), ("over", assessment.over.map { .string($0.rawValue) } ?? .null),
            ])),
            ("deadline", .date(assessment.deadline)),
            ("latest", assessment.latest.map { latest in
                .object([("date", .date(latest.date)), ("value", .decimal(latest.value)), ("qualifier", .string(latest.qualifier.rawValue)),
                         ("derived_from", .array(latest.derivedFrom.map { .string($0) }))])
            } ?? .null),
            ("progress", .decimal(assessment.progress)),
            ("percent_complete", .double(assessment.percentComplete)),
            ("percent_time_elapsed", .double(assessment.percentTimeElapsed)),
            ("achieved_on", .date(assessment.achievedOn)),
            ("days_early", .int(assessment.daysEarly)),
            ("pace", .object([
                ("average_per_day", .double(pace.averagePerDay)), ("recent_per_day", .double(pace.recentPerDay)),
                ("required_per_day", .double(pace.requiredPerDay)), ("required_from_now_per_day", .double(pace.requiredFromNowPerDay)),
            ])),
            ("projection", .object([
                ("method", .string(Assessment.Projection.method)),
                ("value_at_deadline", .double(projection.valueAtDeadline)),
                ("value_at_deadline_low", .double(projection.valueAtDeadlineLow)),
                ("value_at_deadline_high", .double(projection.valueAtDeadlineHigh)),
                ("completion_date", .date(projection.completionDate)),
                ("completion_date_low", .date(projection.completionDateLow)),
                ("completion_date_high", .date(projection.completionDateHigh)),
            ])),
            ("probability_met", .double(assessment.probabilityMet)),
            ("reason", .string(assessment.reason)),
            ("schedule_variance_days", .int(assessment.scheduleVarianceDays)),
        ]
        if includeSeries {
            fields.append(
                ("series", .array(assessment.series.map { point in
                    .object([
                        ("date", .date(point.date)), ("progress", .decimal(point.progress)),
                        ("qualifier", .string(point.qualifier?.rawValue)), ("trajectory", .double(point.trajectory)),
                    ])
                })))
        }
        return .object(fields)
    }
}
