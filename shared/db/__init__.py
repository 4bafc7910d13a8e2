"""Databases: engine (create_engine, timeouts, readiness check), schema (column types, naming,
declarative base), session (the services' Session: rows written at commit as frozen snapshots),
bulk_insert (how those rows reach PostgreSQL in one statement), wake (LISTEN/NOTIFY and
in-process wake-ups at commit), per_engine (the one per-database cache idiom), migrations."""
