"""Flet calls an event handler with the event as its first argument. A handler written as
`def open(job_id=job.id)` (the usual loop-capture idiom) therefore receives the event as `job_id`: it crashed
the job and review screens in the browser while every view-model test passed. Guard the whole views package."""

import ast
from pathlib import Path

VIEWS = Path(__file__).parents[2] / "mobile" / "views"


def nested_handlers_with_captured_first_parameter() -> list[str]:
    found = []
    for path in sorted(VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for outer in ast.walk(tree):
            if not isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(outer):
                if inner is outer or not isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                params = inner.args.args
                defaults = inner.args.defaults
                # The first positional parameter has a default that is not None: a captured value, not the event.
                first_default_index = len(params) - len(defaults)
                if params and first_default_index == 0:
                    default = defaults[0]
                    if not (isinstance(default, ast.Constant) and default.value is None):
                        found.append(f"{path.name}:{inner.lineno} {inner.name}({params[0].arg}=…)")
    return found


def test_no_handler_takes_a_captured_value_where_the_event_goes() -> None:
    assert nested_handlers_with_captured_first_parameter() == []
