"""SQLAlchemy models and Alembic migrations: deliveries, jobs, plans, locks, audit."""
