"""The kernel side of a judge's call: run one exercise function, display the outcome.

The grader sends `answer(globals(), request)` to the student's kernel, where
`request` is JSON: {"nonce", "function", "args", "kwargs", "harness"} in
`labutils.plain_data`'s encoding. The outcome comes back as display data of MIME type `plain_data.MIME`.
Nothing here decides anything: the grader compares outcomes in its own process, so
patching this module can only lose the result, never fake a pass.
"""
from __future__ import annotations

import json
from typing import Any

from labutils import plain_data
from labutils.call_outcomes import Case, call, encode_outcome


def answer(namespace: dict[str, Any], request_text: str) -> None:
    from IPython.display import display

    request = json.loads(request_text)
    payload: dict[str, Any] = {"nonce": request["nonce"]}
    fn = namespace.get(request["function"])
    if not callable(fn):
        payload["missing"] = f"no function named {request['function']!r} is defined"
    else:
        case = Case(
            label=request["function"],
            args=tuple(plain_data.decode(a, allow_functions=True) for a in request["args"]),
            kwargs={k: plain_data.decode(v, allow_functions=True) for k, v in request["kwargs"].items()},
            harness=request.get("harness"),
        )
        payload["outcome"] = encode_outcome(call(fn, case, lookup=namespace.__getitem__))
    display({plain_data.MIME: payload}, raw=True)
