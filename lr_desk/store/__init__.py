"""Local store: SQLAlchemy models, engine and session, migrations, outbox."""
