from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coalitions import selectors
from coalitions.models import CoalitionMembership
from coalitions.services import coalition_member_confirm


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed by the site's operator")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("no", _("Not yet confirmed")), ("yes", _("Confirmed"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(confirmed_at=None, withdrawn_at=None)
        if self.value() == "yes":
            return queryset.exclude(confirmed_at=None)
        return queryset


@admin.register(CoalitionMembership)
class CoalitionMembershipAdmin(admin.ModelAdmin):
    """Memberships come from an admin's consent; the operator only confirms them, after checking
    outside this site that each is a real organization run by people other than the stewards."""

    list_display = ["organization", "coalition", "consented_at", "confirmed_at", "confirmed_through", "withdrawn_at"]
    list_filter = [ConfirmedFilter, "coalition"]
    search_fields = ["organization__name", "organization__slug", "coalition__name", "coalition__slug"]
    list_select_related = ["organization", "coalition"]
    fields = readonly_fields = (
        "coalition",
        "organization",
        "organization_admins",
        "coalition_stewards",
        "consented_by",
        "consented_at",
        "consent_version",
        "confirmed_at",
        "confirmed_by",
        "confirmed_through",
        "withdrawn_by",
        "withdrawn_at",
    )
    actions = ["confirm"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A membership is the record of a consent; withdrawal ends it, deleting would erase it.
        return False

    @admin.display(description=_("admins of the organization"))
    def organization_admins(self, membership):
        emails = selectors.organization_admin_emails([membership.organization_id])
        return ", ".join(emails.get(membership.organization_id, []))

    @admin.display(description=_("stewards of the coalition"))
    def coalition_stewards(self, membership):
        emails = selectors.coalition_steward_emails([membership.coalition_id])
        return ", ".join(emails.get(membership.coalition_id, []))

    @admin.action(description=_("Confirm as real, separate organizations"), permissions=["change"])
    def confirm(self, request, queryset):
        for membership in queryset.select_related("organization", "coalition"):
            try:
                coalition_member_confirm(membership=membership, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{membership}: {error.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, _("%(membership)s is confirmed.") % {"membership": membership})
