"""lr_desk.store.models is the store's public face: the tables are made in modules by
subject (base, vocabulary, directory, people, accounts, the desk's own), and every one of
them, every word list and the synced set are named here, so that no other file needs to
know which module made what."""

from __future__ import annotations

from lr_desk.store import models, vocabulary


def test_every_table_is_importable_from_models_and_listed_in_its_public_face():
    mapped = {m.class_ for m in models.Base.registry.mappers}
    assert {m.local_table.name for m in models.Base.registry.mappers} == \
        set(models.Base.metadata.tables)
    for cls in mapped:
        assert getattr(models, cls.__name__) is cls, cls
        assert cls.__name__ in models.__all__, cls
    assert all(hasattr(models, name) for name in models.__all__)


def test_every_word_list_is_given_by_models():
    words = {n: v for n, v in vars(vocabulary).items() if n.isupper()}
    assert words, "the vocabulary is empty"
    for name, value in words.items():
        assert getattr(models, name) is value and name in models.__all__, name
        assert all(type(k) is str and type(v) is str and v for k, v in value.items()), name


def test_the_synced_set_is_exactly_the_tables_the_outbox_captures():
    # the outbox captures every row of a Synced class; sync and merge know SYNCED_MODELS
    synced = {m.class_.__tablename__: m.class_ for m in models.Base.registry.mappers
              if issubclass(m.class_, models.Synced)}
    assert synced == models.SYNCED_MODELS

