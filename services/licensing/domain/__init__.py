"""The licensing domain, pure: states and their transitions, export screening, money, license
tokens and their verification. Nothing here opens a database, reads the environment or knows
about HTTP; the use cases (license_requests, licenses, quotes, orders, …) bring the rows."""
