"""A partner's named contacts: the key contact from before contacts, exactly one key
contact, removal, and every partner's key contact in one read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lr_desk.services import contacts, directory
from lr_desk.services.contacts import ContactRow
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Partner, PartnerContact


def new_partner(store, name="Walton Food Bank", **legacy) -> str:
    """A partner; ``legacy``: its key contact kept the way it was before contacts."""
    with store.session() as s:
        partner = directory.save_partner(s, {"name": name})
        for key, value in legacy.items():
            setattr(partner, key, value)
        return partner.id


def save(store, pid, rows):
    with store.session() as s:
        return contacts.save_contacts(s, pid, rows)


def read(store, pid):
    with store.session() as s:
        return contacts.contacts(s, pid), contacts.key_contact(s, pid)


def test_a_partner_from_before_contacts_has_its_key_contact(store):
    pid = new_partner(store, key_contact="Pat Jones", key_contact_phone="07700 900111",
                      key_contact_email="pat@food.example")
    rows, key = read(store, pid)
    assert rows == [ContactRow(None, "Pat Jones", "", "07700 900111", "pat@food.example",
                               True)]
    assert key == rows[0]
    with store.session() as s:
        assert contacts.key_contacts(s)[pid].name == "Pat Jones"


def test_no_contact_at_all(store):
    pid = new_partner(store)
    rows, key = read(store, pid)
    assert rows == [] and key is None
    with store.session() as s:
        assert pid not in contacts.key_contacts(s)


def test_first_save_makes_rows_and_empties_the_old_fields(store, outbox):
    pid = new_partner(store, key_contact="Pat Jones", key_contact_phone="07700 900111")
    [legacy], _ = read(store, pid)
    before = outbox.count()
    saved = save(store, pid, [legacy, {"name": " Sam Lee ", "role": "Volunteer lead",
                                       "phone": "0151 000 2222", "email": "",
                                       "is_key": False}])
    assert [(r.name, r.role, r.is_key) for r in saved] == [
        ("Pat Jones", "", True), ("Sam Lee", "Volunteer lead", False)]
    assert all(r.id for r in saved)
    with store.session() as s:
        p = s.get(Partner, pid)
        assert (p.key_contact, p.key_contact_phone, p.key_contact_email) == ("", "", "")
        assert s.get(PartnerContact, saved[0].id).phone == "07700 900111"
    made = {(e.entity, e.op) for e in outbox.entries()[before:]}
    assert ("partner_contact", "insert") in made and ("partner", "update") in made


def test_exactly_one_key_contact(store):
    pid = new_partner(store)
    with pytest.raises(ValidationError) as none:
        save(store, pid, [{"name": "Ann"}, {"name": "Bob"}])
    assert none.value.errors == {"contacts": "Choose one key contact."}
    with pytest.raises(ValidationError) as two:
        save(store, pid, [{"name": "Ann", "is_key": True}, {"name": "Bob", "is_key": True}])
    assert two.value.errors == {"contacts": "Only one contact can be the key contact."}
    assert save(store, pid, []) == []  # none at all is allowed (and flagged in lists)


def test_each_contact_is_checked_in_plain_words(store):
    pid = new_partner(store)
    with pytest.raises(ValidationError) as info:
        save(store, pid, [{"name": "Ann", "phone": "12", "is_key": True},
                          {"name": "", "email": "x@"}])
    words = info.value.errors["contacts"]
    assert "Ann: A phone number has between 7 and 15 digits." in words
    assert "Contact 2: Please enter the contact's name." in words
    assert "email address" in words
    with store.session() as s:
        assert s.scalars(select(PartnerContact)).all() == []


def test_validate_contact_names_each_field():
    with pytest.raises(ValidationError) as info:
        contacts.validate_contact({"name": " ", "phone": "abc", "email": "a@b"})
    assert set(info.value.errors) == {"name", "phone", "email"}
    assert contacts.validate_contact({"name": "Ann", "phone": "+44 151 000 1111"}) == {
        "name": "Ann", "role": "", "phone": "+44 151 000 1111", "email": ""}


def test_edit_move_the_key_and_remove(store, outbox):
    pid = new_partner(store)
    ann, bob = save(store, pid, [{"name": "Ann", "is_key": True}, {"name": "Bob"}])
    before = outbox.count()
    saved = save(store, pid, [ContactRow(bob.id, "Bob", "Manager", "", "", True)])
    assert [(r.id, r.role, r.is_key) for r in saved] == [(bob.id, "Manager", True)]
    with store.session() as s:
        gone = s.get(PartnerContact, ann.id)
        assert gone.deleted_at is not None  # removed: a tombstone, synced like the rest
        assert contacts.key_contact(s, pid).name == "Bob"
        assert contacts.key_contacts(s)[pid].id == bob.id
    ops = sorted((e.entity_id, e.op) for e in outbox.entries()[before:])
    assert ops == sorted([(ann.id, "update"), (bob.id, "update")])
    # saved again unchanged: nothing written
    before = outbox.count()
    save(store, pid, saved)
    assert outbox.count() == before


def test_removing_every_contact_leaves_none(store):
    pid = new_partner(store, key_contact="Pat Jones")
    assert save(store, pid, []) == []
    rows, key = read(store, pid)
    assert rows == [] and key is None


def test_a_key_contact_without_a_name_is_not_a_named_key_contact(store):
    pid = new_partner(store, key_contact_phone="0151 000 3333")
    rows, key = read(store, pid)
    assert rows[0].phone == "0151 000 3333" and rows[0].is_key
    assert key is None  # flagged: no named person to send referrals to
    with store.session() as s:
        assert pid not in contacts.key_contacts(s)


def test_key_contacts_for_many_partners_in_one_read(store):
    a = new_partner(store, "A", key_contact="Old Name")
    b = new_partner(store, "B")
    c = new_partner(store, "C")
    save(store, b, [{"name": "Ben", "is_key": True}, {"name": "Cy"}])
    save(store, c, [{"name": "Dee", "is_key": True}])
    save(store, c, [])  # all removed again
    with store.session() as s:
        found = contacts.key_contacts(s)
    assert found[a].name == "Old Name" and found[a].id is None
    assert found[b].name == "Ben"
    assert c not in found


def test_a_partner_gone_is_refused(store):
    with pytest.raises(ValidationError):
        save(store, "no-such-partner", [{"name": "Ann", "is_key": True}])


def test_a_contact_another_desk_added_meanwhile_is_kept(store):
    """A partner's form saved with the contacts it opened with: one added since (by a
    sync) is neither removed nor left as a second key contact."""
    pid = new_partner(store)
    [ann] = save(store, pid, [{"name": "Ann", "is_key": True}])
    loaded = {"name": "Walton Food Bank", "contacts": [ann.as_dict()]}
    with store.session() as s:  # meanwhile, another desk's contact arrives
        s.add(PartnerContact(partner_id=pid, name="Zed", is_key=True))
    with store.session() as s:
        directory.save_partner(s, {"name": "Walton Food Bank",
                                   "contacts": [{**ann.as_dict(), "role": "Chair"}]},
                               pid, loaded)
    rows, key = read(store, pid)
    assert [(r.name, r.role, r.is_key) for r in rows] == [
        ("Ann", "Chair", True), ("Zed", "", False)]
    assert key.name == "Ann"
