"""Why an import was refused, in words a surveyor or clerk can act on (Vietnamese and
English): each rejection names the file, the field or the feature at fault."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class ImportRejected(Exception):
    """The whole file is refused; nothing is written."""

    def __init__(self, message: str | Promise, **params: Any) -> None:
        self.message = message
        self.params = params
        self.feature: int | None = None  # the feature at fault, numbered from 1
        super().__init__(self.text("en"))

    def text(self, language: str) -> str:
        with translation.override(language):
            text = str(self.message) % self.params if self.params else str(self.message)
            if self.feature is not None:
                text = f"#{self.feature}: {text}"
        return text

    def bilingual(self) -> str:
        vi, en = self.text("vi"), self.text("en")
        return vi if vi == en else f"{vi}\n{en}"


def bilingual(message: str | Promise, **params: Any) -> str:
    """A warning or feature rejection, in both languages."""
    return ImportRejected(message, **params).bilingual()
