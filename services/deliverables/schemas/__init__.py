"""Request and response schemas of the deliverables API (marshmallow; unknown fields refused)."""
