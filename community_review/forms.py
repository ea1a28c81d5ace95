from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from community_review.models import Mark, Review
from community_review.selectors import Entry


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Reviewer's email address"),
        help_text=_("Someone from an organization led by sex workers, who knows how your service treats people."),
    )
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = get_language()


class ReviewerForm(forms.ModelForm):
    """The reviewer's own organization, and whether the report may name it."""

    class Meta:
        model = Review
        fields = ["reviewer_organization", "named"]
        help_texts = {
            "reviewer_organization": _("Optional. Shown in the report only if you tick the box below."),
            "named": _(
                "Leave it unticked to stay unnamed: the report then says only that a community review was done."
            ),
        }


class NoteField(forms.CharField):
    """A note whose length counts a line break once, as the browser's own limit does (a form
    sends each break as two characters)."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


VERDICT_FIELD = "verdict-%s"
NOTE_FIELD = "note-%s"


class MarksForm(ReviewerForm):
    """One choice and one optional note for each checklist entry, after the reviewer's organization."""

    def __init__(self, *args, entries: list[Entry], **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = entries
        for entry in entries:
            self.fields[VERDICT_FIELD % entry.key] = forms.ChoiceField(
                label=_("What you see"),
                choices=Mark.Verdict.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=entry.mark.verdict if entry.mark else None,
            )
            self.fields[NOTE_FIELD % entry.key] = NoteField(
                label=_("Note (optional)"),
                help_text=_("Shown to the organization's admins and leads only."),
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=1000,
                required=False,
                initial=entry.mark.note if entry.mark else "",
            )

    def clean(self):
        data = super().clean()
        for entry in self.entries:
            if data.get(NOTE_FIELD % entry.key) and not data.get(VERDICT_FIELD % entry.key):
                self.add_error(VERDICT_FIELD % entry.key, _("Choose what you see before adding a note."))
        return data

    def rows(self):
        """Each entry with its two bound fields, for the template."""
        return [(entry, self[VERDICT_FIELD % entry.key], self[NOTE_FIELD % entry.key]) for entry in self.entries]

    def marks(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            entry.key: (data[VERDICT_FIELD % entry.key], data.get(NOTE_FIELD % entry.key) or "")
            for entry in self.entries
            if data.get(VERDICT_FIELD % entry.key)
        }
