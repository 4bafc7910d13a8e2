"""The catalog service: the directory (organisations, API keys, VLNV vendor names, people) and IP
cores (versions, offers, IP-XACT import and export, search).

Where things are:
    app.py              the Flask app factory (create_app) and the service context
    api/<resource>.py   thin HTTP views under /v1 (parse → use case → serialise);
                        api/old_paths.py answers the paths before /v1 with 308
    schemas/            marshmallow schemas of the API, one module per resource
    organisations.py, cores.py, vendor_names.py
                        use cases: each takes a unit of work (unit_of_work.CatalogWork, or the
                        service's shared UnitOfWork, adapted) and keeps its rows in records.py
    organisation_applications.py, invitations.py, memberships.py, people.py, sign_in.py,
    sessions.py, people_admin.py
                        use cases of people: applications, invitations, members, accounts;
                        signing in, sessions, tokens; the operator's CLI acts. second_factor.py
                        (TOTP, recovery codes) and password_hashing.py (Argon2id) beside them
    domain/             pure rules: no Flask, SQLAlchemy, Kafka or environment reads
                        (people: roles.py, passwords.py, people.py, one_time_tokens.py,
                        access_tokens.py, sign_in_throttle.py)
    search/             core search: write-side indexing, one backend per database, caches
    records.py (+ people_records.py), list_pages.py
                        adapters: the SQL of the use cases, list pagination
    models.py · handlers.py (events consumed: none) · commands.py · migrations/
"""
