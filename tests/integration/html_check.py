#!/usr/bin/env python3
"""Reads an HTML page of `preflight goroutines --format html` with Python's
own HTML parser and checks it strictly, beyond what a browser forgives:

  - it starts with <!DOCTYPE html>, then one <html> with <head> (a <meta
    charset="utf-8"> and a <title>) and <body>;
  - every element that is not void is closed explicitly, in order (no
    implied end tags, no stray end tags), and nothing follows </html>;
  - only elements of a known HTML5 set (and inline SVG) appear, with no
    external resource: no src=, no <link>, no http(s) URL in href;
  - no control character (other than tab, newline) and no noncharacter
    appears in text or attribute values, decoded or raw;
  - ids are unique and every in-page link points at one.

Prints one JSON document describing the groups (each <details>: id, open,
suspect, count, state, site, frames as [func, file:line]) for the test to
compare with the JSON output, or exits 1 listing the problems.

    html_check.py FILE
"""
import json
import re
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "source", "area", "base", "embed", "track"}
KNOWN = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td",
    "ol", "li", "a", "code", "span", "strong", "details", "summary", "div", "dl", "dt", "dd", "button", "script",
    "svg", "polyline",
}
# SVG elements may close themselves (<polyline .../>)
SELF_CLOSING_OK = {"polyline"}
BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors = []
        self.stack = []
        self.seen_doctype = False
        self.first = True
        self.closed_html = False
        self.ids = set()
        self.links = []
        self.groups = []
        self.g = None          # the group being read
        self.capture = None    # (kind, text list) being collected
        self.meta_charset = False
        self.title = None

    def err(self, msg):
        self.errors.append("line %d: %s" % (self.getpos()[0], msg))

    def handle_decl(self, decl):
        if not self.first or decl.lower() != "doctype html":
            self.err("doctype: %r" % decl)
        self.seen_doctype = True
        self.first = False

    def check_text(self, text, where):
        m = BAD_CHAR.search(text)
        if m:
            self.err("character U+%04X in %s" % (ord(m.group(0)), where))

    def handle_starttag(self, tag, attrs):
        self.start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self.start(tag, attrs, True)

    def start(self, tag, attrs, selfclosing):
        if self.first:
            self.err("content before the doctype")
            self.first = False
        if self.closed_html:
            self.err("<%s> after </html>" % tag)
        if tag not in KNOWN and tag not in VOID:
            self.err("unknown element <%s>" % tag)
        if tag in ("link", "img", "iframe", "object", "embed"):
            self.err("external resource element <%s>" % tag)
        a = {}
        for k, v in attrs:
            if k in a:
                self.err("attribute %s twice on <%s>" % (k, tag))
            a[k] = v
            self.check_text(v or "", "attribute %s of <%s>" % (k, tag))
            if k == "src":
                self.err("src= on <%s>" % tag)
            if k == "href" and not (v or "").startswith("#"):
                self.err("link out of the page: %r" % v)
        if "id" in a:
            if a["id"] in self.ids:
                self.err("id %r twice" % a["id"])
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"][1:])
        if tag == "meta" and a.get("charset", "").lower() == "utf-8":
            self.meta_charset = True
        if selfclosing and tag not in VOID and tag not in SELF_CLOSING_OK:
            self.err("<%s/> is not a void element" % tag)
        if tag == "details":
            if self.g is not None:
                self.err("details inside details")
            self.g = {"id": a.get("id"), "open": "open" in a,
                      "suspect": "suspect" in (a.get("class") or "").split(),
                      "count": None, "state": None, "site": None, "frames": []}
        cls = (a.get("class") or "").split()
        if self.g is not None:
            if tag == "span" and "count" in cls and self.in_summary():
                self.capture = ("count", [])
            elif tag == "span" and "state" in cls and self.in_summary():
                self.capture = ("state", [])
            elif tag == "code" and "site" in cls and self.in_summary():
                self.capture = ("site", [])
            elif tag == "li" and self.stack and self.stack[-1] == "ol":
                self.g["frames"].append(["", ""])
            elif tag == "code" and "func" in cls:
                self.capture = ("func", [])
            elif tag == "code" and "file" in cls:
                self.capture = ("file", [])
        if tag == "title":
            self.capture = ("title", [])
        if tag not in VOID and not selfclosing:
            self.stack.append(tag)

    def in_summary(self):
        return "summary" in self.stack

    def handle_endtag(self, tag):
        if tag in VOID:
            self.err("end tag of void element </%s>" % tag)
            return
        if not self.stack or self.stack[-1] != tag:
            self.err("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if self.capture and tag in ("span", "code", "title"):
            kind, parts = self.capture
            text = "".join(parts)
            if kind == "title":
                self.title = text
            elif kind in ("func", "file"):
                if self.g["frames"]:
                    self.g["frames"][-1][0 if kind == "func" else 1] = text
            else:
                self.g[kind] = int(text) if kind == "count" else text
            self.capture = None
        if tag == "details":
            self.groups.append(self.g)
            self.g = None
        if tag == "html":
            self.closed_html = True

    def handle_data(self, data):
        self.check_text(data, "text")
        if self.closed_html and data.strip():
            self.err("text after </html>")
        if self.capture:
            self.capture[1].append(data)

    def handle_entityref(self, name):
        self.err("undecoded entity &%s;" % name)


def main():
    raw = open(sys.argv[1], "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        print("not UTF-8: %s" % e, file=sys.stderr)
        return 1
    c = Checker()
    c.check_text(text, "the raw file")
    c.feed(text)
    c.close()
    if not c.seen_doctype:
        c.errors.append("no doctype")
    if c.stack:
        c.errors.append("unclosed at the end: %s" % c.stack)
    if not c.closed_html:
        c.errors.append("no </html>")
    if not c.meta_charset:
        c.errors.append("no <meta charset=\"utf-8\">")
    if not c.title:
        c.errors.append("no title")
    for l in c.links:
        if l not in c.ids:
            c.errors.append("link to #%s, which is not in the page" % l)
    if c.errors:
        print("\n".join(c.errors[:40]), file=sys.stderr)
        return 1
    json.dump({"title": c.title, "groups": c.groups}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
