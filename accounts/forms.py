from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "sector", "region", "size_band"]
        help_texts = {
            "region": _("Optional. A city or region is enough; it is never shared with a coalition."),
            "size_band": _("Optional."),
        }


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            *("name", "sector", "region", "size_band", "require_mfa", "staff_can_view_reports"),
            *("show_plan_to_staff", "retention_years"),
        ]
        help_texts = {
            "require_mfa": _("Admins and leads must set up an authenticator app before they can use the organization."),
            "staff_can_view_reports": _(
                "Staff see the reports of closed audits. Reports never show a single person's answers."
            ),
            "retention_years": _(
                "After this many years, the answers of a closed audit are deleted (its results and report "
                "stay), and so are older audit log entries. From 1 to 20."
            ),
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.STAFF)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
