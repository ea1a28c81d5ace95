from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from coalitions.models import Coalition


class CoalitionForm(forms.Form):
    name = forms.CharField(label=_("Coalition name"), max_length=200)
    k_min = forms.IntegerField(
        label=_("Minimum members for published figures"),
        min_value=Coalition.K_MIN_FLOOR,
        max_value=1000,
        initial=Coalition.K_MIN_FLOOR,
        help_text=_("Nothing but the number of members is published while fewer than this many take part."),
    )


class JoinCodeForm(forms.Form):
    join_code = forms.CharField(
        label=_("Join code"), max_length=40, help_text=_("The coalition's steward gives you this code.")
    )


class JoinCoalitionForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )
    consent = forms.BooleanField(
        label=_("I have read the above and consent, on behalf of my organization, to sharing these figures."),
        required=False,
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])
