"""What the app holds for its lifetime: settings, the database, the authenticator, templates."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from adjudicator.web.auth import Authenticator
from adjudicator.web.settings import WebSettings


@dataclass
class WebState:
    settings: WebSettings
    engine: Engine
    factory: sessionmaker[Session]
    auth: Authenticator
    templates: Jinja2Templates


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state
