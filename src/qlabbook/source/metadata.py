"""What each edition says of itself. The collected book's is the [collection] table; one
essay's own edition takes the essay's title, subtitle, authors and date (the collection's
where it gives none) and the series' name, publisher, language and rights, with an
identifier of its own. The editions' metadata and the citation records both read it here."""

from __future__ import annotations

import uuid

from qlabbook.source.model import EssaySource, Metadata


def essay_metadata(meta: Metadata, essay: EssaySource) -> Metadata:
    """The metadata of `essay`'s own edition, within the series that `meta` describes."""
    own_date = essay.date is not None
    return Metadata(
        title=essay.title, subtitle=essay.subtitle, series=meta.series,
        authors=essay.authors or meta.authors, publisher=meta.publisher,
        language=meta.language, identifier=essay_identifier(meta, essay.number),
        date=essay.date if own_date else meta.date,
        month_only=essay.month_only if own_date else meta.month_only, rights=meta.rights,
        edition=meta.edition, collection_title=meta.title, essay_number=essay.number)


def essay_identifier(meta: Metadata, number: int) -> str:
    """A stable identifier of its own for each essay's edition, derived from the collection's."""
    base = meta.identifier or meta.title
    return uuid.uuid5(uuid.NAMESPACE_URL, f"qlabbook:{base}#essay-{number}").urn
