/// A commitment's status as a small badge (`/badges/{key}.svg`), drawn as shields.io draws
/// theirs (flat, 20 px high, a grey label and a coloured value): "headway | ▲ at risk · 31%".
/// The status is in words and a mark, never colour alone; every colour holds white text at a
/// contrast of 4.5:1 or more; the whole is one image with a `<title>` (`role="img"`), whose text
/// says the title, status and chance in words.
public enum StatusBadge {
    /// The badge of a commitment titled `title` whose stored status is `status` (nil: not
    /// assessed yet) with probability `probability` of meeting its target.
    public static func svg(title: String, status: Assessment.Status?, probability: Double?) -> HTML {
        var value = status.map { "\(Display.mark($0)) \(Display.words($0))" } ?? "– not assessed"
        if let status, Display.chanceInWords(status, probability: probability) != nil {
            value += " · " + Display.probability(probability)
        }
        var description = "\(title): " + (status.map(Display.words) ?? "not assessed yet")
        if let status, let chance = Display.chanceInWords(status, probability: probability) {
            description += ", \(chance) (\(Display.probability(probability)))"
        }
        return draw(label: "headway", value: value, colour: status.map(colour) ?? neutral, description: description)
    }

    /// The badge of a key with no commitment.
    public static let unknown = draw(label: "headway", value: "no such commitment", colour: neutral, description: "No commitment with this key")

    /// The label's background, and the value's for a status with no colour of its own.
    public static let label = "#555555"
    public static let neutral = "#57606a"

    /// The value's background: the dashboard's colour of the status, darkened where white text
    /// on it would fall short of 4.5:1.
    public static func colour(_ status: Assessment.Status) -> String {
        switch status {
        case .achieved, .onTrack: "#1a7f37"
        case .achievedLate, .atRisk: "#9a6700"
        case .offTrack: "#cf222e"
        case .missed: "#82071e"
        case .awaitingData: "#0969da"
        case .notStarted, .insufficientData: neutral
        }
    }

    /// The label and value and their backgrounds, each text's box its estimated width
    /// (`ChartText`, the widest common font) with 6 px either side.
    static func draw(label text: String, value: String, colour: String, description: String) -> HTML {
        let fontSize = 11.0
        let left = (ChartText.width(text, fontSize: fontSize) + 12).rounded(.up)
        let right = (ChartText.width(value, fontSize: fontSize) + 12).rounded(.up)
        let width = Int(left + right)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="20" viewBox="0 0 \(width) 20" role="img" aria-label="\(description)">
            <title>\(description)</title>
            <rect width="\(Int(left))" height="20" fill="\(label)"/>
            <rect x="\(Int(left))" width="\(Int(right))" height="20" fill="\(colour)"/>
            <g fill="#ffffff" font-family="Verdana, 'DejaVu Sans', sans-serif" font-size="\(Int(fontSize))" text-anchor="middle" aria-hidden="true">
            <text x="\(HTMLReport.f(left / 2))" y="14">\(text)</text>
            <text x="\(HTMLReport.f(left + right / 2))" y="14">\(value)</text>
            </g>
            </svg>

            """
    }
}
