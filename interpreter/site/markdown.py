"""A runbook's Markdown as safe HTML: GitHub's anchors, Pygments code, raw HTML sanitised by nh3."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..model.kinds import lexer_of
from ..parse.anchors import heading_attributes, slugify
from ..parse.document import inline_text, plain_inline

__all__ = ["Chunk", "Rendered", "render_markdown", "sanitize"]

# Raw HTML in a runbook keeps its formatting but loses anything active: no script, style, event
# handler, `id` (no clobbering the site's own elements), no image (`<img src=x onerror=…>`, and a
# request that could leave the site), and only these URL schemes.
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "var", "input",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "class"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
    "input": {"type", "checked", "disabled"},
}
_SCHEMES = {"http", "https", "mailto"}


def _local(url: str) -> bool:
    """True for a link inside the site: relative, no scheme, no host."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("//")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "input" and attribute == "type" and value != "checkbox":
        return None
    return value


def sanitize(fragment: str) -> str:
    """Raw HTML made inert: kept formatting, no script, handler, style or foreign resource."""
    import nh3  # lazy: only the site needs it

    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        attribute_filter=_attribute,
        link_rel="noopener noreferrer",
    )


@dataclass(slots=True)
class Chunk:
    """One top-level block of the document, rendered, with the source lines it covers."""

    html: str
    start: int
    end: int
    heading: tuple[int, str, str] | None = None
    """For a heading: level, text and anchor."""


@dataclass(slots=True)
class Rendered:
    """A document as top-level chunks, plus what the site needs from it."""

    chunks: list[Chunk] = field(default_factory=list)
    sections: list[tuple[str, str, str]] = field(default_factory=list)
    """For search: each heading's title, anchor and the plain text under it."""


class _Renderer(RendererHTML):
    """Inline raw HTML is sanitised together with the inline markup around it, so tags stay paired."""

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        text = super().renderInline(tokens, options, env)
        return sanitize(text) if any(t.type == "html_inline" for t in tokens) else text


@cache
def _formatter(marked: tuple[int, ...]) -> Any:
    # Building a formatter builds its stylesheet: reuse one per set of marked lines (usually none).
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]

    return HtmlFormatter(nowrap=True, hl_lines=list(marked))


@cache
def _lexer(lang: str) -> Any:
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
    from pygments.lexers.special import TextLexer  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    try:
        return get_lexer_by_name(lexer_of(lang)) if lang else TextLexer()
    except ClassNotFound:
        return TextLexer()


def _highlight(code: str, lang: str, marked: Sequence[int]) -> str:
    from pygments import highlight  # type: ignore[import-untyped]

    return str(highlight(code, _lexer(lang), _formatter(tuple(marked))))


Annotate = Callable[[int, int], str]
"""Given a block's first and last source line, HTML to show right after it (findings), or ""."""


@dataclass(slots=True)
class _Hooks:
    """What one page's rendering asks of its page, handed to the render rules through `env`."""

    link: Callable[[str], str]
    media: Callable[[str], str | None]
    marked_lines: set[int]
    annotate: Annotate


_HOOKS = "runbook_site_hooks"
"""The key of the page's `_Hooks` in the markdown-it environment."""


@cache
def _markdown() -> MarkdownIt:
    """The renderer, built once: a site of 1,000 pages built 1,000 parsers before (each a cycle of
    rule chains for the garbage collector), and its rules read the page from `env`."""
    md = MarkdownIt("commonmark", {"html": True}, renderer_cls=_Renderer)
    md.enable(["table", "strikethrough"]).use(front_matter_plugin).use(tasklists_plugin)
    rules: Any = md.add_render_rule

    def front_matter(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return ""  # front matter is for the interpreter; GitHub shows it, the site does not

    def html_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        annotate = env[_HOOKS].annotate
        return sanitize(token.content) + (annotate(token.map[0] + 1, token.map[1]) if token.map else "")

    def fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        hooks: _Hooks = env[_HOOKS]
        info = token.info.strip()
        lang = info.split(maxsplit=1)[0].split("{", 1)[0].lower() if info else ""
        first = (token.map[0] + 2) if token.map and token.type == "fence" else 1
        count = token.content.count("\n")
        marked = sorted(n - first + 1 for n in hooks.marked_lines if first <= n < first + count)
        label = f'<span class="code-lang">{html.escape(lang)}</span>' if lang else ""
        line = token.map[0] + 1 if token.map else 0
        return (
            f'<div class="code" data-line="{line}">{label}'
            f'<pre class="highlight"><code>{_highlight(token.content, lang, marked)}</code></pre></div>\n'
            + (hooks.annotate(line, token.map[1]) if token.map else "")
        )

    def closing(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        html_ = str(self.renderToken(tokens, idx, options, env))
        lines = tokens[idx].meta.get("lines")
        return html_ + env[_HOOKS].annotate(*lines) if lines else html_

    def link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        token.attrSet("href", env[_HOOKS].link(str(token.attrGet("href") or "")))
        return str(self.renderToken(tokens, idx, options, env))

    def image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
        # Loading an image from elsewhere would break the offline promise: link to it instead.
        local = env[_HOOKS].media(src) if _local(src) else None
        if local is None:
            return (
                f'<a class="image-link" href="{html.escape(src)}" rel="noopener noreferrer">{alt or src}</a>'
            )
        return f'<img src="{html.escape(local)}" alt="{alt}">'

    rules("front_matter", front_matter)
    rules("html_block", html_block)
    rules("fence", fence)
    rules("code_block", fence)
    rules("link_open", link_open)

    def blockquote_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        html_ = str(self.renderToken(tokens, idx, options, env))
        kind = tokens[idx].meta.get("alert")
        return html_ + f'<p class="markdown-alert-title">{kind.title()}</p>\n' if kind else html_

    rules("image", image)
    rules("blockquote_open", blockquote_open)
    for name in ("paragraph_close", "table_close", "heading_close"):
        rules(name, closing)
    return md


_ALIGN = re.compile(r"text-align:(\w+)")


def _prepare(tokens: list[Token]) -> None:
    """Heading ids as GitHub computes them; table alignment as classes (no inline style); each
    closing token knows its block's lines."""
    seen: dict[str, int] = {}
    opened: list[Token] = []
    for i, token in enumerate(tokens):
        if token.nesting == 1:
            opened.append(token)
        elif token.nesting == -1 and opened:
            start = opened.pop()
            if start.map:
                token.meta["lines"] = (start.map[0] + 1, start.map[1])
        if token.type == "heading_open":
            ident = _strip_attributes(tokens[i + 1])
            base = slugify(inline_text(tokens[i + 1].content))
            count = seen.get(base)
            seen[base] = 0 if count is None else count + 1
            token.attrSet("id", ident or (base if count is None else f"{base}-{count + 1}"))
        elif token.type == "blockquote_open":
            _alert(tokens, i)
        elif token.type in ("th_open", "td_open"):
            match = _ALIGN.search(str(token.attrGet("style") or ""))
            if token.attrs.pop("style", None) is not None and match:
                token.attrSet("class", f"align-{match.group(1)}")
        if (
            token.map
            and token.nesting >= 0
            and token.level == 0
            and token.type not in ("fence", "code_block")
        ):
            token.attrSet("data-line", str(token.map[0] + 1))


def _strip_attributes(inline: Token) -> str:
    """Take a trailing `{#id .class}` off a heading (as parse does) and give the id it names."""
    markdown, ident = heading_attributes(inline.content)
    if markdown == inline.content:
        return ""
    extra = len(inline.content.rstrip()) - len(markdown)
    children = inline.children or []
    while extra > 0 and children and children[-1].type == "text":
        last = children[-1]
        text = last.content.rstrip()
        if len(text) > extra:
            last.content = text[:-extra].rstrip()
            extra = 0
        else:
            extra -= len(text)
            children.pop()
    inline.content = markdown
    return ident


_ALERT = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]$", re.I)


def _alert(tokens: list[Token], i: int) -> None:
    """GitHub's alerts: a quote whose first line is `[!CAUTION]` (or NOTE, TIP, IMPORTANT, WARNING)."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open":
        return
    inline = tokens[i + 2]
    children = inline.children or []
    if not children or children[0].type != "text" or not _ALERT.match(children[0].content.strip()):
        return
    if len(children) > 1 and children[1].type not in ("softbreak", "hardbreak"):
        return
    kind = children[0].content.strip()[2:-1].lower()
    inline.children = children[2:]
    tokens[i].attrSet("class", f"markdown-alert markdown-alert-{kind}")
    tokens[i].meta["alert"] = kind


def _close(tokens: list[Token], start: int) -> int:
    if tokens[start].nesting != 1:
        return start
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def _plain_text(tokens: list[Token]) -> str:
    return " ".join(
        (plain_inline(t) if t.children is not None else inline_text(t.content))
        if t.type == "inline"
        else t.content
        for t in tokens
        if t.type in ("inline", "fence", "code_block") and t.content
    )


def _finish(
    md: MarkdownIt, text: str, parsed: tuple[tuple[Token, ...], dict[str, Any]]
) -> tuple[list[Token], dict[str, Any]]:
    """Run the core rules after the block parse (inline, task lists, …) on tokens already parsed."""
    from markdown_it.rules_core import StateCore

    block_tokens, block_env = parsed
    env = dict(block_env)
    state = StateCore(text, md, env)
    state.tokens = list(block_tokens)
    for rule in md.core.ruler.__rules__:
        if rule.enabled and rule.name not in ("normalize", "block"):
            rule.fn(state)
    return state.tokens, env


def render_markdown(
    text: str,
    link: Callable[[str], str] = str,
    media: Callable[[str], str | None] = lambda src: None,
    marked_lines: frozenset[int] = frozenset(),
    annotate: Annotate = lambda start, end: "",
    parsed: tuple[tuple[Token, ...], dict[str, Any]] | None = None,
) -> Rendered:
    """`text` as top-level chunks of HTML. `link` rewrites link targets; `media` gives a local
    image's address in the site (None: show a link instead); `marked_lines` are highlighted in
    code (the lines with findings); `annotate` adds HTML after each paragraph, code block, table
    and heading. `parsed` is the loader's block tokens and environment for this very text: the
    block parse (the same rules) is not done twice, only inline parsing and the core rules after."""
    md = _markdown()
    if parsed is None:
        env: dict[str, Any] = {}
        tokens = md.parse(text, env)
    else:
        tokens, env = _finish(md, text, parsed)
    env[_HOOKS] = _Hooks(link, media, set(marked_lines), annotate)
    _prepare(tokens)
    rendered = Rendered()
    heading: tuple[str, str] | None = None
    under: list[Token] = []
    i = 0
    while i < len(tokens):
        end = _close(tokens, i)
        group = tokens[i : end + 1]
        first = tokens[i]
        start, stop = (first.map[0] + 1, first.map[1]) if first.map else (0, 0)
        chunk = Chunk(md.renderer.render(group, md.options, env), start, stop)
        if first.type == "heading_open":
            if heading is not None:
                rendered.sections.append((heading[0], heading[1], _plain_text(under)))
            title = inline_text(group[1].content)
            anchor = str(first.attrGet("id"))
            chunk.heading = (int(first.tag[1]), title, anchor)
            anchor_link = (
                f'<a class="anchor" href="#{html.escape(anchor)}" aria-label="Link to this section">#</a>'
            )
            chunk.html = chunk.html.replace(f"</{first.tag}>", f" {anchor_link}</{first.tag}>", 1)
            heading, under = (title, anchor), []
        else:
            under += group
        rendered.chunks.append(chunk)
        i = end + 1
    if heading is not None:
        rendered.sections.append((heading[0], heading[1], _plain_text(under)))
    return rendered


def relative(target: str, base: str) -> str:
    """A site path relative to the page at `base` (both relative to the site root)."""
    return posixpath.relpath(target, posixpath.dirname(base) or ".")
