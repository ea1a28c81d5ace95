from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from assessment.models import Cycle, Dimension, Item, Questionnaire
from assessment.services.questionnaires import questionnaire_clone, questionnaire_publish


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0


class PublishedIsReadOnly:
    """Published and retired questionnaires never change: their rows are read-only here."""

    def _questionnaire_of(self, obj):
        return obj if isinstance(obj, Questionnaire) else getattr(obj, "questionnaire", None)

    def has_change_permission(self, request, obj=None):
        questionnaire = self._questionnaire_of(obj)
        if questionnaire is not None and not questionnaire.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        questionnaire = self._questionnaire_of(obj)
        if questionnaire is not None and not questionnaire.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        questionnaire = self._questionnaire_of(obj)
        if questionnaire is not None and not questionnaire.is_editable:
            return False
        return super().has_add_permission(request, obj) if obj is None else True


class ReadOnlyDimensionInline(PublishedIsReadOnly, DimensionInline):
    pass


class ReadOnlyItemInline(PublishedIsReadOnly, ItemInline):
    pass


@admin.register(Questionnaire)
class QuestionnaireAdmin(PublishedIsReadOnly, admin.ModelAdmin):
    list_display = ["title", "slug", "version", "status"]
    list_filter = ["status"]
    readonly_fields = ["status", "content_hash"]
    inlines = [ReadOnlyDimensionInline, ReadOnlyItemInline]
    actions = ["clone_to_draft", "publish"]

    def has_add_permission(self, request, obj=None):
        # New versions come from an instrument file or from cloning, so keys stay consistent.
        return False

    @admin.action(description="Clone to a new draft version")
    def clone_to_draft(self, request, queryset):
        for questionnaire in queryset:
            clone = questionnaire_clone(questionnaire=questionnaire)
            self.message_user(request, f"Created {clone}.", messages.SUCCESS)

    @admin.action(description="Publish (it can never change again)")
    def publish(self, request, queryset):
        for questionnaire in queryset:
            try:
                questionnaire_publish(questionnaire=questionnaire)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    """Cycles are run by organizations; the site admin only looks."""

    list_display = ["label", "organization", "mode", "status", "opens_on", "closed_on"]
    list_filter = ["mode", "status"]
    exclude = ["results"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
