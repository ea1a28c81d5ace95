"""Writes for questionnaires: loading an instrument file, cloning and publishing versions."""

from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assessment.instrument_file import (
    CROSSWALK_FILE,
    InstrumentFileError,
    changed_meanings,
    content_hash,
    read_crosswalk,
    shipped_instrument_files,
)
from assessment.models import Dimension, Item, Questionnaire

# The instrument files that come with the installation; a release may add a version here.
Part = TypeVar("Part", Dimension, Item)

SHIPPED_QUESTIONNAIRES = Path(settings.BASE_DIR) / "fixtures" / "questionnaires"

PUBLISHED_IS_IMMUTABLE_MESSAGE = _(
    "Version %(version)s of %(slug)s is published and cannot change. Give the file a new version number."
)


@transaction.atomic
def questionnaire_load(*, data: dict, crosswalk: list[dict] | None = None) -> tuple[Questionnaire, bool]:
    """Load a checked instrument file as a published version; return it and whether it was created.

    Loading the same file again changes nothing but its translations, which a published version
    may gain or correct; any other change to a published version is refused. A new version may
    not reuse a key of the version before it, as held in the database, for a changed item unless
    ``crosswalk`` (by default the shipped one) pairs them.
    """
    fingerprint = content_hash(data)
    existing = Questionnaire.objects.select_for_update().filter(slug=data["slug"], version=data["version"]).first()
    if existing is not None:
        if existing.content_hash == fingerprint:
            _update_translations(existing, data)
            return existing, False
        if not existing.is_editable:
            raise ValidationError(PUBLISHED_IS_IMMUTABLE_MESSAGE % {"version": existing.version, "slug": existing.slug})
        existing.delete()
    _check_same_meaning(data, crosswalk)
    questionnaire = Questionnaire.objects.create(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        description=data.get("description", ""),
        status=Questionnaire.Status.PUBLISHED,
        form=data.get("form", Questionnaire.Form.STAFF),
        content_hash=fingerprint,
        translations=data.get("translations", {}),
    )
    dimensions = {}
    for order, spec in enumerate(data["dimensions"]):
        dimensions[spec["key"]] = Dimension.objects.create(
            questionnaire=questionnaire,
            key=spec["key"],
            name=spec["name"],
            description=spec.get("description", ""),
            weight=spec.get("weight", 1.0),
            order=order,
            translations=spec.get("translations", {}),
        )
    Item.objects.bulk_create(
        Item(
            questionnaire=questionnaire,
            dimension=dimensions[spec["dimension"]],
            key=spec["key"],
            text=spec["text"],
            short=spec.get("short", ""),
            help=spec.get("help", ""),
            levels=spec.get("levels", []),
            evidence_prompt=spec.get("evidence_prompt", ""),
            scale=spec["scale"],
            max_value=spec["max_value"],
            weight=spec.get("weight", 1.0),
            reverse=spec.get("reverse", False),
            critical=spec.get("critical", False),
            allow_na=spec.get("allow_na", False),
            staff_view=spec.get("staff_view", False),
            sources=spec["sources"],
            practices=spec.get("practices", []),
            recommendation=spec["recommendation"],
            order=order,
            translations=spec.get("translations", {}),
        )
        for order, spec in enumerate(data["items"])
    )
    return questionnaire, True


@transaction.atomic
def questionnaires_load_shipped(*, directory: Path = SHIPPED_QUESTIONNAIRES) -> list[tuple[Questionnaire, bool]]:
    """Load every instrument file of a folder in version order; return each version and whether it was new.

    Safe to run again: versions already loaded stay as they are (their translations may be
    updated), and a version a release adds is loaded. All or nothing: a bad file loads none.
    """
    instruments = shipped_instrument_files(directory)
    crosswalk = read_crosswalk(Path(directory) / CROSSWALK_FILE)
    return [questionnaire_load(data=data, crosswalk=crosswalk) for data in instruments]


def _check_same_meaning(data: dict, crosswalk: list[dict] | None) -> None:
    """Refuse a new version that reuses a key of the loaded version before it for a changed item."""
    previous = Questionnaire.objects.filter(slug=data["slug"], version__lt=data["version"]).order_by("-version").first()
    if previous is None:
        return
    held = {
        "version": previous.version,
        "items": list(previous.items.values("key", "text", "scale", "reverse")),
    }
    if crosswalk is None:
        crosswalk = read_crosswalk(SHIPPED_QUESTIONNAIRES / CROSSWALK_FILE)
    refused = changed_meanings(held, data, crosswalk)
    if refused:
        raise InstrumentFileError(refused)


def _update_translations(questionnaire: Questionnaire, data: dict) -> None:
    """Store the file's translations of an unchanged version, where they differ from those held."""
    if questionnaire.translations != data.get("translations", {}):
        questionnaire.translations = data.get("translations", {})
        questionnaire.save(update_fields=["translations"])
    _update_part_translations(Dimension, questionnaire, data["dimensions"])
    _update_part_translations(Item, questionnaire, data["items"])


def _update_part_translations(model: type[Part], questionnaire: Questionnaire, specs: list[dict]) -> None:
    wanted = {spec["key"]: spec.get("translations", {}) for spec in specs}
    changed = []
    for part in model.objects.filter(questionnaire=questionnaire):
        if part.translations != wanted.get(part.key, {}):
            part.translations = wanted.get(part.key, {})
            changed.append(part)
    model.objects.bulk_update(changed, ["translations"])


@transaction.atomic
def questionnaire_clone(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a questionnaire into a new draft version with the same keys."""
    latest = Questionnaire.objects.filter(slug=questionnaire.slug).latest("version")
    clone = Questionnaire.objects.create(
        slug=questionnaire.slug,
        version=latest.version + 1,
        title=questionnaire.title,
        description=questionnaire.description,
        status=Questionnaire.Status.DRAFT,
        form=questionnaire.form,
        translations=questionnaire.translations,
    )
    dimensions = {}
    for dimension in questionnaire.dimensions.all():
        old_pk = dimension.pk
        dimension.pk = None
        dimension.questionnaire = clone
        dimension.save()
        dimensions[old_pk] = dimension
    items = list(questionnaire.items.all())
    for item in items:
        item.pk = None
        item.questionnaire = clone
        item.dimension = dimensions[item.dimension_id]
    Item.objects.bulk_create(items)
    return clone


def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    """Publish a draft version; from then on it never changes."""
    if not questionnaire.is_editable:
        raise ValidationError(
            PUBLISHED_IS_IMMUTABLE_MESSAGE % {"version": questionnaire.version, "slug": questionnaire.slug}
        )
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.save(update_fields=["status"])
    return questionnaire
