"""Storage: the SQLAlchemy models, Alembic migrations and the repository of the system of record."""
