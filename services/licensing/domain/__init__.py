"""The licensing service's domain: pure rules and states (no Flask, SQLAlchemy, Kafka, psycopg,
no environment reads). Checked by the import-linter contracts in pyproject.toml."""
