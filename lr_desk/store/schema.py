"""The schema version this code writes: the Alembic head revision (a test keeps them equal)."""

SCHEMA_VERSION = "0009"
