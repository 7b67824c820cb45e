"""Does a requirement's environment marker hold here? ('python_version < "3.12"',
'sys_platform == "linux"', 'extra == "binary"', joined by and/or, in brackets.)

A small reader of PEP 508 markers, so the licence list needs no `packaging` (which the
desk does not depend on). What it cannot read raises ValueError; the caller decides.
"""

from __future__ import annotations

import os
import platform
import re
import sys

_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'[^']*'|"[^"]*")
  | (?P<op>===|==|!=|<=|>=|~=|<|>|\(|\)|not\s+in\b|in\b|and\b|or\b)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
)""", re.VERBOSE)
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_VERSIONED = {"python_version", "python_full_version", "implementation_version"}


def environment() -> dict[str, str]:
    """The marker variables of the running interpreter."""
    info = sys.implementation.version
    implementation = f"{info.major}.{info.minor}.{info.micro}"
    return {
        "os_name": os.name, "sys_platform": sys.platform,
        "platform_machine": platform.machine(), "platform_release": platform.release(),
        "platform_system": platform.system(), "platform_version": platform.version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "python_full_version": platform.python_version(),
        "implementation_name": sys.implementation.name,
        "implementation_version": implementation,
    }


def _tokens(text: str) -> list[tuple[str, str]]:
    found, at = [], 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match or match.end() == at:
            raise ValueError(f"cannot read marker {text!r} at {at}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        found.append((kind, " ".join(value.split()) if kind == "op" else value))
        at = match.end()
    return found


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def _compare(left: str, op: str, right: str, versioned: bool) -> bool:
    if op in ("in", "not in"):
        return (left in right) == (op == "in")
    if versioned and _VERSION.match(left) and _VERSION.match(right.removesuffix(".*")):
        if right.endswith(".*") and op in ("==", "!="):  # prefix match
            prefix = _version(right.removesuffix(".*"))
            return (_version(left)[:len(prefix)] == prefix) == (op == "==")
        a, b = _version(left), _version(right)
        width = max(len(a), len(b))
        a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
        if op == "~=":
            stem = _version(right)[:-1]
            return a >= b and _version(left)[:len(stem)] == stem
        return {"==": a == b, "===": left == right, "!=": a != b, "<": a < b,
                "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if op in ("==", "==="):
        return left == right
    if op == "!=":
        return left != right
    raise ValueError(f"cannot compare {left!r} {op} {right!r}")


def applies(marker: str, extras: set[str] | frozenset[str] = frozenset(),
            env: dict[str, str] | None = None) -> bool:
    """Whether ``marker`` holds here, for a distribution asked for with ``extras``
    (names already normalised: lower case, runs of -_. as one -)."""
    env = environment() if env is None else env
    tokens = _tokens(marker)
    at = 0

    def peek() -> tuple[str, str] | None:
        return tokens[at] if at < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal at
        if at >= len(tokens):
            raise ValueError(f"marker {marker!r} ends early")
        at += 1
        return tokens[at - 1]

    def value() -> tuple[str, str]:  # ("literal", text) or ("variable", name)
        kind, text = take()
        if kind == "string":
            return "literal", text[1:-1]
        if kind == "name":
            return "variable", text
        raise ValueError(f"unexpected {text!r} in marker {marker!r}")

    def comparison() -> bool:
        if peek() == ("op", "("):
            take()
            result = either()
            if take() != ("op", ")"):
                raise ValueError(f"unbalanced brackets in {marker!r}")
            return result
        left = value()
        kind, op = take()
        if kind != "op" or op in ("(", ")", "and", "or"):
            raise ValueError(f"expected a comparison in {marker!r}")
        right = value()
        variables = [v for k, v in (left, right) if k == "variable"]
        if "extra" in variables:
            other = right[1] if left[0] == "variable" else left[1]
            if op not in ("==", "!="):
                raise ValueError(f"cannot compare extra with {op}")
            wanted = re.sub(r"[-_.]+", "-", other).lower()
            return (wanted in extras) == (op == "==")
        unknown = [v for v in variables if v not in env]
        if unknown:
            raise ValueError(f"unknown marker variable {unknown[0]!r}")
        resolve = lambda side: env[side[1]] if side[0] == "variable" else side[1]  # noqa: E731
        return _compare(resolve(left), op, resolve(right),
                        versioned=any(v in _VERSIONED for v in variables))

    def both() -> bool:
        result = comparison()
        while peek() == ("op", "and"):
            take()
            result = comparison() and result  # (reads the right side whatever the left)
        return result

    def either() -> bool:
        result = both()
        while peek() == ("op", "or"):
            take()
            result = both() or result
        return result

    result = either()
    if at != len(tokens):
        raise ValueError(f"cannot read the end of marker {marker!r}")
    return result
