"""The PostgreSQL store's own check of every change appended (see lr_desk.sync.checks):
the SQL of a trigger, made from the same description the desks check against, so that a
device's login, which may append to the log, cannot append anything else.

Cost is what matters here (a push of 10,000 changes has a budget of 3x a raw insert):
a change that passes is judged by one expression per kind of record, built of jsonb
look-ups, regular expressions (PostgreSQL keeps them compiled) and jsonpath, with no
call of a SQL function (each costs tens of microseconds). From migration c8 the trigger
runs once per statement, after it: one query over all the rows it appended (a
transition table) finds the first that is wrong, if any (a trigger call per row cost
more than the check itself). The schema version is looked up in desk_schema only if it
is not one of those known when the trigger was made; from c12 a field's JSON type is
looked up once, and an id is matched as a UUID without a regular expression (a third
less for the same answers). Only a change that fails goes
through the slower function that says, in plain words, what is wrong with it. The
trigger is not SECURITY DEFINER: it reads only desk_schema, which every login may read.

From c13 the query that finds the first wrong row (_wrong) asks the same question more
cheaply than the conditions that say why (_problems), for the same rows: the store's time
read once; ids cast to uuid, and times of a desk's shape to timestamp, once their shape
is right (a cast that fails undoes only the query, which is asked again with c12's
tests); the kinds of record a push holds most of tried first; a time equal to
created_at taken as checked with it; ``seen`` read by jsonb_each rather than jsonpath's
like_regex (~15 us a change with stamps).

The description is read when a migration runs it (c5, c8, c10, c12, c13): a later change
to the models that syncs new columns or other types needs a migration that makes these
functions again from the code of its day.
"""

from __future__ import annotations

import sqlalchemy as sa

from lr_desk.sync import checks
from lr_desk.sync.checks import Column

SQLSTATE = "22LR1"  # what the trigger raises: CentralStore.push turns it into Refused
FUNCTIONS = ("change_log_fields_problem(text, text, jsonb)", "change_log_check()")
# jsonpath (strict): a part of an entity -> [ids] value that is not a list of ids
_NOT_ID_LISTS = ('strict $.* ? (@.type() != "array" || exists(@[*] ? (@.type() != "string"'
                 f' || @ like_regex "^.{{{checks.MAX_ID + 1}}}" flag "s")))')
# ... and an entry of ``seen`` that is not what a desk writes (see checks.seen_problem)
_LONG = '@.value like_regex "^.{81}" flag "s"'
_NOT_SEEN = (
    'strict $.keyvalue() ? (@.key like_regex "^.{65}" flag "s"'
    ' || (@.key starts with "~" && !(@.value.type() == "string" || @.value.type() == "null"))'
    f' || (@.key starts with "~" && @.value.type() == "string" && {_LONG})'
    ' || (!(@.key starts with "~") && (@.value.type() != "array"'
    f' || @.value.size() > {checks.MAX_SEEN}'
    ' || exists(@.value[*] ? (@.type() != "string" || @ like_regex "^.{81}" flag "s")))))')


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_HEX = "0123456789abcdefABCDEF"


def _array(names) -> str:
    return "ARRAY[" + ", ".join(_q(n) for n in names) + "]::text[]"


def _value_ok(col: Column, name: str) -> str:
    """SQL, true when the change's field ``name`` (of fields ``f``) is absent or a fit
    value for ``col``. Its JSON type is looked up once (a simple CASE on it): each look-up
    of a field copies its value, and a change's check made three or four of each."""
    v, s = f"(f -> {_q(name)})", f"(f ->> {_q(name)})"
    kind, then = {
        "string": ("string", f"length({s}) <= {col.limit}"),
        "boolean": ("boolean", "true"),
        "integer": ("number", f"{s} ~ '^-?[0-9]{{1,9}}$'"),
        "date": ("string", f"{s} ~ {_q(checks.DATE_RE)}"),
        # (a time the same as created_at, checked on its own, as most are: no second look)
        "datetime": ("string", f"{s} ~ {_q(checks.TIME_RE)}" if col.name == "created_at" else
                     f"CASE WHEN {v} = (f -> 'created_at') THEN true "
                     f"ELSE {s} ~ {_q(checks.TIME_RE)} END"),
        "object": ("object", f"NOT jsonb_path_exists({v}, "
                             f"'strict $.**{{{checks.MAX_DEPTH + 1} to last}}')"),
        "ids": ("object", f"NOT jsonb_path_exists({v}, {_q(_NOT_ID_LISTS)})"),
    }[col.kind]
    null = " WHEN 'null' THEN true" if col.nullable else ""
    return (f"CASE COALESCE(jsonb_typeof({v}), 'absent') WHEN 'absent' THEN true{null} "
            f"WHEN '{kind}' THEN {then} ELSE false END")


def _entity_ok(entity: checks.Entity) -> str:
    """SQL, true when the change's fields ``f`` (an object) fit the entity."""
    parts = [f"(f - {_array(entity.columns)}) = '{{}}'::jsonb"]
    if entity.required:
        parts.append(f"(NEW.op <> 'insert' OR f ?& {_array(entity.required)})")
    parts += [_value_ok(col, name) for name, col in entity.columns.items()]
    return "\n                AND ".join(parts)


def _not_uuid(value: str) -> str:
    """SQL, true when ``value`` is not a UUID as checks.UUID_RE has it (8-4-4-4-12 hex
    digits, either case): 36 characters with dashes where they go (LIKE), and the other
    32 hex digits (what is left once the dashes are taken out: no dash, nothing but
    digits). The same answer as the regular expression at half its cost (a push of
    10,000 changes matched it 20,000 times)."""
    digits = f"replace({value}, '-', '')"
    return (f"NOT ({value} LIKE '________-____-____-____-____________' "
            f"AND length({digits}) = 32 AND ltrim({digits}, '{_HEX}') = '')")


def _entity_problem(entity: checks.Entity) -> str:
    """PL/pgSQL: RETURN what is wrong with fields ``f`` of the entity (falls through if
    nothing is)."""
    lines = [f"extra := (SELECT min(k) FROM jsonb_object_keys(f - {_array(entity.columns)}) k);",
             "IF extra IS NOT NULL THEN",
             f"    RETURN format('%s is not a field of {entity.name}', quote_literal(extra));",
             "END IF;"]
    for name, col in entity.columns.items():
        v = f"(f -> {_q(name)})"
        lines += [f"IF NOT ({_value_ok(col, name)}) THEN",
                  f"    RETURN {_q(name + ' is ')} || left({v}::text, 40) || "
                  f"{_q(': it should be ' + col.words())};",
                  "END IF;"]
    if entity.required:
        lines += [f"IF op = 'insert' AND NOT f ?& {_array(entity.required)} THEN",
                  f"    RETURN 'a new {entity.name} needs ' || array_to_string(ARRAY(",
                  f"        SELECT k FROM unnest({_array(entity.required)}) k "
                  "WHERE NOT f ? k), ', ') || ', which it does not have';",
                  "END IF;"]
    return "\n            ".join(lines)


def _problems(schema: str) -> list[tuple[str, str]]:
    """What can be wrong with a change ``NEW`` (its fields as ``f``), in the order it is
    looked at: (SQL true when it is, SQL of the words that say so). Each condition may
    rely on the ones before it being false (a stamp's digits are read only once its shape
    is right)."""
    known = ", ".join(_q(name) for name in checks.ENTITIES)
    versions = ", ".join(_q(v) for v in checks.desk_versions())
    cases = "\n            ".join(
        f"WHEN {_q(e.name)} THEN {_entity_ok(e)}" for e in checks.ENTITIES.values())
    return [
        ("NEW.op IS NULL OR NEW.op NOT IN ('insert', 'update')",
         "format('its kind %s is not insert or update', quote_nullable(NEW.op))"),
        (f"NEW.entity IS NULL OR NEW.entity NOT IN ({known})",
         "format('%s is not a kind of record lr_desk keeps', quote_nullable(NEW.entity))"),
        (_not_uuid("NEW.change_id"),
         "format('its change id %s is not a UUID', quote_literal(NEW.change_id))"),
        (_not_uuid("NEW.entity_id"),
         "format('its entity id %s is not a UUID', quote_literal(NEW.entity_id))"),
        (f"NEW.hlc !~ {_q(checks.STAMP_RE)} OR length(NEW.hlc) > {checks.MAX_STAMP}",
         "format('its clock stamp %s is not one lr_desk makes', quote_literal(NEW.hlc))"),
        ("substr(NEW.hlc, 1, 15)::bigint "
         f"> (extract(epoch FROM now()) * 1000)::bigint + {checks.AHEAD}",
         "format('its clock stamp %s is more than a day ahead of the central store''s time "
         "(is that computer''s clock right?)', NEW.hlc)"),
        ("jsonb_typeof(f) <> 'object'",
         "format('its fields are %s, not a set of named values (a JSON object)', "
         "left(f::text, 40))"),
        (f"pg_column_size(f) > {checks.MAX_CHANGE} "
         f"OR pg_column_size(NEW.seen) > {checks.MAX_CHANGE}",
         f"'it is bigger than {checks.MAX_CHANGE:,} bytes'"),
        (f"NOT (CASE NEW.entity\n            {cases}\n            END)",
         f"{schema}.change_log_fields_problem(NEW.entity, NEW.op, f)"),
        ("NOT (CASE WHEN NEW.seen IS NULL OR jsonb_typeof(NEW.seen) = 'null' THEN true "
         "WHEN jsonb_typeof(NEW.seen) <> 'object' THEN false "
         # as most changes have it: who wrote it, and nothing else
         "WHEN (NEW.seen - '~by') = '{}'::jsonb THEN "
         "jsonb_typeof(NEW.seen -> '~by') IN ('string', 'null') "
         "AND length(NEW.seen ->> '~by') <= 80 "
         f"ELSE NOT jsonb_path_exists(NEW.seen, {_q(_NOT_SEEN)}) END)",
         "format('its seen is %s, not field -> clock stamps', left(NEW.seen::text, 40))"),
        # (a query only for a version newer than the check: rare)
        (f"NOT NEW.schema_version = ANY (ARRAY[{versions}]) AND NOT EXISTS ("
         f"SELECT 1 FROM {schema}.desk_schema d WHERE d.version = NEW.schema_version)",
         "format('it was written by lr_desk schema %s, which the central store does not "
         "know', quote_literal(NEW.schema_version))"),
    ]


# Kinds of record in the order the query looks for a change's (a CASE tries each in turn):
# those a push holds most of first (half of one is audit records); then the rest.
_COMMON = ("audit_event", "conversation_need", "referral_event", "prescription_item",
           "referral", "conversation", "prescription", "follow_up", "person",
           "wellbeing_measure", "consent")
_ID_SHAPE = "'________-____-____-____-____________'"
AHEAD_MS = "ahead_ms"  # the trigger's variable: the store's time, ms since 1970, + AHEAD


# a time as a desk writes one (to the microsecond): LIKE and this expression have every
# character but the six between the parts a digit (a regular expression with a state a
# part costs a third of checks.TIME_RE's, which has one a character)
_TIME_SHAPE = "'____-__-__T__:__:__.______'"
_TIME_DIGITS = "'^[0-9]+-[0-9]+-[0-9]+T[0-9]+:[0-9]+:[0-9]+[.][0-9]+$'"


def _time_ok(s: str, cast: bool) -> str:
    """SQL, true when text ``s`` is a time as checks.TIME_RE has it. With ``cast``, a
    time of a desk's shape, all digits, is read by timestamp's input, which takes it if
    and only if its year, month, day, minute and second are real, or it is hour 24 or
    second 60 (told apart here), and raises (datetime_field_overflow) otherwise: the
    query is then asked again without casts."""
    if not cast:
        return f"{s} ~ {_q(checks.TIME_RE)}"
    return (f"CASE WHEN {s} LIKE {_TIME_SHAPE} AND {s} ~ {_TIME_DIGITS} THEN "
            f"{s}::timestamp IS NOT NULL AND substr({s}, 12, 2) <> '24' "
            f"AND substr({s}, 18, 2) <> '60' ELSE {s} ~ {_q(checks.TIME_RE)} END")


def _fast_value_ok(entity: checks.Entity, col: Column, name: str, cast: bool) -> str:
    """_value_ok, or a cheaper test giving the same answer for the whole change: a time
    that may not be null and reads as created_at does (an entity's created_at may not be
    null: it is checked on its own) is valid if created_at is, so no second look; a
    time is read by _time_ok."""
    ok = _value_ok(col, name)
    if col.kind != "datetime":
        return ok
    regex = f"(f ->> {_q(name)}) ~ {_q(checks.TIME_RE)}"
    assert regex in ok
    ok = ok.replace(regex, _time_ok(f"(f ->> {_q(name)})", cast))
    created = entity.columns.get("created_at")
    if (col.nullable or name == "created_at" or created is None
            or created.kind != "datetime" or created.nullable):
        return ok
    return f"CASE WHEN (f ->> {_q(name)}) = (f ->> 'created_at') THEN true ELSE {ok} END"


def _fast_entity_ok(entity: checks.Entity, cast: bool) -> str:
    parts = [f"(f - {_array(entity.columns)}) = '{{}}'::jsonb"]
    if entity.required:
        parts.append(f"(NEW.op <> 'insert' OR f ?& {_array(entity.required)})")
    parts += [_fast_value_ok(entity, col, name, cast) for name, col in entity.columns.items()]
    return "\n                AND ".join(parts)


def _id_cast_fails(value: str) -> str:
    """SQL that raises (invalid_text_representation) when ``value``, already of a UUID's
    shape (LIKE: 36 characters, dashes where they go), is not a UUID, and is otherwise
    false. With the shape right, uuid's input takes it if and only if the other 32 are
    hex digits: it reads hex in pairs, a dash allowed only after four digits, nothing
    else (braces cannot fit the shape). Half the cost of _not_uuid's test."""
    return f"{value}::uuid IS NULL AND {value} IS NOT NULL"


# ``seen`` as jsonb_each reads it: what _NOT_SEEN finds, pair by pair (for a change that
# has stamps: the jsonpath's like_regex took ~15 us a change)
_SEEN_PAIR_WRONG = (
    "length(e.k) > 64 OR CASE WHEN e.k LIKE '~%' THEN NOT (jsonb_typeof(e.v) = 'null' "
    "OR (jsonb_typeof(e.v) = 'string' AND length(e.v #>> '{}') <= 80)) "
    "WHEN jsonb_typeof(e.v) <> 'array' THEN true "
    f"WHEN jsonb_array_length(e.v) > {checks.MAX_SEEN} THEN true "
    "ELSE EXISTS (SELECT FROM jsonb_array_elements(e.v) h(v) "
    "WHERE jsonb_typeof(h.v) <> 'string' OR length(h.v #>> '{}') > 80) END")


def _wrong(schema: str, cast: bool) -> str:
    """SQL, true when a change ``NEW`` (its fields as ``f``) is wrong: true for the same
    changes as any of _problems, more cheaply (see the module's notes). With ``cast``
    it may raise instead (a data_exception), when an id of a UUID's shape is not one or
    a time of a desk's shape is not real: the query is then asked again without casts
    (c12's tests of ids and times, which never raise)."""
    return ("CASE " + " ".join(f"WHEN {bad} THEN true" for bad in _conditions(schema, cast))
            + " ELSE false END")


def _conditions(schema: str, cast: bool) -> list[str]:
    """_wrong's conditions, in the order looked at (each relies on those before it being
    false, as _problems' do)."""
    problems = _problems(schema)
    kinds = sorted(checks.ENTITIES.values(), key=lambda e: (
        _COMMON.index(e.name) if e.name in _COMMON else len(_COMMON)))
    cases = "\n            ".join(f"WHEN {_q(e.name)} THEN {_fast_entity_ok(e, cast)}"
                                   for e in kinds)
    ids = [f"NOT (NEW.change_id LIKE {_ID_SHAPE})", f"NOT (NEW.entity_id LIKE {_ID_SHAPE})",
           _id_cast_fails("NEW.change_id"), _id_cast_fails("NEW.entity_id")] if cast \
        else [problems[2][0], problems[3][0]]
    conditions = [
        problems[0][0], problems[1][0], *ids, problems[4][0],
        f"substr(NEW.hlc, 1, 15)::bigint > {AHEAD_MS}",
        problems[6][0], problems[7][0],
        f"NOT (CASE NEW.entity\n            {cases}\n            END)",
        problems[9][0].replace(f"ELSE NOT jsonb_path_exists(NEW.seen, {_q(_NOT_SEEN)}) END",
                               "ELSE NOT EXISTS (SELECT FROM jsonb_each(NEW.seen) e(k, v) "
                               f"WHERE {_SEEN_PAIR_WRONG}) END"),
        problems[10][0]]
    assert "jsonb_path_exists(NEW.seen" not in conditions[-2]
    return conditions


def _fields_problem(schema: str) -> str:
    """The slow path, for a change that failed: what is wrong with its fields, in words."""
    problems = "\n        ".join(
        f"{'IF' if i == 0 else 'ELSIF'} entity = {_q(e.name)} THEN\n            "
        f"{_entity_problem(e)}" for i, e in enumerate(checks.ENTITIES.values()))
    return f"""CREATE FUNCTION {schema}.change_log_fields_problem(entity text, op text, f jsonb)
        RETURNS text LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            extra text;
        BEGIN
        {problems}
        END IF;
        RETURN 'its fields are not right';
        END $$"""


_REFUSED = ("RAISE EXCEPTION 'The central store refused the change % to % %: %. Nothing "
            "of this push was stored.', quote_literal(NEW.change_id), "
            "quote_literal(NEW.entity), quote_literal(NEW.entity_id), why "
            f"USING ERRCODE = '{SQLSTATE}'")


def postgres_sql(schema: str, per_statement: bool = False) -> list[str]:
    """The statements that make the check (``schema``: quoted). ``per_statement``
    (migration c8): one query over all the rows a statement appended, after it, instead
    of a PL/pgSQL call before each row (c5): the same conditions, a tenth of the cost.
    Its query is never compiled by JIT (``SET jit = off``): the planner prices its long
    expression over a statement of 10,000 rows above jit_above_cost, and compiling it
    took about a second, twice what running it takes (migration c12)."""
    problems = _problems(schema)
    chain = "\n            ".join(
        f"{'IF' if i == 0 else 'ELSIF'} {bad} THEN\n                why := {words};"
        for i, (bad, words) in enumerate(problems))
    if not per_statement:
        return [
            _fields_problem(schema),
            f"""CREATE FUNCTION {schema}.change_log_check() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            f jsonb := NEW.fields;
            why text;
        BEGIN
            {chain}
            END IF;
            IF why IS NOT NULL THEN
                {_REFUSED};
            END IF;
            RETURN NEW;
        END $$""",
            f"REVOKE ALL ON FUNCTION {schema}.change_log_check() FROM PUBLIC",
            f"CREATE TRIGGER change_log_check BEFORE INSERT ON {schema}.change_log "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.change_log_check()",
        ]
    # Any row wrong at all (one CASE: each condition looked at only if those before it
    # are false); the first such, by number, is said in words and the statement undone.
    # (The rows are r in the query; the one found is bad: no name is also a variable.)
    # The store's time is read once (now(): the transaction's start, the same all through).
    find = ("SELECT r.* INTO bad FROM (SELECT a.*, a.fields AS f FROM added a) AS r "
            "WHERE {} ORDER BY r.seq LIMIT 1")
    return [
        _fields_problem(schema),
        f"""CREATE FUNCTION {schema}.change_log_check() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
        DECLARE
            bad record;
            {AHEAD_MS} bigint := (extract(epoch FROM now()) * 1000)::bigint + {checks.AHEAD};
        BEGIN
            BEGIN
                {find.format(_wrong(schema, True).replace("NEW.", "r."))};
            EXCEPTION WHEN data_exception THEN  -- a cast refused: an id or a time
                {find.format(_wrong(schema, False).replace("NEW.", "r."))};
            END;
            IF NOT FOUND THEN
                RETURN NULL;
            END IF;
            DECLARE
                f jsonb := bad.fields;
                why text;
            BEGIN
                {chain.replace("NEW.", "bad.")}
                END IF;
                {_REFUSED.replace("NEW.", "bad.")};
            END;
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.change_log_check() FROM PUBLIC",
        f"CREATE TRIGGER change_log_check AFTER INSERT ON {schema}.change_log "
        f"REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {schema}.change_log_check()",
    ]


def drop_sql(schema: str) -> list[str]:
    return [f"DROP TRIGGER change_log_check ON {schema}.change_log",
            *(f"DROP FUNCTION {schema}.{fn}" for fn in reversed(FUNCTIONS))]


def remake(bind, per_statement: bool = True) -> None:
    """Make the check again from the models as they are now (migrations c8 and c9), on
    a PostgreSQL store; SQLite checks in CentralStore.push and has nothing to make.
    ``bind``: a SQLAlchemy connection in the migration's transaction."""
    if bind.dialect.name != "postgresql":
        return
    schema = bind.dialect.identifier_preparer.quote(
        bind.scalar(sa.text("SELECT current_schema()")))
    # (through the driver as written: SQLAlchemy would take the regular expressions'
    # colons for parameters, and psycopg their percent signs)
    with bind.connection.dbapi_connection.cursor() as cursor:
        for statement in (*drop_sql(schema), *postgres_sql(schema, per_statement)):
            cursor.execute(statement)
