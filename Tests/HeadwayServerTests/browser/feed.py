#!/usr/bin/env python3
"""Reads Headway's Atom feeds with feedparser (PyPI), the parser most feed readers in Python
use, and prints what it made of each as JSON on standard output: {URL: {"bozo": bool,
"bozo_exception": str, "version": "atom10", "feed": {...}, "entries": [{...}]}}. Exit status 3
(with the reason on stderr) when feedparser is missing, so the test that runs it fails with an
install hint rather than skipping.

Usage: feed.py CONFIG.json, where CONFIG has "urls": [absolute URLs].
"""
import json
import sys
import urllib.request

try:
    import feedparser
except ImportError as error:
    print(f"the feed tests need feedparser ({error}): run scripts/install-dependencies --tests "
          "(or: python3 -m pip install --user feedparser)", file=sys.stderr)
    sys.exit(3)


def read(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
        content_type = response.headers.get("Content-Type", "")
    parsed = feedparser.parse(body, response_headers={"content-type": content_type, "content-location": url})
    feed = parsed.feed
    return {
        "bozo": bool(parsed.bozo),
        "bozo_exception": str(parsed.get("bozo_exception", "")),
        "version": parsed.version,
        "content_type": content_type,
        "feed": {
            "id": feed.get("id"), "title": feed.get("title"), "updated": feed.get("updated"),
            "links": [{"rel": link.get("rel"), "href": link.get("href"), "type": link.get("type")} for link in feed.get("links", [])],
            "author": feed.get("author"),
        },
        "entries": [{
            "id": entry.get("id"), "title": entry.get("title"), "link": entry.get("link"), "updated": entry.get("updated"),
            "updated_parsed": entry.get("updated_parsed") is not None, "summary": entry.get("summary"),
            "tags": [tag.get("term") for tag in entry.get("tags", [])],
        } for entry in parsed.entries],
    }


def main():
    with open(sys.argv[1]) as file:
        config = json.load(file)
    print(json.dumps({url: read(url) for url in config["urls"]}))


if __name__ == "__main__":
    main()
