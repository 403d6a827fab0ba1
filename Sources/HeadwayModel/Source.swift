/// Where figures were published: a written answer, a statistical release, a speech.
public struct Source: Hashable, Sendable {
    public var key: String
    public var title: String
    public var publisher: String?
    public var url: String?
    public var publishedOn: CivilDate?

    public init(key: String, title: String, publisher: String? = nil, url: String? = nil, publishedOn: CivilDate? = nil) {
        self.key = key
        self.title = title
        self.publisher = publisher
        self.url = url
        self.publishedOn = publishedOn
    }
}
