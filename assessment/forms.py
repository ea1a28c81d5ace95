from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS as _MONTHS
from django.utils.translation import gettext_lazy as _

from assessment.models import MIN_RESPONSES_FLOOR, Cycle, Response

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
            "A staff survey is answered anonymously by each person."
        ),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
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
