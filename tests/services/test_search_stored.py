"""Search answered from the keys stored in the database (search_keys, search_stored), as
the desk does it while the in-memory index is built: the same people in the same order as
``SearchIndex``, kept in step by every path that changes a person (saves, syncs, merges,
erasure), and an erased person leaves nothing of theirs in the keys."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text, update

from lr_desk.services import erasure, people
from lr_desk.services.search import SearchIndex
from lr_desk.services.search_keys import changed_count, fix_up
from lr_desk.services.search_stored import MOST_CHANGED, StoredSearch
from lr_desk.store import erase as store_erase
from lr_desk.store.models import Person, SearchKey

from .erasing import FAMILY, GIVEN, found_in_files, rich_person
from .test_erasure import manager  # noqa: F401 (a fixture)

TODAY = date(2025, 6, 11)

GIVEN_NAMES = ["William", "Bill", "Stephen", "Steven", "Siân", "Sian", "Mary", "Mary-Jane",
               "Jo", "John", "Jon", "Łukasz", "Ann", "Anne", "Patrick", "Zoë"]
FAMILY_NAMES = ["Smith", "Smyth", "Smith-Jones", "Jones", "O'Brien", "McDonald",
                "Mc Donald", "Van der Berg", "Halsall", "Halsey", "Wojciechowski", "Doyle",
                "Dale"]
POSTCODES = ["", "L9 2AF", "L9 4AB", "L20 7AP", "PR8 1NW", "L1 8JQ"]
PHONES = ["", "0151 123 4567", "+44 7700 900123", "01704 383198", "0151 999 0000"]
DATES = [None, date(1980, 3, 12), date(1975, 7, 1), date(1990, 12, 25), date(1980, 5, 5)]

a_person = st.tuples(st.sampled_from(GIVEN_NAMES), st.sampled_from(FAMILY_NAMES),
                     st.sampled_from(["", "Paddy", "Bill", "Jo"]), st.sampled_from(DATES),
                     st.sampled_from(POSTCODES), st.sampled_from(PHONES))


def _fragment(draw) -> str:
    kind = draw(st.sampled_from(["name", "start", "typo", "date", "year", "postcode",
                                 "phone"]))
    if kind in ("name", "start", "typo"):
        name = draw(st.sampled_from(GIVEN_NAMES + FAMILY_NAMES)).lower()
        if kind == "start":
            return name[:draw(st.integers(1, max(1, len(name))))]
        if kind == "typo" and len(name) > 3:
            i = draw(st.integers(0, len(name) - 1))
            return name[:i] + draw(st.sampled_from("aeiouxy")) + name[i + 1:]
        return name
    if kind == "date":
        born = draw(st.sampled_from(DATES[1:]))
        return born.strftime(draw(st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d %b %Y"])))
    if kind == "year":
        return str(draw(st.sampled_from(DATES[1:])).year)
    if kind == "postcode":
        postcode = draw(st.sampled_from(POSTCODES[1:]))
        return postcode[:draw(st.integers(2, len(postcode)))]
    digits = draw(st.sampled_from(PHONES[1:])).replace(" ", "")
    start = draw(st.integers(0, len(digits) - 3))
    return digits[start:start + draw(st.integers(3, 8))]


@st.composite
def queries(draw) -> str:
    return " ".join(_fragment(draw) for _ in range(draw(st.integers(1, 3))))


# asked in every example too: halves of hyphenated names, words to join, nicknames, typos
ALWAYS = ["smith", "jones", "mary", "mc donald", "van der berg", "bill", "steven halsel",
          "sian", "o'brien", "j", "zoe", "12/03/1980", "1980", "l9", "0151", "jon smyth l9"]


def register(store, advisor, row) -> str:
    given_name, family_name, preferred, born, postcode, phone = row
    with store.session() as s:
        return people.register(s, {
            "given_name": given_name, "family_name": family_name,
            "preferred_name": preferred,
            "date_of_birth": born.strftime("%d/%m/%Y") if born else "",
            "postcode": postcode, "phone": phone}, advisor.id, "walton", today=TODAY).id


def answers(hits_total) -> tuple[list[tuple], int]:
    hits, total = hits_total
    return [(h.entry.person_id, h.entry.display_name, h.score, h.why) for h in hits], total


def fix_up_all(store) -> None:
    while True:
        with store.session() as s:
            if not fix_up(s):
                return


@given(st.lists(a_person, min_size=1, max_size=12), st.integers(0, 12),
       st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["rename", "delete", "move"])),
                max_size=4),
       st.lists(queries(), min_size=1, max_size=6), st.sampled_from([5, 50]))
def test_the_stored_keys_answer_as_the_index_does(store, advisor, new_people, keyed, changes,
                                                   typed, limit):
    """People registered (some keyed, some still marked as changed), renamed, deleted or
    moved; then any query: the same people, the same scores and reasons, in the same order,
    the same total."""
    ids = [register(store, advisor, row) for row in new_people]
    with store.session() as s:
        fix_up(s, batch=keyed)
        everyone = list(s.scalars(select(Person.id).order_by(Person.id)))
    for n, what in changes:
        person_id = everyone[n % len(everyone)]
        with store.session() as s:
            person = s.get(Person, person_id)
            if what == "rename":
                person.family_name = FAMILY_NAMES[n % len(FAMILY_NAMES)]
                person.given_name = GIVEN_NAMES[n % len(GIVEN_NAMES)]
            elif what == "delete":
                person.deleted_at = datetime(2025, 1, 1)
            else:
                person.postcode = POSTCODES[n % len(POSTCODES)]
                person.date_of_birth = DATES[n % len(DATES)]
    assert ids
    stored = StoredSearch(store.Session)
    with store.Session() as s:
        index = SearchIndex.build(s)
    for query in typed + ALWAYS:
        expected = answers(index.search(query, limit, today=TODAY))
        assert answers(stored.search(query, limit, today=TODAY)) == expected, query
    assert stored.count() == len(index)


def test_saves_mark_people_changed_and_fix_up_keys_them(store, advisor):
    person_id = register(store, advisor, ("Stephen", "Halsall", "", date(1971, 4, 2),
                                          "L9 2AF", "0151 123 4567"))
    stored = StoredSearch(store.Session)
    with store.session() as s:
        assert changed_count(s) == 1  # (the example directory has no people)
    assert answers(stored.search("steven halsel", today=TODAY))[0][0][0] == person_id
    fix_up_all(store)
    with store.session() as s:
        assert changed_count(s) == 0
        tokens = set(s.scalars(select(SearchKey.token).where(SearchKey.person_id == person_id)))
    assert {"stephen", "halsall", "\x01d1971-04-02", "\x01pl9 2af", "\x01t01511234567",
            "\x01n"} == tokens
    with store.session() as s:
        people.update(s, person_id, {"given_name": "Stephen", "family_name": "Oldfield",
                                     "date_of_birth": "02/04/1971"}, today=TODAY)
        assert changed_count(s) == 1
    # found by their new name and no longer by the old one, before and after keying
    for _ in range(2):
        assert [h.entry.person_id for h in stored.search("oldfield", today=TODAY)[0]] == [
            person_id]
        assert stored.search("halsall", today=TODAY) == ([], 0)
        fix_up_all(store)


def test_a_sync_or_any_other_path_marks_them_too(store, advisor):
    """Triggers on person mark a change whatever made it: here a plain UPDATE, as a
    sync's merge writes rows."""
    person_id = register(store, advisor, ("Mary", "McDonald", "", None, "", ""))
    fix_up_all(store)
    with store.engine.begin() as conn:
        conn.execute(update(Person).where(Person.id == person_id).values(family_name="Doyle"))
        conn.execute(insert(Person).values(id="pulled", given_name="Ann", family_name="Doyle"))
    with store.session() as s:
        assert changed_count(s) == 2
    stored = StoredSearch(store.Session)
    assert sorted(h.entry.person_id for h in stored.search("doyle", today=TODAY)[0]) == sorted(
        [person_id, "pulled"])


def test_too_many_changed_and_the_stored_keys_are_not_used(store, advisor):
    register(store, advisor, ("Jo", "Smith", "", None, "", ""))
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO search_dirty (person_id) VALUES " + ", ".join(
            f"('x{n}')" for n in range(MOST_CHANGED + 1))))
    stored = StoredSearch(store.Session)
    assert stored.search("smith", today=TODAY) is None
    assert stored.count() is None


def test_an_erased_person_leaves_nothing_in_the_keys(store, advisor, manager):  # noqa: F811
    with store.session() as s:
        person_id = rich_person(s, advisor.id)
    fix_up_all(store)
    folded = [GIVEN.lower(), FAMILY.lower(), "1983-04-17", "07700900461"]
    with store.session() as s:
        assert s.scalar(select(func.count()).where(SearchKey.person_id == person_id)) == 7
    store.engine.dispose()  # (the write-ahead log into the file)
    assert set(folded) <= set(found_in_files(store, folded)["lr_desk.sqlite"])
    with store.session() as s:
        erasure.erase(s, person_id, manager.id, manager.id)
        # gone in the erasure's own transaction, before anything keys them again
        assert s.scalar(select(func.count()).where(SearchKey.person_id == person_id)) == 0
    store_erase.wipe(store.engine)
    assert found_in_files(store, folded) == {}
    fix_up_all(store)
    stored = StoredSearch(store.Session)
    assert stored.search(f"{GIVEN} {FAMILY}", today=TODAY) == ([], 0)
    assert stored.search("erased", today=TODAY) == ([], 0)
    with store.session() as s:
        assert s.scalar(select(func.count()).where(SearchKey.person_id == person_id)) == 0
