"""The check fixtures: outcomes of the reference and of each catalogued mistake on a lab's
public cases, recorded at release into `labutils/checks/fixtures/<lab>.json`.

    build_fixture(lab_id)                   -> the fixture as plain data, computed now
    fixture_text(lab_id)                    -> the same, as the file's text
    fixture_drift(lab_id, recorded, fresh)  -> [] when they agree, else what differs, by case

Floats differ in their last bits between CPUs (vectorised math takes other code paths),
so a recorded fixture and a fresh one are compared by value: the same tasks, cases,
mistake names, messages, warnings, types, shapes and dtypes, and numbers that agree
within `DRIFT_SHARE` of the tolerance the check itself uses for that case.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from autograder.course.labs import checks_module
from autograder.judging.judges import ReferenceOracle
from autograder.judging.mistakes import mistakes_for, wrong_outcomes
from labutils.call_outcomes import Case, encode_outcome
from labutils.compare import elementwise_error
from labutils.plain_data import Unencodable, decode

WRITTEN_BY = "python -m autograder release (do not edit)"

# A recorded number may drift from a fresh one by this share of its case's tolerance:
# a tenth of the check's own margin cannot change a verdict that was not already on
# the edge, and is thousands of times what a different CPU's rounding produces.
DRIFT_SHARE = 0.1


def public_cases(lab_id: str) -> dict[str, list[Case]]:
    """{task: its public cases}, in the order the lab declares its exercises."""
    return {exercise.task: list(exercise.cases) for exercise in checks_module(lab_id).EXERCISES}


def build_fixture(lab_id: str) -> dict:
    """Outcomes of the reference and of each catalogued mistake on the lab's public cases,
    and the hints of the mistakes (all a check needs for tasks checked by properties)."""
    oracle = ReferenceOracle(lab_id)
    tasks = {}
    for exercise in checks_module(lab_id).EXERCISES:
        records = {}
        if not exercise.by_properties:  # checked by properties: only the hints are needed
            for case in exercise.cases:
                expected = oracle.expected(exercise, case)
                wrong = [{"name": mistake.name, "outcome": encode_outcome(outcome)}
                         for mistake, outcome in wrong_outcomes(lab_id, exercise, case, expected)]
                records[case.label] = {"expected": encode_outcome(expected), "mistakes": wrong}
        tasks[exercise.task] = {"cases": records}
    return {
        "lab": lab_id,
        "written_by": WRITTEN_BY,
        "tasks": tasks,
        "hints": {task: {m.name: m.hint for m in mistakes_for(lab_id, task)} for task in tasks},
    }


def fixture_text(fixture: dict) -> str:
    return json.dumps(fixture, indent=1, ensure_ascii=False) + "\n"


def fixture_drift(lab_id: str, recorded: dict, fresh: dict) -> list[str]:
    """What differs between a recorded fixture and a fresh one, each naming its task and case;
    [] when they agree (numbers within DRIFT_SHARE of the case's tolerance)."""
    problems = [f"{key}: recorded {recorded.get(key)!r}, now {fresh.get(key)!r}"
                for key in ("lab", "written_by", "hints") if recorded.get(key) != fresh.get(key)]
    recorded_tasks, fresh_tasks = recorded.get("tasks", {}), fresh.get("tasks", {})
    if list(recorded_tasks) != list(fresh_tasks):
        return problems + [f"tasks: recorded {list(recorded_tasks)}, now {list(fresh_tasks)}"]
    tolerances = {(task, case.label): case.tolerance
                  for task, cases in public_cases(lab_id).items() for case in cases}
    for task, fresh_task in fresh_tasks.items():
        recorded_cases, fresh_cases = recorded_tasks[task]["cases"], fresh_task["cases"]
        if list(recorded_cases) != list(fresh_cases):
            problems.append(f"{task}: cases recorded {list(recorded_cases)}, now {list(fresh_cases)}")
            continue
        for label, fresh_case in fresh_cases.items():
            allowed = DRIFT_SHARE * tolerances.get((task, label), 0.0)
            problems += [f"{task} on {label!r}: {problem}"
                         for problem in case_drift(recorded_cases[label], fresh_case, allowed)]
    return problems


def case_drift(recorded: dict, fresh: dict, allowed: float) -> list[str]:
    """What differs in one case's record: the expected outcome, then each mistake's."""
    problems = []
    drift = outcome_drift(recorded["expected"], fresh["expected"], allowed)
    if drift:
        problems.append(f"the expected outcome: {drift}")
    recorded_names = [m["name"] for m in recorded["mistakes"]]
    fresh_names = [m["name"] for m in fresh["mistakes"]]
    if recorded_names != fresh_names:
        return problems + [f"the mistakes that give a wrong answer: recorded {recorded_names}, now {fresh_names}"]
    for old, new in zip(recorded["mistakes"], fresh["mistakes"]):
        drift = outcome_drift(old["outcome"], new["outcome"], allowed)
        if drift:
            problems.append(f"the outcome of the mistake {new['name']!r}: {drift}")
    return problems


def outcome_drift(recorded: dict, fresh: dict, allowed: float) -> str | None:
    """None when two encoded outcomes agree by value, else what differs."""
    if set(recorded) != set(fresh):
        return f"recorded {sorted(recorded)}, now {sorted(fresh)}"
    for key in sorted(recorded):
        if key == "returns":
            drift = value_drift(decode(recorded[key]), decode(fresh[key]), allowed)
            if drift:
                return drift
        elif recorded[key] != fresh[key]:  # raises (type, bases, message), warnings, modified
            return f"{key}: recorded {recorded[key]!r}, now {fresh[key]!r}"
    return None


def value_drift(recorded: Any, fresh: Any, allowed: float, path: str = "the value") -> str | None:
    """None when `fresh` is `recorded` up to rounding: same types, structure, shapes and
    dtypes; numbers within `allowed` relative error (`labutils.compare.rel_error`'s)."""
    if type(recorded) is not type(fresh):
        return f"{path}: recorded a {type(recorded).__name__}, now a {type(fresh).__name__}"
    if isinstance(recorded, (np.ndarray, np.generic)):
        return _array_drift(np.asarray(recorded), np.asarray(fresh), allowed, path)
    if isinstance(recorded, float):
        return _array_drift(np.asarray(recorded), np.asarray(fresh), allowed, path)
    if isinstance(recorded, (tuple, list)):
        if len(recorded) != len(fresh):
            return f"{path}: recorded {len(recorded)} items, now {len(fresh)}"
        return next((d for i, (r, f) in enumerate(zip(recorded, fresh))
                     if (d := value_drift(r, f, allowed, f"{path}[{i}]"))), None)
    if isinstance(recorded, dict):
        if list(recorded) != list(fresh):
            return f"{path}: recorded the keys {list(recorded)}, now {list(fresh)}"
        return next((d for key in recorded if (d := value_drift(recorded[key], fresh[key], allowed,
                                                                f"{path}[{key!r}]"))), None)
    if isinstance(recorded, Unencodable):
        recorded, fresh = (recorded.type_name, recorded.text), (fresh.type_name, fresh.text)
    if recorded != fresh:
        return f"{path}: recorded {recorded!r}, now {fresh!r}"
    return None


def _array_drift(recorded: np.ndarray, fresh: np.ndarray, allowed: float, path: str) -> str | None:
    if recorded.shape != fresh.shape or recorded.dtype != fresh.dtype:
        return (f"{path}: recorded shape {recorded.shape} and dtype {recorded.dtype}, "
                f"now {fresh.shape} and {fresh.dtype}")
    if recorded.dtype.kind != "f":
        same = np.array_equal(recorded, fresh)
        return None if same else f"{path}: recorded {recorded!r}, now {fresh!r}"
    error = elementwise_error(recorded, fresh)
    if not (error > allowed).any():
        return None
    index = tuple(int(i) for i in np.unravel_index(np.argmax(error), error.shape))
    at = f" at index {list(index)}" if index else ""
    return (f"{path}{at}: recorded {recorded[index]!r}, now {fresh[index]!r} "
            f"(relative error {error[index]:.2g}, allowed {allowed:.2g})")
