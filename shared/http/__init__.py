"""The HTTP layer every service shares: app (create_service_app), problems (RFC 9457
problem+json), auth (bearer keys, roles), rate_limiting, health, api_docs (flask-smorest
Blueprint, OpenAPI helpers), context (the ServiceContext of the request)."""
