"""What a core is found by: the text search indexes and the facet values it is counted under.
Chinese text is indexed as overlapping bigrams (taxonomy.cjk_document_terms) so that any part of
a Chinese title is found without a segmenter."""

from __future__ import annotations

from services.catalog.domain import taxonomy


def search_columns(core) -> dict:
    """The search columns of `core` (anything with a core's fields as attributes): the text to
    index, the price band and the facet values ("name:value", sorted)."""
    vlnv = ":".join((core.vlnv_vendor, core.vlnv_library, core.vlnv_name, core.vlnv_version))
    latin = [
        core.title_en,
        core.title_en,
        vlnv,  # the title counts twice: it says most
        f"{core.vlnv_vendor} {core.vlnv_library} {core.vlnv_name} {core.vlnv_version}",
        " ".join(core.standards),
        core.description_en or "",
        taxonomy.CATEGORIES.get(core.category or "", ""),
        " ".join(t["foundry"] for t in core.targets),
    ]
    chinese = " ".join(filter(None, [core.title_zh, core.description_zh]))
    title = " ".join([core.title_en, core.vlnv_name, " ".join(core.standards)])
    band = taxonomy.price_band(core.offers)
    return {
        "search_title": taxonomy.without_cjk(title)
        + " "
        + taxonomy.cjk_document_terms(f"{title} {core.title_zh or ''}"),
        "search_text": taxonomy.without_cjk(" ".join(latin + [chinese])),
        "search_cjk": taxonomy.cjk_document_terms(" ".join(latin) + " " + chinese),
        "price_band": band,
        "facet_values": facet_values(core, band),
    }


def facet_values(core, price_band: str) -> list[str]:
    values = {
        f"status:{core.status}",
        f"region:{core.vendor_region}",
        f"price:{price_band}",
        f"vendor:{core.vendor_id}",
    }
    if core.category:
        values.add(f"category:{core.category}")
    values.update(f"standard:{s}" for s in core.standards)
    values.update(f"deliverable:{d}" for d in core.deliverable_kinds)
    for target in core.targets:
        values.update(
            {
                f"foundry:{target['foundry']}",
                f"node:{target['node']}",
                f"maturity:{target['maturity']}",
            }
        )
    return sorted(values)
