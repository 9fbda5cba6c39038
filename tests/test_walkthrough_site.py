"""The walk-through site's index: each lab's own title and summary, read before the
navigation cells go in (tests/test_browser.py renders the site itself)."""
import nbformat
import pytest

from autograder.course.labs import available_labs, read_notebook, source_path
from autograder.learners.walkthrough_site import navigation, summary_of, title_of


@pytest.mark.parametrize("lab_id", available_labs())
def test_a_page_with_its_navigation_keeps_the_labs_title_and_summary(lab_id):
    nb = read_notebook(source_path(lab_id))
    labs = available_labs()
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(navigation(labs, labs.index(lab_id))))
    assert title_of(nb).startswith(f"Lab {lab_id[:2]} — ")
    summary = summary_of(nb)
    assert summary and "All labs" not in summary and not summary.startswith("#")
