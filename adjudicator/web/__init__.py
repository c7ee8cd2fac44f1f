"""The web app for field verifiers and county officers (FastAPI, server-rendered Chinese pages
and a JSON API under /api/v1). A thin layer over `adjudicator.services`, like the CLI."""

from adjudicator.web.app import create_app
from adjudicator.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
