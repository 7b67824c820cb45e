"""Checking a directory export against the official HSDS 3.0 schemas.

The schemas are the ones published by Open Referral, bundled unchanged in
lr_desk/data/hsds (with their licence and where they came from): the HSDS 3.0
specification and its Open Referral UK profile. ``jsonschema`` validates (Draft 2020-12,
what the specification's OpenAPI 3.1 file uses), with formats checked (ids are UUIDs,
web and email addresses, dates), through a local ``referencing.Registry``: every file is
registered under the address its ``$ref``s use, so nothing is fetched from the network.

A document is a paged answer of services, each fully nested, as the specification's API
gives ``GET /services``: it must be what openapi.json says that answer is (a Page with
``contents``), and each of its ``contents`` a whole service (schema/service.json, with
its organization, phones, locations, schedules, service areas, contacts ...). Both the
specification's and the UK profile's schemas are checked.

``problems(doc)`` lists what does not validate, in plain words with where it is.
"""

from __future__ import annotations

import json
from functools import cache

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from lr_desk.resources import RESOURCES

BUNDLE = RESOURCES / "hsds"

# Where each bundled folder lives online: the address its files' $refs resolve against.
PROFILES = {
    "HSDS 3.0": ("specification",
                 "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"),
    "UK profile": ("uk-profile",
                   "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"),
}

# The schema of openapi.json's answer to GET /services (a Page whose contents are services)
SERVICES_PAGE = ("openapi.json#/paths/~1services/get/responses/200/content/"
                 "application~1json/schema")

FORMAT_WORDS = {"uuid": "id (a UUID)", "uri": "web address (starting https://)",
                "email": "email address", "date": "date (YYYY-MM-DD)",
                "date-time": "date and time"}
TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number",
              "boolean": "true or false", "array": "a list", "object": "a record"}


def _registry() -> Registry:
    resources = []
    for folder, base in PROFILES.values():
        root = BUNDLE / folder / "schema"
        for path in sorted(root.rglob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            uri = base + path.relative_to(root).as_posix()
            resources.append((uri, DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources).crawl()


def document_schema() -> dict:
    """The whole export: for each profile, its paged /services answer with every item a
    full service. ``contents`` is required (the Page schema alone would pass ``{}``)."""
    parts = []
    for _folder, base in PROFILES.values():
        parts.append({"$ref": base + SERVICES_PAGE})
        parts.append({"properties": {"contents": {"items": {"$ref": base + "service.json"}}}})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object", "required": ["contents"], "allOf": parts}


@cache
def validator() -> Draft202012Validator:
    """Built once (reading the bundled files takes a few milliseconds)."""
    return Draft202012Validator(document_schema(), registry=_registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _profile(error: ValidationError) -> str:
    """Which profile's schema an error came from: document_schema's allOf has two
    parts for each profile, in PROFILES' order."""
    path = list(error.absolute_schema_path)
    if len(path) > 1 and path[0] == "allOf" and isinstance(path[1], int):
        return list(PROFILES)[path[1] // 2]
    return ""


def _value(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


def _what(error: ValidationError) -> str:
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"{missing} is missing"
    if kind == "format":
        words = FORMAT_WORDS.get(error.validator_value, error.validator_value)
        return f"{_value(error.instance)} is not a valid {words}"
    if kind == "type":
        wanted = error.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        return f"{_value(error.instance)} should be " + " or ".join(
            TYPE_WORDS.get(w, w) for w in wanted)
    if kind == "enum":
        return f"{_value(error.instance)} should be one of: " + ", ".join(
            str(v) for v in error.validator_value)
    return error.message


def _where(doc, path) -> str:
    """"service 3 (“Tenancy support”), organization › phones 1 › number" from a path."""
    if not path:
        return "the document"
    words: list[str] = []
    node = doc
    steps = list(path)
    if steps[0] == "contents" and len(steps) > 1 and isinstance(steps[1], int):
        index = steps[1]
        node = doc["contents"][index] if isinstance(doc.get("contents"), list) else None
        name = node.get("name") if isinstance(node, dict) else None
        words.append(f"service {index + 1}" + (f" (“{name}”)" if isinstance(name, str)
                                                 and name else ""))
        steps = steps[2:]
    tail: list[str] = []
    for step in steps:
        if isinstance(step, int) and tail:
            tail[-1] += f" {step + 1}"
        else:
            tail.append(str(step))
    if tail:
        words.append(" › ".join(tail))
    return ", ".join(words)


def problems(doc) -> list[str]:
    """What in ``doc`` does not validate against the bundled HSDS 3.0 schemas, one plain
    line each ("service 3 (“Tenancy support”), url: “www.x” is not a valid web address
    (HSDS 3.0, UK profile)"), in the document's order; [] when it validates."""
    found: dict[tuple, list[str]] = {}
    for error in validator().iter_errors(doc):
        for leaf in _leaves(error):
            key = (tuple(leaf.absolute_path), _what(leaf))
            profile = _profile(leaf)
            names = found.setdefault(key, [])
            if profile and profile not in names:
                names.append(profile)
    lines = []
    for (path, what), names in sorted(found.items(), key=lambda kv: _order(kv[0][0])):
        source = f" ({', '.join(names)})" if names else ""
        lines.append(f"{_where(doc, path)}: {what}{source}")
    return lines


def _leaves(error: ValidationError):
    """An allOf/anyOf error's own causes, else the error itself."""
    if error.context:
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


def _order(path: tuple) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in path)
