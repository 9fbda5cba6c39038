"""Intake keeps a student's written answer (a manually graded markdown cell) and restores
everything else of the released notebook."""
import nbformat

from autograder.course.labs import (
    SKIP_WHEN_GRADING,
    is_skipped_when_grading,
    is_written_answer_cell,
    read_notebook,
    student_path,
)
from autograder.intake.submissions import Intake, changed_structure, restore_cells

LAB = "08_training_loop"


def test_a_written_answer_is_kept_and_a_locked_question_restored():
    released = read_notebook(student_path(LAB))
    answer_index = next(i for i, cell in enumerate(released.cells) if is_written_answer_cell(cell))
    submitted = nbformat.from_dict(released)
    submitted.cells[answer_index].source = "The SGD run is far below the others; the rest overlap."
    submitted.cells[answer_index - 1].source = "I rewrote the question."
    restored = restore_cells(submitted, released, Intake("ada", LAB))
    assert restored.cells[answer_index].source == "The SGD run is far below the others; the rest overlap."
    assert restored.cells[answer_index - 1].source == released.cells[answer_index - 1].source


def test_a_written_answer_turned_into_code_is_not_taken_as_the_answer():
    released = read_notebook(student_path(LAB))
    answer_index = next(i for i, cell in enumerate(released.cells) if is_written_answer_cell(cell))
    submitted = nbformat.from_dict(released)
    submitted.cells[answer_index] = nbformat.v4.new_code_cell("print('hi')", metadata=released.cells[answer_index].metadata,
                                                              id=released.cells[answer_index].id)
    restored = restore_cells(submitted, released, Intake("ada", LAB))
    assert restored.cells[answer_index].cell_type == "markdown"
    assert restored.cells[answer_index].source == released.cells[answer_index].source


def test_skip_when_grading_is_the_instructors_tag_never_the_students():
    """A student who tags a cell of their own, or strips the tag from a released demo cell, changes
    nothing: intake rebuilds released cells from the release and gives the student's cells none."""
    released = read_notebook(student_path("07_dropout"))
    tagged = [cell.get("id") for cell in released.cells if is_skipped_when_grading(cell)]
    assert tagged, "lab 07 tags its demo cells"
    submitted = nbformat.from_dict(released)
    for cell in submitted.cells:
        cell.metadata.pop("tags", None)
    own = nbformat.v4.new_code_cell("raise SystemExit('skip me')")
    own.metadata["tags"] = [SKIP_WHEN_GRADING]
    submitted.cells.append(own)
    restored = restore_cells(submitted, released, Intake("ada", "07_dropout"))
    assert [cell.get("id") for cell in restored.cells if is_skipped_when_grading(cell)] == tagged
    assert restored.cells[-1].source == own.source and not is_skipped_when_grading(restored.cells[-1])


def test_the_untouched_released_notebook_gets_no_repair_note():
    """A written answer is released as markdown: intake repairs nothing, so it says nothing."""
    for lab in ("07_dropout", "08_training_loop"):
        released = read_notebook(student_path(lab))
        intake, submitted = Intake("ada", lab), nbformat.from_dict(released)
        changed_structure(submitted, released, intake)
        restore_cells(submitted, released, intake)
        assert intake.notes == [], (lab, intake.notes)


def test_a_test_cell_turned_into_markdown_is_noted_and_a_written_answer_turned_into_code_too():
    released = read_notebook(student_path(LAB))
    answer_index = next(i for i, cell in enumerate(released.cells) if is_written_answer_cell(cell))
    test_index = next(i for i, cell in enumerate(released.cells)
                      if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
                      and not cell.metadata["nbgrader"].get("solution"))
    submitted = nbformat.from_dict(released)
    test_cell, answer = submitted.cells[test_index], submitted.cells[answer_index]
    submitted.cells[test_index] = nbformat.v4.new_markdown_cell(test_cell.source, metadata=test_cell.metadata,
                                                                id=test_cell.id)
    submitted.cells[answer_index] = nbformat.v4.new_code_cell(answer.source, metadata=answer.metadata, id=answer.id)
    intake = Intake("ada", LAB)
    changed_structure(submitted, released, intake)
    test_id, answer_id = test_cell.metadata["nbgrader"]["grade_id"], answer.metadata["nbgrader"]["grade_id"]
    assert f"test cell {test_id!r} had been turned into markdown; restored" in intake.notes
    assert f"test cell {answer_id!r} had been turned into code; restored" in intake.notes
