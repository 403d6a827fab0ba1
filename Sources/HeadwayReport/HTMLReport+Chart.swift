import Foundation
import HeadwayModel

/// The chart of one commitment, as the HTML report and the dashboard's commitment page both
/// draw it: round value ticks with light gridlines (`ValueAxis`), date ticks at month, quarter
/// or year boundaries (`DateAxis`), the plan, the published figures, the projection's fan, the
/// target, the deadline and the as-of date.
extension HTMLReport {
    /// A chart's geometry: one for wide screens, one drawn for a phone's width (text stays
    /// at least 11 CSS pixels high wherever each is shown).
    public struct Layout: Sendable {
        let name: String
        let width, height, left, right, top, bottom, fontSize: Double
        public static let wide = Layout(name: "wide", width: 640, height: 260, left: 60, right: 16, top: 12, bottom: 28, fontSize: 12)
        public static let narrow = Layout(name: "narrow", width: 360, height: 300, left: 56, right: 10, top: 12, bottom: 30, fontSize: 13)
    }

    /// Where dates and values fall on a chart: its layout and its two axes.
    struct Plot {
        let layout: Layout
        let start: CivilDate
        let span: Double
        let values: ValueAxis
        let dates: DateAxis

        init(_ layout: Layout, from start: CivilDate, to end: CivilDate, values: [Double]) {
            self.layout = layout
            self.start = start
            span = Double(max(1, start.days(until: end)))
            self.values = ValueAxis(covering: values)
            dates = DateAxis(
                from: start, to: end, width: layout.width - layout.left - layout.right, fontSize: layout.fontSize,
                overhang: (layout.left, layout.right))
        }

        var bottom: Double { layout.height - layout.bottom }
        func x(_ date: CivilDate) -> Double { layout.left + (layout.width - layout.left - layout.right) * Double(start.days(until: date)) / span }
        func y(_ value: Double) -> Double { layout.top + (bottom - layout.top) * (1 - (value - values.low) / (values.high - values.low)) }
        func point(_ date: CivilDate, _ value: Double) -> String { "\(f(x(date))),\(f(y(value)))" }
        func points(_ values: [(date: CivilDate, value: Double)]) -> String { values.map { point($0.date, $0.value) }.joined(separator: " ") }

        /// Gridlines and labels at the value ticks, the time axis with its tick marks and labels.
        func axes() -> HTML {
            let (left, right, size) = (layout.left, layout.width - layout.right, layout.fontSize)
            let font: HTML = "font-size=\"\(Int(size))\" fill=\"#57606a\""
            let labels = values.labels(room: left - 8, fontSize: size)
            let levels = values.ticks.map(y)
            var svg: HTML = "<path d=\"\(levels.dropFirst().map { "M\(f(left)),\(f($0))H\(f(right))" }.joined())\" stroke=\"#d8dee4\" fill=\"none\"/>\n"
            for (level, label) in zip(levels, labels) {
                svg += "<text class=\"tick-y\" x=\"\(f(left - 6))\" y=\"\(f(level + size * 0.35))\" \(font) text-anchor=\"end\">\(label)</text>\n"
            }
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#8c959f\"/>\n"
            svg += "<path d=\"\(dates.ticks.map { "M\(f(left + $0.x)),\(f(bottom))v4" }.joined())\" stroke=\"#8c959f\" fill=\"none\"/>\n"
            for tick in dates.ticks {
                guard let label = tick.label else { continue }
                svg += "<text class=\"tick-x\" x=\"\(f(left + tick.labelX))\" y=\"\(f(layout.height - 8))\" \(font) text-anchor=\"middle\">\(label)</text>\n"
            }
            return svg
        }
    }

    /// A coordinate to one decimal.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The chart in the metric's own terms: x is time from the baseline to the later of the
    /// deadline and the last point; y is the amount since the baseline, or the level.
    ///
    /// `standalone`: an SVG document of its own (`/commitments/{key}/chart.svg`), with its
    /// namespace, size, font, a white background and a `<title>`, where a page's stylesheet
    /// gives none of them.
    public static func chart(_ a: Assessment, _ layout: Layout, standalone: Bool = false) -> HTML {
        let font: HTML = "font-size=\"\(Int(layout.fontSize))\""
        let start = a.series.first?.date ?? a.baselineDate
        var end = max(a.deadline, a.series.last?.date ?? a.deadline)
        if let completion = a.projection.completionDateHigh ?? a.projection.completionDate { end = max(end, min(completion, a.deadline.adding(days: 366))) }
        // Progress is a change since the baseline: the baseline level (0 for amounts) makes it the figure.
        let base = a.baselineValue?.double ?? 0
        let plan = a.baselineValue == nil ? [] : a.series.map { (date: $0.date, value: $0.trajectory + base) }
        let observed = a.series.compactMap { point in point.progress.map { (point: point, figure: $0 + (a.baselineValue ?? 0)) } }
        let projection = [a.projection.valueAtDeadlineLow, a.projection.valueAtDeadlineHigh, a.projection.valueAtDeadline].compactMap { $0 }
        let plot = Plot(layout, from: start, to: end, values: plan.map(\.value) + observed.map(\.figure.double) + projection + [a.targetValue.double, base])
        let (left, right, top, bottom) = (layout.left, layout.width - layout.right, layout.top, plot.bottom)

        let label = "\(a.title): progress against plan" + (Display.chanceInWords(a).map { "; \($0)" } ?? "")
        var svg = opening(layout, label: label, standalone: standalone)
        svg += plot.axes()
        let target = plot.y(a.targetValue.double), deadline = plot.x(a.deadline)
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(target))\" x2=\"\(f(right))\" y2=\"\(f(target))\" stroke=\"#8250df\" stroke-dasharray=\"2 3\"/>\n"
        svg += "<text x=\"\(f(left))\" y=\"\(f(target - 3))\" \(font) fill=\"#8250df\">\(fitted("target \(Display.target(a))", layout))</text>\n"
        svg += "<line x1=\"\(f(deadline))\" y1=\"\(f(top))\" x2=\"\(f(deadline))\" y2=\"\(f(bottom))\" stroke=\"#57606a\" stroke-dasharray=\"4 3\"/>\n"
        svg += "<text x=\"\(f(deadline - 4))\" y=\"\(f(bottom - 4))\" \(font) text-anchor=\"end\" fill=\"#57606a\">deadline \(a.deadline)</text>\n"
        // The as-of date ("today" unless the report looks back), where it falls inside the chart.
        if a.asOf > start && a.asOf < end && a.asOf != a.deadline {
            svg += "<line x1=\"\(f(plot.x(a.asOf)))\" y1=\"\(f(top))\" x2=\"\(f(plot.x(a.asOf)))\" y2=\"\(f(bottom))\" stroke=\"#57606a\" stroke-dasharray=\"1 3\">"
            svg += "<title>as of \(a.asOf)</title></line>\n"
        }
        if !plan.isEmpty {
            svg += "<polyline points=\"\(plot.points(plan))\" fill=\"none\" stroke=\"#8c959f\" stroke-width=\"1.5\"><title>planned trajectory</title></polyline>\n"
        }
        svg += projectionFan(a, plot)
        // Published figures only: a line through them, filled markers for exact figures, open ones otherwise.
        if !observed.isEmpty {
            svg += "<polyline points=\"\(plot.points(observed.map { ($0.point.date, $0.figure.double) }))\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>\n"
        }
        for (published, figure) in observed {
            let qualifier = published.qualifier ?? .exact
            let fill = qualifier == .exact ? "#0969da" : "#ffffff"  // a colour: nothing to escape
            let words = qualifier == .exact ? "" : qualifier.rawValue.replacingOccurrences(of: "_", with: " ") + " "
            svg += "<circle cx=\"\(f(plot.x(published.date)))\" cy=\"\(f(plot.y(figure.double)))\" r=\"4\" fill=\"\(fill)\" stroke=\"#0969da\" stroke-width=\"2\">"
            svg += "<title>\(published.date): \(words)\(Display.amount(figure, unit: a.unit))</title></circle>\n"
        }
        return svg + "</svg>\n"
    }

    /// The chart's `<svg>` tag, and for a document of its own, what a page would give it.
    static func opening(_ layout: Layout, label: String, standalone: Bool) -> HTML {
        let (width, height) = (Int(layout.width), Int(layout.height))
        let tag: HTML = "<svg class=\"\(layout.name)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(label)\""
        guard standalone else { return tag + ">\n" }
        return tag + " xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"system-ui, 'DejaVu Sans', sans-serif\">\n"
            + "<title>\(label)</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    }

    /// The projection from the latest figure to the deadline, its range a fan with its apex there.
    static func projectionFan(_ a: Assessment, _ plot: Plot) -> HTML {
        guard let latest = a.latest, let central = a.projection.valueAtDeadline, a.deadline > latest.date else { return .empty }
        var svg = HTML.empty
        let apex = plot.point(latest.date, latest.value.double)
        if let lowValue = a.projection.valueAtDeadlineLow, let highValue = a.projection.valueAtDeadlineHigh, lowValue != highValue {
            svg += "<polygon points=\"\(apex) \(plot.point(a.deadline, highValue)) \(plot.point(a.deadline, lowValue))\" fill=\"#0969da\" fill-opacity=\"0.15\">"
            svg += "<title>90% range at the deadline: \(number(lowValue))…\(number(highValue)) \(a.unit)</title></polygon>\n"
        }
        return svg + "<polyline points=\"\(apex) \(plot.point(a.deadline, central))\" fill=\"none\" stroke=\"#0969da\" stroke-dasharray=\"6 4\"><title>projection at the recent pace</title></polyline>\n"
    }

    /// Chart text cut to what fits across the plot (a long unit would run off it), with an ellipsis.
    static func fitted(_ text: String, _ layout: Layout) -> String {
        // About 0.62 em per character in the sans-serif fonts charts are drawn in.
        let fits = Int((layout.width - layout.left - layout.right) / (layout.fontSize * 0.62))
        return text.count <= fits ? text : String(text.prefix(fits - 1)) + "…"
    }
}
