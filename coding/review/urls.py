"""URL patterns of the review stage: queue, feedback, agreement and reconciliation.

Joined into coding.urls, namespace "coding".
"""

from django.urls import path

from .views import agreement, queue

urlpatterns: list = [
    path("p/<slug:slug>/review/", queue.review_queue, name="review_queue"),
    path("p/<slug:slug>/review/feedback/", queue.review_feedback, name="review_feedback"),
    path("p/<slug:slug>/review/<int:coding_id>/", queue.review_act, name="review_act"),
    path("p/<slug:slug>/agreement/", agreement.agreement, name="agreement"),
    path(
        "p/<slug:slug>/sources/<int:source_id>/agreement/",
        agreement.agreement_source,
        name="agreement_source",
    ),
]
