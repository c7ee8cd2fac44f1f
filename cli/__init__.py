"""The `adjudicator` command line: thin typer commands over the engine's library functions."""
