"""Where personal data lives: models no public layer, serializer or export may reach."""

from __future__ import annotations

from django.apps import apps
from django.db import models

# Personal data (owner names, ID numbers, certificate numbers, applicant details) is kept
# only in these tables, one-to-one with the public rows.
PRIVATE_MODELS = ("layers.ParcelHolder", "layers.PermitApplicant")


def private_models() -> tuple[type[models.Model], ...]:
    return tuple(apps.get_model(label) for label in PRIVATE_MODELS)


def resolve_path(model: type[models.Model], path: str) -> list[models.Field]:
    """The chain of fields a ``a__b__c`` path walks through; raises FieldDoesNotExist."""
    chain: list[models.Field] = []
    current = model
    for part in path.split("__"):
        field = current._meta.get_field(part)
        chain.append(field)
        if field.is_relation and field.related_model is not None:
            current = field.related_model
    return chain


def reaches_private_data(model: type[models.Model], path: str) -> bool:
    private = private_models()
    if model in private:
        return True
    return any(
        field.is_relation and field.related_model in private for field in resolve_path(model, path)
    )
