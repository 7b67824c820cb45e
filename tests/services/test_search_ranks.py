"""The index keeps name order as numbers with gaps between them (not sort-key strings):
many people saved one after another into the same gap still come in name order."""

import random
from datetime import date

from lr_desk.services.search import Entry, SearchIndex

TODAY = date(2026, 12, 6)


def test_people_saved_into_one_gap_still_come_in_name_order():
    index = SearchIndex()
    index.upsert(Entry("a", "Al", "Aaron", "", None, "", ""))
    index.upsert(Entry("z", "Zed", "Zulu", "", None, "", ""))
    rng = random.Random(2)
    for n in range(300, 0, -1):  # each one between Aaron and the one saved before it
        index.upsert(Entry(f"p{n:04d}", "Bo", "Black", "", None, "", ""))
        if rng.random() < 0.3:
            index.remove(f"p{rng.randint(n, 300):04d}")
    left = sorted(e.person_id for e in index.entries.values() if e.family_name == "Black")
    assert len(left) > 150
    hits, total = index.search("black", limit=50, today=TODAY)
    assert total == len(left)
    assert [h.entry.person_id for h in hits] == left[:50]
    hits, _ = index.search("b", limit=500, today=TODAY)  # Black, Bo: family name first
    assert [h.entry.person_id for h in hits] == left
    hits, _ = index.search("a", limit=5, today=TODAY)
    assert [h.entry.person_id for h in hits] == ["a"]
    index.upsert(Entry("p9999", "Abe", "Aaron", "", None, "", ""))  # before Al Aaron
    hits, _ = index.search("aaron", today=TODAY)
    assert [h.entry.person_id for h in hits] == ["p9999", "a"]
