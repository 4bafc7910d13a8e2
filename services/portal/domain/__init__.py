"""The portal's pure rules (no Flask, no HTTP)."""
