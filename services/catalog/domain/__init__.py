"""The catalog's domain: pure rules with no Flask, SQLAlchemy, Kafka or environment reads, so
that each can be tested alone (tests/unit/services/catalog/domain/).

access · concurrency (If-Match) · vlnv · versions (their order) · taxonomy (vocabularies) ·
core_fields (checking a core's fields and offers) · lifecycle (draft → published → …) ·
organisation_profile · vendor_names · search_query (parsing, sorts, cursors, facet results) ·
search_terms (what a core is found by) · ipxact_vocabulary / ipxact_import (+ ipxact_elements) /
ipxact_export.
"""
