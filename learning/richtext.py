"""Limited rich text for notices, sanitised on the server by rebuilding it from an allow-list.

Why not a library: the platform has no HTML sanitiser among its dependencies (``nh3`` would be the one
to add). The parser below never passes markup through: it re-emits only the allowed tags with their
allowed attributes, escapes all text, and drops everything else (scripts and styles with their
content). Links are limited to http(s), mailto, tel and same-site paths.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "ul",
        "ol",
        "li",
        "h3",
        "h4",
        "h5",
        "blockquote",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "div",
        "hr",
    }
)
VOID_TAGS = frozenset({"br", "hr"})
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
SAFE_URL = re.compile(r"^(https?://|mailto:|tel:|/(?!/)|#)", re.IGNORECASE)
BLOCK_TAGS = frozenset({"p", "li", "h3", "h4", "h5", "blockquote", "tr", "div", "br", "hr"})


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.text_parts: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in DROP_WITH_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        if tag in BLOCK_TAGS:
            self.text_parts.append("\n")
        kept = []
        for name, value in attrs:
            name = name.lower()
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) or value is None:
                continue
            value = value.strip()
            if name == "href" and not SAFE_URL.match(value):
                continue
            if name in {"colspan", "rowspan"} and not value.isdigit():
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "a":
            kept.append(' rel="noopener noreferrer"')
        self.parts.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() in self.open and tag.lower() not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in DROP_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in self.open:
            return
        while self.open:  # close anything left open inside it
            current = self.open.pop()
            self.parts.append(f"</{current}>")
            if current == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        self.parts.append(html.escape(data, quote=False))
        self.text_parts.append(data)

    def result(self) -> tuple[str, str]:
        while self.open:
            self.parts.append(f"</{self.open.pop()}>")
        text = re.sub(r"[ \t]+", " ", "".join(self.text_parts))
        text = "\n".join(line.strip() for line in text.splitlines())
        return "".join(self.parts).strip(), re.sub(r"\n{3,}", "\n\n", text).strip()


def sanitise(markup: str) -> tuple[str, str]:
    """(safe HTML, plain text) of the given markup."""
    parser = _Sanitiser()
    parser.feed(markup or "")
    parser.close()
    return parser.result()
