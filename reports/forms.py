from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Action


class ActionForm(forms.ModelForm):
    """An action's plan; the owner is chosen among the organization's members."""

    class Meta:
        model = Action
        fields = ["what", "owner", "due_on", "status", "notes"]
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "what": _("One concrete step, such as “write the consent rule and train every volunteer”."),
            "notes": _("Progress, decisions, evidence. Never anything that identifies a client or a respondent."),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["owner"].queryset = User.objects.filter(memberships__organization=organization).order_by("email")
        self.fields["owner"].required = False
