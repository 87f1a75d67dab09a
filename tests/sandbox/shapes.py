"""Does an answer of the sandbox fit the contract (``contract.json``) of its command?

Every key an object carries must be a response field of the command, and its JSON type must
be what the field's Java type serialises to. ``problems`` lists every mismatch (empty when the
answer fits); the HTTP helper in ``conftest`` applies it to every answer a test receives.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.contract import command_spec, contract

LIST_EXTRA = ("count",)
JOB_FAILURE = {"errorcode": int, "errortext": str}
ERROR_BODY = {"uuidList": list, "errorcode": int, "cserrorcode": int, "errortext": str}
SUCCESS_KEYS = {"success", "displaytext"}
TAG_TYPES = ("Set<ResourceTagResponse>", "List<ResourceTagResponse>")
# ListApisCmd and RegisterTemplateCmd extend BaseCmd, not BaseListCmd, but answer a list
LIST_SHAPED = ("listApis", "registerTemplate")


def json_types(java_type: str) -> tuple[type, ...]:
    """The JSON value types (as Python decodes them) a Java field type serialises to."""
    base = java_type.split("<", 1)[0]
    if base in ("String", "Date", "ImageFormat", "Character", "char"):
        return (str,)
    if base in ("Integer", "Long", "int", "long", "Short", "short"):
        return (int,)
    if base in ("Boolean", "boolean"):
        return (bool,)
    if base in ("float", "Float", "double", "Double"):
        return (float, int)
    if base in ("Set", "List", "Collection"):
        return (list,)
    if base == "Object":
        return (object,)
    return (dict,)  # Map, ResponseObject and every nested *Response object


def _type_ok(value: Any, java_type: str) -> bool:
    allowed = json_types(java_type)
    if isinstance(value, bool) and bool not in allowed:
        return False  # a JSON boolean is not a number
    return isinstance(value, allowed)


def object_problems(command: str, obj: Any, where: str) -> list[str]:
    """Keys of one response object that the command's contract does not declare, or mistypes."""
    spec = command_spec(command)
    assert spec is not None, f"{command} is not in the contract"
    if not isinstance(obj, dict):
        return [f"{where}: expected an object, got {type(obj).__name__}"]
    fields: dict[str, str] = spec["response"]
    found = []
    for key, value in obj.items():
        if key not in fields:
            found.append(f"{where}.{key}: not a response field of {command}")
        elif not _type_ok(value, fields[key]):
            found.append(
                f"{where}.{key}: {type(value).__name__} {value!r:.60} does not fit {fields[key]}"
            )
        elif fields[key] in TAG_TYPES:
            for i, tag in enumerate(value):
                found += object_problems("listTags", tag, f"{where}.{key}[{i}]")
    return found


def _exact(body: dict[str, Any], shape: dict[str, type], where: str) -> list[str]:
    found = [f"{where}.{key}: unexpected" for key in body if key not in shape]
    for key, kind in shape.items():
        if key in body and (not isinstance(body[key], kind) or isinstance(body[key], bool)):
            found.append(f"{where}.{key}: {body[key]!r} is not {kind.__name__}")
    return found


def error_problems(body: dict[str, Any]) -> list[str]:
    """An error envelope: uuidList, errorcode, errortext and (not on 401) cserrorcode."""
    found = _exact(body, ERROR_BODY, "error")
    missing = {"uuidList", "errorcode", "errortext"} - set(body)
    return found + [f"error.{key}: missing" for key in sorted(missing)]


def _command_of_class(cmd_class: str) -> str:
    for name, spec in contract()["commands"].items():
        if spec["cmd_class"] == cmd_class:
            return str(name)
    raise AssertionError(f"no command in the contract runs {cmd_class}")


def job_problems(body: dict[str, Any]) -> list[str]:
    """queryAsyncJobResult: the job fields, then its result as the job's own command shows it."""
    found = object_problems("queryAsyncJobResult", body, "job")
    result = body.get("jobresult")
    if result is None:
        return found + ([] if body.get("jobstatus") == 0 else ["job.jobresult: missing"])
    if body.get("jobstatus") == 2:
        return found + _exact(result, JOB_FAILURE, "job.jobresult")
    command = _command_of_class(body["cmd"])
    return found + result_problems(command, result, "job.jobresult")


def result_problems(command: str, result: dict[str, Any], where: str) -> list[str]:
    """A finished job's result, or a synchronous object answer: one object, or success."""
    spec = command_spec(command)
    assert spec is not None
    if set(result) <= SUCCESS_KEYS:
        return [] if isinstance(result.get("success"), bool) else [f"{where}: success not bool"]
    key = spec["response_key"]
    if list(result) != [key]:
        return [f"{where}: keys {sorted(result)} are not [{key!r}]"]
    return object_problems(command, result[key], f"{where}.{key}")


def list_problems(command: str, body: dict[str, Any]) -> list[str]:
    """A list answer: ``{}``, or ``count`` (the total) and the items under the command's key."""
    if not body:
        return []
    spec = command_spec(command)
    assert spec is not None
    key = spec["response_key"]
    found = [f"list.{k}: unexpected" for k in body if k not in (key, *LIST_EXTRA)]
    items = body.get(key, [])
    if not isinstance(body.get("count"), int) or not isinstance(items, list):
        return [*found, f"list: count missing or {key} not a list"]
    if key in body and not items:
        found.append(f"list.{key}: an empty array is left out, not sent")
    for i, item in enumerate(items):
        found += object_problems(command, item, f"{key}[{i}]")
    return found


def problems(command: str, body: dict[str, Any]) -> list[str]:
    """Every way a successful answer (inside ``<command>response``) misses the contract."""
    spec = command_spec(command)
    assert spec is not None, f"{command} is not in the contract"
    if command == "queryAsyncJobResult":
        return job_problems(body)
    if spec["list"] or command in LIST_SHAPED:
        return list_problems(command, body)
    if spec["async"]:
        expected = {"id", "jobid"} if spec["async_create"] else {"jobid"}
        return [] if set(body) == expected else [f"async: keys {sorted(body)} != {expected}"]
    return result_problems(command, body, "answer")
