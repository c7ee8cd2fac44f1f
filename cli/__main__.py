"""`python -m cli` runs the adjudicator command line."""

from cli.main import app

app()
