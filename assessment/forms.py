from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS as _MONTHS
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessment.models import MIN_RESPONSES_FLOOR, Cycle, Item, Questionnaire, Response
from assessment.services.responding import (
    INVALID_ROLE_GROUP_MESSAGE,
    INVALID_VALUE_MESSAGE,
    NOTE_MAX_LENGTH,
    NOTES_NOT_ALLOWED_MESSAGE,
    UNKNOWN_ITEM_MESSAGE,
)

MONTHS = [_MONTHS[n] for n in range(1, 13)]


class CycleForm(forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("For example “2026 staff survey”. Staff will see it.")
    )
    mode = forms.ChoiceField(
        label=_("Kind of audit"),
        choices=Cycle.Mode.choices,
        widget=forms.RadioSelect,
        initial=Cycle.Mode.STAFF,
        help_text=_(
            "A leadership self-audit is one shared set of answers that leads and admins fill in together. "
            "A staff survey is answered anonymously by each person. Community feedback is a short anonymous "
            "form for the people you serve, reached by a printed card or poster; its minimum is at least 10."
        ),
    )
    opens_on = forms.DateField(
        label=_("Opens on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A later date schedules the audit: it opens by itself that day, and nobody can answer before."),
    )
    closes_on = forms.DateField(
        label=_("Planned closing date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. You close the audit yourself; this date is shown to respondents."),
    )
    min_responses = forms.IntegerField(
        label=_("Minimum responses for a staff report"),
        min_value=MIN_RESPONSES_FLOOR,
        max_value=1000,
        initial=5,
        help_text=_(
            "No staff report is shown unless at least this many people answered, so no one can be singled out. "
            "It cannot be changed once the audit opens."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("closes_on") and data.get("opens_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        return data


class InvitationsForm(forms.Form):
    addresses = forms.CharField(
        label=_("Email addresses to invite"),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "One per line. Each address gets its own single-use link by email; you never see the links. "
            "Each address can be invited once per survey."
        ),
    )


class RemindersForm(forms.Form):
    message = forms.CharField(
        label=_("A few words from you (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the reminder. Everyone who has not started gets the same message."),
    )


class ScheduleForm(forms.Form):
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=[(n, month_name) for n, month_name in enumerate(MONTHS, start=1)]
    )
    weeks = forms.IntegerField(label=_("Weeks open"), min_value=1, max_value=26)


ROLE_GROUP_CHOICES = [("", _("I'd rather not say")), *Response.RoleGroup.choices]
PAGE_CHOICE_MESSAGE = _(
    "That page is not part of this survey. Your answers on this page are saved: choose a page from the list."
)
NOTE_LENGTH_MESSAGE = _("A note can be at most 2,000 characters. Nothing was saved; please shorten it.")


# Answering a page of a questionnaire

DONT_KNOW, NOT_APPLICABLE = "dk", "na"
EVIDENCE_LEVELS = (2, 3)


@dataclass(frozen=True)
class QuestionRow:
    """One item of a page as the page shows it: its scale points, then "Don't know" and "Not
    applicable" apart, the answer chosen, and its evidence note where it takes one."""

    item: Item
    name: str
    points: list[tuple[str, str | Promise]]
    others: list[tuple[str, str | Promise]]
    chosen: str
    errors: list[str]
    note_name: str = ""
    note: str = ""
    note_label: str | Promise = ""
    # On a version 3 checklist, levels 2 and 3 of a maturity entry count only with evidence.
    needs_evidence: bool = False
    is_breaks: bool = False


def needs_evidence(questionnaire: Questionnaire, item: Item) -> bool:
    """Return whether levels 2 and 3 of the entry count only with an evidence note (version 3 checklists)."""
    return (
        questionnaire.form == Questionnaire.Form.CHECKLIST
        and questionnaire.version >= 3
        and item.scale == Item.Scale.MATURITY
    )


def answer_choices(
    questionnaire: Questionnaire, item: Item
) -> tuple[list[tuple[str, str | Promise]], list[tuple[str, str | Promise]]]:
    """Return the item's scale points and, apart, its "Don't know" and "Not applicable" choices.

    A checklist's own rule-break entries are answered from records, so not knowing means not
    recording; a staff survey from version 3 on offers "Not applicable" only on work with clients.
    """
    points: list[tuple[str, str | Promise]] = [(str(value), label) for value, label in enumerate(item.scale_labels)]
    checklist = questionnaire.form == Questionnaire.Form.CHECKLIST
    from_records = checklist and item.scale == Item.Scale.BREAKS and not item.staff_view
    others: list[tuple[str, str | Promise]] = [
        (DONT_KNOW, _("We do not record this") if from_records else _("Don't know"))
    ]
    if item.allow_na:
        about_clients = questionnaire.form == Questionnaire.Form.STAFF and questionnaire.version >= 3
        if questionnaire.form == Questionnaire.Form.COMMUNITY:
            label = _("This did not happen to me")
        else:
            label = _("Not applicable (I don't work with clients)") if about_clients else _("Not applicable")
        others.append((NOT_APPLICABLE, label))
    return points, others


def _note_label(questionnaire: Questionnaire, item: Item) -> str | Promise:
    if needs_evidence(questionnaire, item) and item.evidence_prompt:
        return _("Evidence: %(prompt)s") % {"prompt": item.evidence_prompt}
    if item.evidence_prompt:
        return _("Evidence (optional): %(prompt)s") % {"prompt": item.evidence_prompt}
    return _("Evidence (optional): the policy or practice behind this answer")


class PageAnswersForm(forms.Form):
    """The answers posted from one page: one choice per item, and an evidence note per item where
    the audit takes notes (a leadership self-audit).

    ``items`` are the page's; ``other_items`` the rest of the questionnaire's, whose answers are
    accepted too but not shown. Only what was posted is kept (``answers``, ``notes``), so a page
    saves what it holds and leaves every other answer as it was.
    """

    def __init__(
        self, questionnaire, items, *, other_items=(), data=None, initial=None, with_notes=False, role_groups=False
    ):
        super().__init__(data=data, initial=initial)
        self.questionnaire = questionnaire
        self.items = list(items)
        self.with_notes = with_notes
        for item in [*self.items, *other_items]:
            points, others = answer_choices(questionnaire, item)
            self.fields[f"answer-{item.key}"] = forms.ChoiceField(
                required=False,
                choices=[*points, *others],
                error_messages={"invalid_choice": INVALID_VALUE_MESSAGE},
            )
            if with_notes:
                self.fields[f"note-{item.key}"] = forms.CharField(
                    required=False,
                    max_length=NOTE_MAX_LENGTH,
                    error_messages={"max_length": NOTE_LENGTH_MESSAGE},
                )
        if role_groups:
            self.fields["role_group"] = forms.ChoiceField(
                required=False,
                choices=ROLE_GROUP_CHOICES,
                error_messages={"invalid_choice": INVALID_ROLE_GROUP_MESSAGE},
            )

    def clean(self):
        data = super().clean()
        posted = [name for name in self.data if name.startswith(("answer-", "note-"))]
        if any(name not in self.fields for name in posted if name.startswith("answer-") or self.with_notes):
            raise forms.ValidationError(UNKNOWN_ITEM_MESSAGE)
        if not self.with_notes and any(self.data.get(name, "").strip() for name in posted if name.startswith("note-")):
            raise forms.ValidationError(NOTES_NOT_ALLOWED_MESSAGE)
        return data

    def _posted(self, prefix: str) -> dict[str, str]:
        return {
            name.removeprefix(prefix): self.cleaned_data[name]
            for name in self.fields
            if name.startswith(prefix) and name in self.data
        }

    @property
    def answers(self) -> dict[str, str]:
        """Return the answers posted, by item key ("" where none was chosen)."""
        return self._posted("answer-")

    @property
    def notes(self) -> dict[str, str]:
        """Return the evidence notes posted, by item key."""
        return self._posted("note-") if self.with_notes else {}

    @property
    def role_group(self) -> str | None:
        """Return the role group chosen, or None where the page did not ask."""
        return self.cleaned_data["role_group"] if "role_group" in self.fields and "role_group" in self.data else None

    @property
    def first_error(self) -> str:
        errors = [*self.non_field_errors(), *(e for errors in self.errors.values() for e in errors)]
        return errors[0] if errors else ""

    def shown(self, name: str) -> str:
        """Return what the field shows: what was posted, else what was saved, so nothing typed is lost."""
        if self.is_bound and name in self.data:
            return self.data.get(name, "")
        return self.initial.get(name, "")

    @property
    def rows(self) -> list[QuestionRow]:
        """Return the page's items as the page shows them."""
        rows = []
        for item in self.items:
            points, others = answer_choices(self.questionnaire, item)
            name = f"answer-{item.key}"
            # An ErrorList yields its messages.
            errors = [str(message) for message in self.errors.get(name, [])] if self.is_bound else []
            note_name = note = ""
            note_label: str | Promise = ""
            if self.with_notes:
                note_name = f"note-{item.key}"
                errors += [str(message) for message in self.errors.get(note_name, [])] if self.is_bound else []
                note, note_label = self.shown(note_name), _note_label(self.questionnaire, item)
            rows.append(
                QuestionRow(
                    item=item,
                    name=name,
                    points=points,
                    others=others,
                    chosen=self.shown(name),
                    errors=errors,
                    needs_evidence=self.with_notes and needs_evidence(self.questionnaire, item),
                    is_breaks=item.scale == Item.Scale.BREAKS,
                    note_name=note_name,
                    note=note,
                    note_label=note_label,
                )
            )
        return rows
