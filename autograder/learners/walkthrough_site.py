"""`make site`: a static walk-through site of the labs, for self-study, built offline.

    python -m autograder site [--out build/site]

One page per lab: the solution notebook executed top to bottom (explanations, plots,
worked solutions, hints, the "What was wrong?" discussion of the notes' errata),
exported by nbconvert, with links to the previous and next lab and the index. Math is
typeset by a local copy of MathJax (jupyter-server-mathjax's), so the pages need no
network.
"""
from __future__ import annotations

import re
import shutil
import time
from html import escape
from pathlib import Path

import jupyter_server_mathjax
import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from autograder.course.labs import ROOT, available_labs
from autograder.course.solution_runs import solution_run

MATHJAX = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"  # the config jupyter-server-mathjax ships


def heading_cell(nb) -> str:
    """The lab's opening markdown: the first markdown cell with a level-1 heading."""
    return next((c.source for c in nb.cells if c.cell_type == "markdown" and re.search(r"^#\s", c.source, re.M)), "")


def title_of(nb) -> str:
    """"Lab 03 — Softmax ...": the opening cell's level-1 heading."""
    match = re.search(r"^#\s+(.+)$", heading_cell(nb), re.M)
    return match.group(1).strip() if match else "Lab"


def summary_of(nb) -> str:
    """The opening cell's first paragraph that is not a heading."""
    paragraphs = [p.strip() for p in heading_cell(nb).split("\n\n") if p.strip() and not p.strip().startswith("#")]
    return paragraphs[0] if paragraphs else ""


def navigation(labs: list[str], index: int) -> str:
    links = ["[All labs](index.html)"]
    if index > 0:
        links.insert(0, f"[← {labs[index - 1]}]({labs[index - 1]}.html)")
    if index + 1 < len(labs):
        links.append(f"[{labs[index + 1]} →]({labs[index + 1]}.html)")
    return " · ".join(links)


DETAILS = re.compile(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>", re.S)


def collapsed(markdown: str) -> str:
    """Each `<details>` block (a hint, an answer) as one piece of HTML with its body rendered
    inside: nbconvert's markdown ends an HTML block at the first blank line, which left a
    hint's text outside its closed `<details>`, shown on the page."""
    def one_block(match: re.Match) -> str:
        body = re.sub(r"\n\s*\n", "\n", markdown2html_mistune(match.group(2).strip()).strip())
        return f"<details><summary>{match.group(1).strip()}</summary>\n{body}\n</details>"
    return DETAILS.sub(one_block, markdown)


class SolutionFailed(RuntimeError):
    """A worked solution that raised where it runs: the site would show a traceback."""


def worked_notebook(lab_id: str, labs: list[str]):
    """The solution notebook as it ran top to bottom (`solution_run`: the run `verify` checks
    the claims on), markers removed, hints collapsed, with navigation cells."""
    nb = solution_run(lab_id)
    # The cells that check the prose's claims (`verify` reads them) are the instructor's, not the lesson.
    nb.cells = [cell for cell in nb.cells if "claims" not in cell.get("metadata", {}).get("tags", [])]
    for index, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            raise SolutionFailed(f"{lab_id}: the solution's cell {index} raised {errors[0]['ename']}: "
                                 f"{errors[0]['evalue']}")
        if cell.cell_type == "markdown":
            cell.source = collapsed(cell.source)
    nav = navigation(labs, labs.index(lab_id))
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(nav))
    nb.cells.append(nbformat.v4.new_markdown_cell(nav))
    return nb


def index_page(entries: list[tuple[str, str, str]]) -> str:
    items = "\n".join(f'<li><a href="{lab}.html">{escape(title)}</a><p>{escape(summary)}</p></li>'
                      for lab, title, summary in entries)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NN Training Labs — walk-through</title>
<style>body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; color: #222; }}
li {{ margin-bottom: 1rem; }} li p {{ margin: .2rem 0 0; color: #555; }}</style></head><body>
<h1>NN Training Labs — the walk-through</h1>
<p>How a neural network is trained, one lab at a time: each page is a lab's worked solution,
run top to bottom, with its plots, hints and the discussion of what the course notes got
wrong. Work the exercises yourself first (<code>make lab</code>), check them with the hidden
tests (<code>python -m autograder selfgrade NOTEBOOK</code>), then read the page.</p>
<ol>
{items}
</ol>
</body></html>
"""


def build_site(out_dir: Path | None = None) -> Path:
    out_dir = (out_dir or ROOT / "build" / "site").resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", out_dir / "mathjax")
    labs = available_labs()
    exporter = HTMLExporter(template_name="lab", mathjax_url=MATHJAX, embed_images=True)
    entries = []
    for lab_id in labs:
        started = time.monotonic()
        nb = worked_notebook(lab_id, labs)
        title = title_of(nb)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        (out_dir / f"{lab_id}.html").write_text(offline(body), encoding="utf-8")
        entries.append((lab_id, title, summary_of(nb)))
        print(f"  {lab_id}: {time.monotonic() - started:.1f} s")
    (out_dir / "index.html").write_text(index_page(entries), encoding="utf-8")
    return out_dir


# jupyter-server-mathjax ships the STIX-Web fonts only (MathJax's default, TeX, would be
# fetched), and MathJax's "blank" probe font points at about:blank, which Chromium reports
# as an error on every page: a local() source that does not exist fails quietly instead.
# The fast preview and the assistive MathML copy (NativeMML styles) would fetch TeX fonts it
# does not ship; the HTML-CSS output keeps MathJax's own accessibility menu.
FONTS = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"fast-preview": {disabled: true}, '
         'menuSettings: {assistiveMML: false}, '
         '"HTML-CSS": {availableFonts: [], '
         'webFont: "STIX-Web", imageFont: null, styles: {"@font-face": {"font-family": "MathJax_Blank", '
         'src: "local(\'MathJax_Blank_none\')"}}}});</script>\n')


def offline(html: str) -> str:
    """No request leaves the page: nbconvert's template loads require.js from a CDN for
    widgets, which these pages do not use, and MathJax is told which fonts it has."""
    html = re.sub(r'<script[^>]+src="https?://[^"]+"[^>]*>\s*</script>', "", html)
    return html.replace(f'<script src="{MATHJAX}">', FONTS + f'<script src="{MATHJAX}">', 1)
