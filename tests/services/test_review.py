"""Changes to check, as Needs review lists them: fields and values in words, another
record named by its name, and nothing listed (or counted) that nobody at the desk can
judge. Conflicts as the merge records them, on a real store."""

from __future__ import annotations

from datetime import date

from lr_desk.services import advisors, people, review
from lr_desk.store.clock import HybridClock
from lr_desk.store.models import Conflict, FollowUp


def lost(store, entity: str, entity_id: str, field: str, value) -> None:
    """A value that lost to a concurrent change on another desk."""
    clock = HybridClock("another-desk")
    with store.session() as s:
        s.add(Conflict(kind="value", entity=entity, entity_id=entity_id, field=field,
                       value=value, hlc=clock.now(), winner_hlc=clock.now()))


def test_what_is_listed_is_in_words_and_for_someone_to_settle(store, advisor):
    with store.session() as s:
        ann = people.register(s, {"given_name": "Ann", "family_name": "Lee",
                                  "date_of_birth": "1980-03-04"}, advisor.id, "walton").id
        bea = advisors.create(s, "Bea Advisor", "bootle").id
    lost(store, "person", ann, "phone", "0151 111 1111")
    lost(store, "person", ann, "date_of_birth", "1980-04-03")
    lost(store, "person", ann, "needs_large_print", True)
    lost(store, "person", ann, "referral_source", "gp")
    # an account's password and a merge's bookkeeping: nobody at the desk can judge them
    lost(store, "advisor", bea, "password_hash", "$scrypt$not-shown")
    lost(store, "person", ann, "merged_into", bea)
    with store.session() as s:
        items = {i.field: i for i in review.open_items(s, store.device_id)}
    assert sorted(items) == ["Date of birth", "How they came to us", "Large print",
                             "Phone number"]
    assert {f: (i.current, i.other) for f, i in items.items()} == {
        "Phone number": ("(empty)", "0151 111 1111"),
        "Date of birth": ("4 Mar 1980", "3 Apr 1980"),
        "Large print": ("No", "Yes"),
        "How they came to us": ("Self-referral", "GP"),
    }
    assert {i.what for i in items.values()} == {"Person's details: Ann Lee"}
    assert "someone on another desk" in items["Phone number"].other_who
    assert not any("not-shown" in i.current + i.other for i in items.values())


def test_a_value_naming_another_record_or_a_hub_shows_its_name(store, advisor):
    with store.session() as s:
        bea = advisors.create(s, "Bea Advisor", "bootle").id
        ann = people.register(s, {"given_name": "Ann", "family_name": "Lee"}, advisor.id,
                              "walton").id
        follow_up = FollowUp(person_id=ann, due_date=date(2025, 6, 20), assigned_to=bea)
        s.add(follow_up)
        s.flush()
        follow_up_id = follow_up.id
    lost(store, "follow_up", follow_up_id, "assigned_to", advisor.id)
    lost(store, "follow_up", follow_up_id, "due_date", "2025-06-27")
    lost(store, "advisor", bea, "home_site", "walton")
    with store.session() as s:
        items = {i.field: i for i in review.open_items(s, store.device_id)}
    assert {f: (i.what, i.current, i.other) for f, i in items.items()} == {
        "Who it is for": ("Follow-up: Ann Lee", "Bea Advisor", "Alex Advisor"),
        "Date due": ("Follow-up: Ann Lee", "20 Jun 2025", "27 Jun 2025"),
        "Home hub": ("Staff account: Bea Advisor", "The Life Rooms Bootle",
                     "The Life Rooms Walton"),
    }
