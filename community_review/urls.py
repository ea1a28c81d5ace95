from django.urls import path

from community_review import views

app_name = "community_review"

urlpatterns = [
    path("o/<slug:org_slug>/cycles/<uuid:cycle_id>/review/", views.review_invite, name="review_invite"),
    path("o/<slug:org_slug>/reviews/<uuid:review_id>/end/", views.review_end, name="review_end"),
    path("o/<slug:org_slug>/reviews/<uuid:review_id>/paid/", views.review_paid, name="review_paid"),
    # The invitation: public by design, the token is the key; accepting needs an account.
    path("review/<str:token>/", views.invitation, name="invitation"),
    path("reviews/<uuid:review_id>/", views.review, name="review"),
    path("reviews/<uuid:review_id>/end/", views.review_leave, name="review_leave"),
]
