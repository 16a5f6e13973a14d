"""Response headers every page gets, and the client address sign-in throttling counts."""

from django.conf import settings
from django.utils.cache import patch_cache_control


def browser_policy(get_response):
    """Permissions-Policy on every response; `Cache-Control: private, no-cache` when signed in.

    A signed-in page holds the user's data: no shared cache (a proxy, a campus cache)
    may keep it, and the browser asks again before reusing it. `no-store` would also
    forbid the back button's instant page from the browser's memory, which costs a
    full reload on a slow link for no gain once the page is private.
    """

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return middleware


def client_ip(request) -> str | None:
    """The address that django-axes counts failed sign-ins against.

    Behind a proxy (BEHIND_PROXY=1) REMOTE_ADDR is the proxy itself, so the client is
    the last X-Forwarded-For entry: the one our proxy appended. Earlier entries come
    from the client and could be anything.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
