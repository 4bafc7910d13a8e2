"""Request and response schemas of the licensing API (marshmallow; unknown fields are refused), one
module per resource."""
