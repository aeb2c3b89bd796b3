"""Every user-facing sentence of the catalog (shared/text.py) and its neighbours (notifications, credit, work,
photos), by where it is: the texts a test reads all of, to keep one thing called by one word."""

import re
from collections.abc import Iterator

import shared.credit
import shared.notifications
import shared.photos
import shared.text
import shared.work
from shared.text import Bilingual

THAI = re.compile(r"[\u0e00-\u0e7f]")


def _walk(name: str, value: object) -> Iterator[tuple[str, Bilingual]]:
    if isinstance(value, Bilingual):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{name}[{key}]", item)
    elif isinstance(value, tuple):
        if len(value) == 2 and all(isinstance(v, str) for v in value) and THAI.search(value[0]):
            yield name, Bilingual(value[0], value[1])  # the (th, en) pairs of shared.credit / work / photos
        else:
            for i, item in enumerate(value):
                yield from _walk(f"{name}[{i}]", item)


def every_text() -> dict[str, Bilingual]:
    """Every user-facing sentence the catalog and its neighbours hold, by where it is (module.TABLE[key])."""
    found: dict[str, Bilingual] = {}
    for module in (shared.text, shared.notifications, shared.credit, shared.work, shared.photos):
        short = module.__name__.split(".")[-1]
        for attr in dir(module):
            if attr.isupper():
                for name, text in _walk(f"{short}.{attr}", getattr(module, attr)):
                    found.setdefault(name, text)
    return found
