"""The dashboard's routes: `/` as one server-rendered page, `/api/dashboard` as its JSON twin."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.dashboard.auth import token_guard
from app.dashboard.links import PullLinks
from app.dashboard.model import Board
from app.dashboard.queries import read_board

# The page is read-only and loads nothing from elsewhere: no script may run on it at all, so
# text that slipped past escaping still could not act.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def pretty(detail: str) -> str:
    """Audit details are mostly JSON on one line; indented, a person can read them."""
    try:
        return json.dumps(json.loads(detail), indent=1, ensure_ascii=False)
    except ValueError:
        return detail


_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters |= {"when": when, "pretty": pretty}
PAGE = _templates.get_template("dashboard.html")


def dashboard_router(sessions: sessionmaker[Session], settings: Settings) -> APIRouter:
    router = APIRouter(dependencies=[Depends(token_guard(settings.dashboard_token))])
    release = version("stackgate")
    link = PullLinks(settings)

    def board() -> Board:
        with sessions() as session:
            return read_board(session, release)

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE.render(board=board(), link=link), headers=HEADERS)

    @router.get("/api/dashboard")
    def api() -> JSONResponse:
        return JSONResponse(
            jsonable_encoder(asdict(board())), headers={"Cache-Control": "no-store"}
        )

    return router
