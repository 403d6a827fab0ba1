import HeadwayModel

/// A chart's time axis: ticks on the first day of a month, quarter, half-year or year (or of
/// every 2, 5, 10… years), the step chosen for the span (years for more than three years,
/// quarters for one to three, months for less) and made coarser until every label, centred
/// under its tick, keeps an em clear of the next. A label that would run off the chart is moved
/// in, or left out (its tick stays) if it would then no longer stand under its tick.
///
/// ```swift
/// let axis = DateAxis(from: october2019, to: march2023, width: 580, fontSize: 12)
/// axis.ticks.map(\.label)  // ["2020", "2021", "2022", "2023"]
/// ```
public struct DateAxis: Equatable, Sendable {
    public struct Tick: Equatable, Sendable {
        public let date: CivilDate
        /// The tick's label: "2021" for yearly ticks; "Apr 2021", then "Jul", "Oct", "Jan 2022"
        /// for finer ones (the year on the first and on January); nil when left out.
        public let label: String?
        /// The tick's place, from 0 at the axis's start to `width` at its end.
        public let x: Double
        /// The label's centre: the tick's, or moved in from an end of the chart (never so far
        /// that the label no longer covers its tick).
        public let labelX: Double
    }

    public let ticks: [Tick]
    /// Months between ticks.
    public let months: Int

    /// The steps tried, in months.
    static let steps = [1, 3, 6, 12, 24, 60, 120, 240, 600, 1200]

    /// An axis from `start` to `end` drawn `width` units wide with labels at `fontSize`; labels
    /// may reach `overhang` units beyond either end (into the chart's margins).
    public init(from start: CivilDate, to end: CivilDate, width: Double, fontSize: Double, overhang: (left: Double, right: Double) = (0, 0)) {
        let span = max(1, start.days(until: end))
        let spanMonths = Double(span) / 30.44
        let preferred = spanMonths > 36 ? 12 : spanMonths >= 12 ? 3 : 1
        func place(_ date: CivilDate, _ label: String) -> Tick {
            let x = width * Double(start.days(until: date)) / Double(span)
            let half = ChartText.width(label, fontSize: fontSize) / 2
            let centre = min(max(x, half - overhang.left), width + overhang.right - half)
            return Tick(date: date, label: abs(centre - x) < half * 0.8 ? label : nil, x: x, labelX: centre)
        }
        var choice: (ticks: [Tick], months: Int) = ([], preferred)
        for months in Self.steps where months >= preferred {
            choice = (Self.dates(from: start, to: end, every: months).enumerated().map { index, date in
                place(date, Self.label(date, every: months, first: index == 0))
            }, months)
            if Self.clear(choice.ticks, fontSize: fontSize) { break }
        }
        // A span within a month or two has too few boundaries to read: its ends, as dates.
        if choice.ticks.count(where: { $0.label != nil }) < 2 && choice.months == 1 {
            choice.ticks = [place(start, start.description), place(end, end.description)]
            if !Self.clear(choice.ticks, fontSize: fontSize) { choice.ticks.removeLast() }
        }
        (ticks, months) = choice
    }

    /// The first day of every `months`-th month (counted from January of year 0) from `start` to `end`.
    static func dates(from start: CivilDate, to end: CivilDate, every months: Int) -> [CivilDate] {
        let (year, month, day) = start.components
        var index = year * 12 + month - 1 + (day == 1 ? 0 : 1)
        index = (index + months - 1) / months * months
        var dates: [CivilDate] = []
        while let date = CivilDate(year: index / 12, month: index % 12 + 1, day: 1), date <= end {
            dates.append(date)
            index += months
        }
        return dates
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func label(_ date: CivilDate, every months: Int, first: Bool) -> String {
        if months % 12 == 0 { return "\(date.year)" }
        let name = monthNames[date.month - 1]
        return first || date.month == 1 ? "\(name) \(date.year)" : name
    }

    /// Whether the labels shown, drawn at `fontSize`, keep an em clear of each other.
    static func clear(_ ticks: [Tick], fontSize: Double) -> Bool {
        var previousRight = -Double.infinity
        for tick in ticks {
            guard let label = tick.label else { continue }
            let half = ChartText.width(label, fontSize: fontSize) / 2
            if tick.labelX - half < previousRight + fontSize { return false }
            previousRight = tick.labelX + half
        }
        return true
    }
}
