"""Students' rich outputs made harmless in the graded notebooks: `SanitizeOutputs`.

nbgrader keeps each graded notebook (OUT_DIR/autograded/<student>/<lab>/) with what the
student's code displayed, and its `generate_feedback` and formgrader render those outputs into
pages an instructor opens: nbconvert writes a text/html output into the page as it is, and an
application/javascript one inside a <script>. A student's `display(HTML("<script>..."))` would
run in the instructor's session. `SanitizeOutputs` runs in autograde right after the judged
execution (`autograder.grading.worker.autograde_config`) and keeps only what it can make harmless,
cleaned by nh3 (the Ammonia sanitiser), never by patterns of our own:

- text/html: tags and attributes of an allow-list (tables, text, lists, links, images from
  data: URIs); no script, style element, form, frame or event handler; style attributes keep a
  few harmless properties (`STYLE_PROPERTIES`). text/markdown is rendered as nbconvert renders
  it, then cleaned the same way, and kept as text/html.
- image/svg+xml: SVG's drawing elements and attributes only (no script, foreignObject,
  animation or event handler; links only to the drawing's own parts or to data: images).
- image/png, jpeg, gif, webp: kept when they are base64 (nbconvert pastes them into a data: URI).
- text/plain, text/latex, application/json: kept (nbconvert escapes them).
- anything else, application/javascript, text/javascript, application/vnd.*+javascript, widget
  views, bokeh or plotly payloads, mermaid: dropped; an output left with nothing says so.

Output metadata keeps what nbconvert's templates use, checked (`width`, `height` as integers:
the templates write them unquoted into <img>), and the widget state nbclient stores in the
notebook's metadata (the student's kernel's widgets) is dropped.
"""
from __future__ import annotations

import base64
import binascii
import re

import nh3
from nbconvert.filters.markdown import markdown2html
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool

HTML_TAGS = set(nh3.ALLOWED_TAGS) | {"tfoot"}
HTML_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
HTML_ATTRIBUTES["*"] = {"class", "title", "style", "align", "lang", "dir"}
HTML_ATTRIBUTES["img"] = HTML_ATTRIBUTES.get("img", set()) | {"src", "alt", "width", "height", "title"}
HTML_ATTRIBUTES["table"] = HTML_ATTRIBUTES.get("table", set()) | {"border", "cellpadding", "cellspacing"}

# CSS properties a style attribute keeps: how text and tables look, never where things are placed
# (no position, no url()).
STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family", "text-align",
    "vertical-align", "text-decoration", "white-space", "padding", "padding-left", "padding-right",
    "padding-top", "padding-bottom", "margin", "margin-left", "margin-right", "border", "border-collapse",
    "border-top", "border-bottom", "border-left", "border-right", "border-color", "border-width",
    "border-style", "width", "height", "max-width", "min-width", "line-height", "opacity", "display",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "clip-path",
    "font-stretch", "letter-spacing", "text-anchor", "dominant-baseline", "stop-color", "stop-opacity",
}

# SVG's drawing: what matplotlib's SVG backend and most plotting libraries write.
SVG_TAGS = {
    "svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "title", "desc", "clipPath", "mask", "pattern", "marker", "linearGradient",
    "radialGradient", "stop", "image",
}
SVG_ATTRIBUTES = {"*": {
    "xmlns", "xlink", "version", "id", "class", "style", "width", "height", "viewBox", "preserveAspectRatio",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points", "transform",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity", "clip-path",
    "clip-rule", "clipPathUnits", "mask", "maskUnits", "maskContentUnits", "href", "font-family",
    "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "offset", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform",
    "marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight", "markerUnits", "refX", "refY",
    "orient", "visibility", "display", "letter-spacing", "writing-mode", "baseline-shift",
}}

# Images a data: URI may hold (in <img src>, or an SVG <image href>).
DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
URL_SCHEMES = {"http", "https", "mailto", "data"}

KEPT = {"text/plain", "text/latex", "application/json"}
RASTER = {"image/png", "image/jpeg", "image/gif", "image/webp"}
METADATA_KEYS = {"width", "height", "unconfined", "needs_background", "alt", "isolated"}


def _links(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: a data: URI only as an image's source, and an SVG link only to
    the drawing's own parts ("#id") or to such an image."""
    if attribute not in ("src", "href"):
        return value
    lowered = value.strip().lower()
    if tag == "image":  # SVG's <image href>
        return value if lowered.startswith("#") or DATA_IMAGE.fullmatch(value.strip()) else None
    if tag == "use":
        return value if lowered.startswith("#") else None
    if lowered.startswith("data:"):
        return value if tag == "img" and attribute == "src" and DATA_IMAGE.fullmatch(value.strip()) else None
    return value


def clean_html(html: str) -> str:
    return nh3.clean(html, tags=HTML_TAGS, attributes=HTML_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     attribute_filter=_links, filter_style_properties=STYLE_PROPERTIES)


def clean_svg(svg: str) -> str:
    return nh3.clean(svg, tags=SVG_TAGS, attributes=SVG_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     attribute_filter=_links, filter_style_properties=STYLE_PROPERTIES)


def is_base64(data: str) -> bool:
    try:
        base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def clean_data(data: dict) -> tuple[dict, list[str]]:
    """An output's MIME bundle made harmless, and the MIME types dropped from it."""
    kept, dropped = {}, []
    for mime, value in data.items():
        if mime in KEPT:
            kept[mime] = value
        elif mime == "text/html":
            kept[mime] = clean_html(_text(value))
        elif mime == "image/svg+xml":
            kept[mime] = clean_svg(_text(value))
        elif mime in RASTER and is_base64(_text(value)):
            kept[mime] = value
        elif mime != "text/markdown":
            dropped.append(mime)
    if "text/markdown" in data and "text/html" not in data:  # shown as nbconvert would render it
        kept["text/html"] = clean_html(markdown2html(_text(data["text/markdown"])))
    return kept, dropped


def _checked(key: str, value):
    """A metadata value nbconvert's templates may write into a page, or None to leave it out."""
    if key in ("width", "height"):
        if isinstance(value, bool):
            return None
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return int(value)
        return None
    if key in ("unconfined", "isolated"):
        return value if isinstance(value, bool) else None
    if key == "needs_background":
        return value if value in ("light", "dark") else None
    if key == "alt":
        return value if isinstance(value, str) else None
    return None


def clean_metadata(metadata: dict) -> dict:
    cleaned = {}
    for key, value in metadata.items():
        if isinstance(value, dict):  # per MIME type
            inner = {k: v for k, v in ((k, _checked(k, v)) for k, v in value.items()) if v is not None}
            if inner:
                cleaned[key] = inner
        elif key in METADATA_KEYS and (checked := _checked(key, value)) is not None:
            cleaned[key] = checked
    return cleaned


def dropped_note(dropped: list[str]) -> str:
    return (f"[not kept in the graded notebook: {', '.join(dropped)} output; a student's scripts and "
            "widgets are not shown to graders]")


class SanitizeOutputs(Preprocessor):
    """Every output of every code cell made harmless (see the module docstring)."""

    enabled = Bool(True, help="nbconvert's preprocessors are off unless enabled: this one is always on").tag(
        config=True)

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)  # nbclient's record of the kernel's widgets
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result", "update_display_data"):
                continue
            data, dropped = clean_data(dict(output.get("data", {})))
            if dropped and not data:
                data["text/plain"] = dropped_note(dropped)
            output["data"] = NotebookNode(data)
            output["metadata"] = NotebookNode(clean_metadata(dict(output.get("metadata", {}))))
        return cell, resources


def with_sanitizer(preprocessors: list) -> list:
    """Autograde's preprocessors with `SanitizeOutputs` right after the one that runs the notebook."""
    ran = next((index + 1 for index, pp in enumerate(preprocessors)
                if isinstance(pp, type) and issubclass(pp, Execute)), 0)
    return [*preprocessors[:ran], SanitizeOutputs, *preprocessors[ran:]]
