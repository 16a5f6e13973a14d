"""Password reset by e-mail, with links built from SITE_URL only."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: a page that says why and for how long."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)),
    }
    return render(request, "registration/locked_out.html", context, status=429)


class _SiteURLPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, told the site's address instead of reading the Host header."""

    def form_valid(self, form):
        form.save(
            # Keeps the request's host out of every field of the mail's context.
            domain_override=urlsplit(settings.SITE_URL).netloc,
            use_https=settings.SITE_URL.startswith("https:"),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_url": settings.SITE_URL},
        )
        return HttpResponseRedirect(self.get_success_url())


def password_reset(request):
    """Ask for a reset link by e-mail; the link is SITE_URL + the confirmation path.

    Without SITE_URL the page says that reset by e-mail is not set up here, and
    sends nothing.
    """
    if not settings.SITE_URL:
        return render(request, "registration/password_reset_form.html", {"unavailable": True})
    return _SiteURLPasswordResetView.as_view()(request)
