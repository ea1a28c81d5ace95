from django import template
from django.utils import translation

from config import reviews

register = template.Library()


@register.simple_tag
def interface_languages() -> list[dict]:
    """Return the interface's languages to choose from, each named in its own language, with
    "draft translation" in that language where no review backs it yet."""
    choices = []
    for language in reviews.interface_languages():
        label = language["name"]
        if language["is_draft"]:
            with translation.override(language["code"]):
                label = str(reviews.DRAFT_OPTION) % {"language": language["name"]}
        choices.append({**language, "label": label})
    return choices


@register.simple_tag
def questionnaire_languages(questionnaire) -> list[reviews.ShownLanguage]:
    return reviews.questionnaire_languages(questionnaire)
