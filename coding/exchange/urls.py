"""URL patterns of this part of the coding app (joined into coding.urls, namespace "coding")."""

urlpatterns: list = []
