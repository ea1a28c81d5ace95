from django.apps import AppConfig


class CommunityReviewConfig(AppConfig):
    name = "community_review"
    verbose_name = "Community review"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_delete

        from accounts.models import Membership
        from community_review.services import reviewer_deleted, reviewer_joined

        pre_delete.connect(reviewer_deleted, sender=get_user_model(), dispatch_uid="ally-reviewer-deleted")
        post_save.connect(reviewer_joined, sender=Membership, dispatch_uid="ally-reviewer-joined")
