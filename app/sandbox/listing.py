"""List commands: visibility by project, filters, tag filters and pagination (BaseListCmd)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from app.sandbox.errors import (
    CS_INVALID_PARAMETER,
    PARAM_ERROR,
    ApiError,
    unknown_entity,
)
from app.sandbox.protocol import Request
from app.sandbox.store import NO_PROJECT, CloudState, Row, Table, owner

MAX_PAGE_SIZE = 500  # default.page.size: the default and the maximum


def public(row: Row) -> Row:
    """A row as the API shows it: without the sandbox's ``_`` bookkeeping."""
    return {key: value for key, value in row.items() if not key.startswith("_")}


def page_bounds(request: Request) -> tuple[int, int | None]:
    """(start index, page size or None for all), with the server's own refusals.

    BaseListCmd.validateSpecificParameters runs at dispatch (ServerApiException, cserrorcode
    9999); getPageSize only when the command executes (InvalidParameterValueException, 4350).
    """
    page, size = request.number("page"), request.number("pagesize")
    if size is not None and size != -1 and page is None:
        raise ApiError(PARAM_ERROR, '"page" parameter is required when "pagesize" is specified')
    if page is not None and size is None:
        raise ApiError(PARAM_ERROR, '"pagesize" parameter is required when "page" is specified')
    if size is not None and size > MAX_PAGE_SIZE:
        raise ApiError(
            PARAM_ERROR,
            f"Page size can't exceed max allowed page size value: {MAX_PAGE_SIZE}",
            CS_INVALID_PARAMETER,
        )
    if size == -1:
        if page is not None:
            raise ApiError(
                PARAM_ERROR,
                "Can't specify page parameter when pagesize is -1 (Unlimited)",
                CS_INVALID_PARAMETER,
            )
        return 0, None
    if page is None or size is None:
        return 0, MAX_PAGE_SIZE
    return size * (max(page, 1) - 1), size


def visible(state: CloudState, request: Request, table: Table) -> Iterable[Row]:
    """Rows the caller may list: one project, all projects (-1), or none (no projectid)."""
    check_known(request, table, "id")
    project = request.get("projectid")
    if project == "-1":
        rows = [row for row in table if owner(row) != NO_PROJECT]
        return rows + list(table.in_project(NO_PROJECT)) if request.flag("listall") else rows
    if project:
        if state.table("projects").get(project) is None:
            raise unknown_entity(request.command, "projectid", project)
        return table.in_project(project)
    return table.in_project(NO_PROJECT)


def check_known(request: Request, table: Table, param: str) -> None:
    """ParamProcessWorker.translateUuidToInternalId: a UUID no row of the kind ever had is
    refused with 431; a removed row's is found and lists nothing; -1 and a value that is no
    UUID are not looked up."""
    value = request.get(param)
    if value and _is_uuid(value) and not table.ever_had(value):
        raise unknown_entity(request.command, param, value)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def tag_pairs(request: Request) -> list[tuple[str, str]]:
    """The ``tags`` filter; a pair without ``value`` is refused (BaseListTaggedResourcesCmd)."""
    pairs = []
    for item in request.maps.get("tags", []):
        if "value" not in item:
            raise ApiError(
                PARAM_ERROR,
                f"No value is passed in for key {item.get('key', 'null')}",
                CS_INVALID_PARAMETER,
            )
        pairs.append((item.get("key", "").lower(), item["value"].lower()))
    return pairs


def has_any_tag(row: Row, pairs: list[tuple[str, str]]) -> bool:
    """Tag filters are OR-ed: a row matches when it carries any of the pairs (QueryManagerImpl)."""
    tags = {(tag["key"].lower(), tag["value"].lower()) for tag in row.get("tags", [])}
    return any(pair in tags for pair in pairs)


def list_body(
    request: Request,
    key: str,
    rows: Iterable[Row],
    keep: Callable[[Row], bool] = lambda _row: True,
    render: Callable[[Row], Row] = public,
    exact_name: bool = True,
    by_id: bool = True,
) -> dict[str, Any]:
    """Filter by id, ids, name, keyword and tags, then count all and return one page.

    ``by_id=False`` when the command's ``id`` names something else (a load balancer rule).
    """
    start, size = page_bounds(request)
    wanted_id = request.get("id") if by_id else None
    wanted_ids = set(request.ids("ids"))
    name, keyword = request.get("name"), (request.get("keyword") or "").lower()
    pairs = tag_pairs(request)
    matched = [
        row
        for row in rows
        if (not wanted_id or row["id"] == wanted_id)
        and (not wanted_ids or row["id"] in wanted_ids)
        and (not name or (row.get("name") == name if exact_name else name in row.get("name", "")))
        and (not keyword or keyword in str(row.get("name", "")).lower())
        and (not pairs or has_any_tag(row, pairs))
        and keep(row)
    ]
    return page_body(key, len(matched), [render(row) for row in _page(matched, start, size)])


def _page(rows: list[Row], start: int, size: int | None) -> list[Row]:
    return rows[start:] if size is None else rows[start : start + size]


def page_body(key: str, count: int, items: list[Row]) -> dict[str, Any]:
    """ApiResponseSerializer: ``count`` only when non-zero, the array only when non-empty."""
    body: dict[str, Any] = {"count": count} if count else {}
    if items:
        body[key] = items
    return body
