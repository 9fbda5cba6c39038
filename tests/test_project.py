"""The project's promises about itself: one list of pins, the README's commands exist."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values()
                                              for r in extra]
    return dict(r.split("==") for r in requirements)


def environment_pins() -> dict[str, str]:
    pins = re.findall(r"^\s*-\s*([A-Za-z0-9_.\[\]-]+)==([^\s#]+)", (ROOT / "environment.yml").read_text(), re.M)
    return dict(pins)


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        assert "==" in requirement, requirement


def test_environment_yml_pins_what_pyproject_pins():
    assert environment_pins() == pyproject_pins()


def test_torch_is_the_pinned_cpu_release():
    assert pyproject_pins()["torch"] == "2.13.0"


def test_the_readme_commands_are_make_targets():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test", "lab"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_exchange_directory_is_a_configurable_scratch_path(monkeypatch, tmp_path):
    from autograder.course.config import course_config

    monkeypatch.setenv("NNLABS_EXCHANGE", str(tmp_path / "exchange"))
    assert course_config().Exchange.root == str(tmp_path / "exchange")
    monkeypatch.delenv("NNLABS_EXCHANGE")
    assert course_config().Exchange.root == str(ROOT / ".scratch" / "exchange")
