"""The engine version recorded in every decision; bump it whenever a decision could change."""

ENGINE_VERSION = "0.1.0"
