"""Text formatting as Telegram does it: parse modes, entities, UTF-16 offsets.

Telegram turns ``text`` + ``parse_mode`` into plain text + ``entities`` (offsets and lengths in
UTF-16 code units), refuses malformed markup with ``can't parse entities: …`` and trims leading
and trailing whitespace. The emulator does the same so that a bot which forgets to escape user
input fails here as it would in production.
"""

from __future__ import annotations

import re
from typing import Any

Entities = list[dict[str, Any]]


class ParseError(ValueError):
    """Markup Telegram would refuse; ``str(error)`` is the text after ``can't parse entities: ``."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


# --------------------------------------------------------------------------- HTML

_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_HTML_SUPPORTED = set(_HTML_SIMPLE) | {"a", "span", "blockquote", "tg-emoji", "tg-time"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z0-9_-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def _decode_entity(match: re.Match[str]) -> str | None:
    body = match.group(1)
    if body.startswith("#x") or body.startswith("#X"):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return _NAMED_ENTITIES.get(body.lower())
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return None


def parse_html(source: str) -> tuple[str, Entities]:
    """Parse Telegram HTML into ``(plain_text, entities)``; raise :class:`ParseError`."""
    out: list[str] = []
    out_len = 0  # UTF-16 length of text emitted so far
    stack: list[tuple[str, int, dict[str, str], int]] = []  # (tag, start utf16, attrs, byte offset)
    entities: Entities = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            match = _ENTITY_RE.match(source, i)
            decoded = _decode_entity(match) if match else None
            if decoded is not None and match is not None:
                out.append(decoded)
                out_len += utf16_len(decoded)
                i = match.end()
            else:
                out.append("&")
                out_len += 1
                i += 1
            continue
        if ch != "<":
            j = i
            while j < n and source[j] not in "<&":
                j += 1
            chunk = source[i:j]
            out.append(chunk)
            out_len += utf16_len(chunk)
            i = j
            continue
        tag_offset = _byte_offset(source, i)
        if source.startswith("</", i):
            name_match = _TAG_NAME_RE.match(source, i + 2)
            assert name_match is not None
            name = name_match.group(0).lower()
            end = source.find(">", name_match.end())
            if end == -1 or source[name_match.end() : end].strip():
                raise ParseError(f"Can't find end tag corresponding to start tag at byte offset {tag_offset}")
            if not stack:
                raise ParseError(f'Unexpected end tag at byte offset {tag_offset}')
            open_tag, start, attrs, _ = stack.pop()
            if open_tag != name:
                raise ParseError(
                    f'Unmatched end tag at byte offset {tag_offset}, expected "</{open_tag}>", found "</{name}>"'
                )
            entity = _html_entity(open_tag, attrs, start, out_len - start, stack)
            if entity is not None:
                entities.append(entity)
            i = end + 1
            continue
        name_match = _TAG_NAME_RE.match(source, i + 1)
        assert name_match is not None
        name = name_match.group(0).lower()
        if name not in _HTML_SUPPORTED:
            raise ParseError(f'Unsupported start tag "{name}" at byte offset {tag_offset}')
        pos = name_match.end()
        attrs: dict[str, str] = {}
        while True:
            while pos < n and source[pos].isspace():
                pos += 1
            if pos >= n:
                raise ParseError(f'Unclosed start tag at byte offset {tag_offset}')
            if source[pos] == ">":
                pos += 1
                break
            if source.startswith("/>", pos):
                pos += 2
                break
            attr = _ATTR_RE.match(source, pos)
            if attr is None or attr.end() == pos:
                raise ParseError(f'Empty attribute name in the tag "{name}" at byte offset {tag_offset}')
            value = attr.group(2) or ""
            if value[:1] in "\"'" and len(value) >= 2:
                value = value[1:-1]
            attrs[attr.group(1).lower()] = _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), value)
            pos = attr.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {tag_offset}')
        stack.append((name, out_len, attrs, tag_offset))
        i = pos
    if stack:
        tag = stack[-1][0]
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
    return "".join(out), entities


def _html_entity(
    tag: str, attrs: dict[str, str], offset: int, length: int, stack: list[Any]
) -> dict[str, Any] | None:
    if length <= 0:
        return None
    if tag == "a":
        href = attrs.get("href", "")
        if not href:
            return None
        match = re.match(r"tg://user\?id=(\d+)", href)
        if match:
            return {
                "type": "text_mention",
                "offset": offset,
                "length": length,
                "user": {"id": int(match.group(1)), "is_bot": False, "first_name": ""},
            }
        return {"type": "text_link", "offset": offset, "length": length, "url": href}
    if tag == "span":
        return {"type": "spoiler", "offset": offset, "length": length}
    if tag == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        return {"type": kind, "offset": offset, "length": length}
    if tag == "tg-emoji":
        return {
            "type": "custom_emoji",
            "offset": offset,
            "length": length,
            "custom_emoji_id": attrs.get("emoji-id", ""),
        }
    if tag == "tg-time":
        entity: dict[str, Any] = {"type": "date_time", "offset": offset, "length": length}
        if attrs.get("unix", "").isdigit():
            entity["unix_time"] = int(attrs["unix"])
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
        return entity
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            # The enclosing <pre> gets the language; mark it on the stack entry.
            stack[-1][2]["__language"] = language[len("language-") :]
        return None
    if tag == "pre":
        entity = {"type": "pre", "offset": offset, "length": length}
        if attrs.get("__language"):
            entity["language"] = attrs["__language"]
        return entity
    return {"type": _HTML_SIMPLE[tag], "offset": offset, "length": length}


# --------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}
_ENTITY_TITLES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def parse_markdown_v2(source: str) -> tuple[str, Entities]:
    """Parse MarkdownV2 into ``(plain_text, entities)``; raise :class:`ParseError`."""
    out: list[str] = []
    out_len = 0
    entities: Entities = []
    stack: list[tuple[str, int, int]] = []  # (marker, start utf16, byte offset)
    i = 0
    n = len(source)

    def emit(text: str) -> None:
        nonlocal out_len
        out.append(text)
        out_len += utf16_len(text)

    while i < n:
        ch = source[i]
        if ch == "\\":
            if i + 1 < n and 0 < ord(source[i + 1]) < 127:
                emit(source[i + 1])
                i += 2
                continue
            raise ParseError(f"Character '\\' is reserved and must be escaped with the preceding '\\'")
        if ch == "`":
            offset = _byte_offset(source, i)
            if source.startswith("```", i):
                end = _find_unescaped(source, "```", i + 3)
                if end == -1:
                    raise ParseError(f"Can't find end of Pre entity at byte offset {offset}")
                body = source[i + 3 : end]
                language = None
                if "\n" in body:
                    first, rest = body.split("\n", 1)
                    if first and re.fullmatch(r"[A-Za-z0-9_+#.-]+", first):
                        language, body = first, rest
                body = re.sub(r"\\([`\\])", r"\1", body)
                start = out_len
                emit(body)
                if body:
                    entity: dict[str, Any] = {"type": "pre", "offset": start, "length": out_len - start}
                    if language:
                        entity["language"] = language
                    entities.append(entity)
                i = end + 3
                continue
            end = _find_unescaped(source, "`", i + 1)
            if end == -1:
                raise ParseError(f"Can't find end of Code entity at byte offset {offset}")
            body = re.sub(r"\\([`\\])", r"\1", source[i + 1 : end])
            start = out_len
            emit(body)
            if body:
                entities.append({"type": "code", "offset": start, "length": out_len - start})
            i = end + 1
            continue
        if ch == "[" or (ch == "!" and source.startswith("![", i)):
            is_emoji = ch == "!"
            stack.append(("!" if is_emoji else "[", out_len, _byte_offset(source, i)))
            i += 2 if is_emoji else 1
            continue
        if ch == "]" and stack and stack[-1][0] in "[!":
            marker, start, offset = stack.pop()
            if not source.startswith("(", i + 1):
                raise ParseError(f"Can't find end of TextUrl entity at byte offset {offset}")
            end = _find_unescaped(source, ")", i + 2)
            if end == -1:
                raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(source, i + 1)}")
            url = re.sub(r"\\([)\\])", r"\1", source[i + 2 : end])
            if out_len > start:
                if marker == "!":
                    emoji_id = url.split("id=", 1)[-1]
                    entities.append(
                        {"type": "custom_emoji", "offset": start, "length": out_len - start, "custom_emoji_id": emoji_id}
                    )
                else:
                    entities.append({"type": "text_link", "offset": start, "length": out_len - start, "url": url})
            i = end + 1
            continue
        if ch == ">" and (i == 0 or source[i - 1] == "\n"):
            # Block quotation: the line belongs to a quote; consecutive lines merge.
            line_end = source.find("\n", i)
            line_end = n if line_end == -1 else line_end
            start = out_len
            text, sub_entities = parse_markdown_v2(source[i + 1 : line_end])
            for entity in sub_entities:
                entity["offset"] += start
            emit(text)
            entities.extend(sub_entities)
            if entities and entities[-1].get("type") == "blockquote" and _ends_at(entities[-1], start - 1):
                entities[-1]["length"] = out_len - entities[-1]["offset"]
            elif out_len > start:
                entities.append({"type": "blockquote", "offset": start, "length": out_len - start})
            i = line_end
            continue
        marker = None
        if source.startswith("||", i):
            marker = "||"
        elif source.startswith("__", i):
            marker = "__"
        elif ch in "*_~":
            marker = ch
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                if out_len > start:
                    entities.append({"type": _MDV2_NAMES[marker], "offset": start, "length": out_len - start})
            elif any(entry[0] == marker for entry in stack):
                raise ParseError(
                    f"Can't find end of {_ENTITY_TITLES[_MDV2_NAMES[stack[-1][0]]] if stack[-1][0] in _MDV2_NAMES else 'TextUrl'} "
                    f"entity at byte offset {stack[-1][2]}"
                )
            else:
                stack.append((marker, out_len, _byte_offset(source, i)))
            i += len(marker)
            continue
        if ch in _MDV2_RESERVED:
            raise ParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
        emit(ch)
        i += 1
    if stack:
        marker, _, offset = stack[-1]
        title = "TextUrl" if marker in "[!" else _ENTITY_TITLES[_MDV2_NAMES[marker]]
        raise ParseError(f"Can't find end of {title} entity at byte offset {offset}")
    return "".join(out), entities


def _ends_at(entity: dict[str, Any], position: int) -> bool:
    return entity["offset"] + entity["length"] >= position


def _find_unescaped(source: str, needle: str, start: int) -> int:
    i = start
    while True:
        j = source.find(needle, i)
        if j == -1:
            return -1
        backslashes = 0
        k = j - 1
        while k >= start and source[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2 == 0:
            return j
        i = j + 1


# --------------------------------------------------------------------------- legacy Markdown


def parse_markdown(source: str) -> tuple[str, Entities]:
    """Parse legacy Markdown (``*bold*``, ``_italic_``, ``\\`code\\```, ``[text](url)``)."""
    out: list[str] = []
    out_len = 0
    entities: Entities = []
    i = 0
    n = len(source)
    names = {"*": "bold", "_": "italic"}
    while i < n:
        ch = source[i]
        offset = _byte_offset(source, i)
        if ch == "\\" and i + 1 < n and source[i + 1] in "*_`[":
            out.append(source[i + 1])
            out_len += 1
            i += 2
            continue
        if ch in names or ch == "`":
            fence = "```" if source.startswith("```", i) else ch
            end = source.find(fence, i + len(fence))
            if end == -1:
                raise ParseError(f"Can't find end of the entity starting at byte offset {offset}")
            body = source[i + len(fence) : end]
            kind = "pre" if fence == "```" else ("code" if ch == "`" else names[ch])
            start = out_len
            out.append(body)
            out_len += utf16_len(body)
            if body:
                entities.append({"type": kind, "offset": start, "length": out_len - start})
            i = end + len(fence)
            continue
        if ch == "[":
            close = source.find("](", i)
            end = source.find(")", close + 2) if close != -1 else -1
            if close == -1 or end == -1:
                raise ParseError(f"Can't find end of the entity starting at byte offset {offset}")
            label = source[i + 1 : close]
            start = out_len
            out.append(label)
            out_len += utf16_len(label)
            if label:
                entities.append(
                    {"type": "text_link", "offset": start, "length": out_len - start, "url": source[close + 2 : end]}
                )
            i = end + 1
            continue
        out.append(ch)
        out_len += utf16_len(ch)
        i += 1
    return "".join(out), entities


# --------------------------------------------------------------------------- entry points

_AUTO_RE = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)(?![\w/])"
    r"|(?P<url>\bhttps?://[^\s<>\"]+[^\s<>\"\.,;:!?)\]'])"
    r"|(?P<mention>(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31})\b"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
    r"|(?P<email>\b[\w.+-]+@[\w-]+\.[\w.-]+\b)"
)


def auto_entities(text: str) -> Entities:
    """Entities Telegram detects by itself in plain text: commands, mentions, URLs, hashtags."""
    entities: Entities = []
    if not text:
        return entities
    for match in _AUTO_RE.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        start, end = match.span(kind)
        entities.append(
            {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        )
    return entities


def _strip(text: str, entities: Entities) -> tuple[str, Entities]:
    """Trim surrounding whitespace as Telegram does, shifting/clipping entities."""
    stripped_left = text.lstrip()
    left = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    total = utf16_len(result)
    if not left and total == utf16_len(stripped_left):
        return text, entities
    fixed: Entities = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return result, fixed


def _sort(entities: Entities) -> Entities:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    text: str,
    parse_mode: str | None = None,
    entities: Entities | None = None,
) -> tuple[str, Entities]:
    """Return ``(plain_text, entities)`` as Telegram would store them.

    Explicit ``entities`` win over ``parse_mode`` (as in the Bot API). Without either, only the
    automatically detected entities (commands, mentions, URLs, hashtags, e-mails) are added.
    Raises :class:`ParseError` for malformed markup.
    """
    if entities:
        plain, found = text, [dict(e) for e in entities]
    else:
        mode = (parse_mode or "").lower()
        if mode == "html":
            plain, found = parse_html(text)
        elif mode == "markdownv2":
            plain, found = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = parse_markdown(text)
        elif mode in ("", "none"):
            plain, found = text, []
        else:
            raise ParseError(f"Unsupported parse_mode")
    plain, found = _strip(plain, found)
    exclusive = [
        (e["offset"], e["offset"] + e["length"]) for e in found if e["type"] in _NO_AUTO_INSIDE
    ]
    for auto in auto_entities(plain):
        start, end = auto["offset"], auto["offset"] + auto["length"]
        if not any(s < end and start < e for s, e in exclusive):
            found.append(auto)
    return plain, _sort(found)


_NO_AUTO_INSIDE = frozenset(
    {
        "text_link",
        "text_mention",
        "code",
        "pre",
        "url",
        "bot_command",
        "mention",
        "hashtag",
        "email",
        "custom_emoji",
    }
)
