"""`{% project_nav %}`: the project menu every project page shows, written in Python.

As templates (four includes, twenty `url` and `translate` tags, a dozen `if` tests on
the view's name) it cost about a millisecond of every project page, a tenth of opening
a document. Here it is a list of links; every value is escaped by `format_html`.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..suggest.access import site_enabled

register = template.Library()

CODEBOOK_VIEWS = {"codebook", "code_detail", "code_edit", "code_merge", "code_delete"}
REDUCTION_VIEWS = {
    *("retrieval", "frequencies", "search", "search_code", "word_frequencies", "stop_words"),
}


def _main_links(name: str, membership) -> list[tuple[str, str, bool]]:
    """(view, label, whether it is the current page's) of each link before the search."""
    links = [
        ("interviews:project_detail", _("Overview"), name == "project_detail"),
        (
            "interviews:source_list",
            _("Sources"),
            "source" in name and "agreement" not in name and "suggestion" not in name,
        ),
        (
            "interviews:case_list",
            _("Cases"),
            ("case" in name and "import" not in name) or "attribute" in name,
        ),
        ("coding:codebook", _("Codebook"), name in CODEBOOK_VIEWS),
        ("coding:retrieval", _("Reduction"), name in REDUCTION_VIEWS),
        ("coding:display", _("Display"), name == "display"),
        ("coding:conclusion_list", _("Conclusions"), "conclusion" in name),
        ("coding:agreement", _("Agreement"), "agreement" in name),
    ]
    if site_enabled():  # SUGGESTIONS_ENABLED=0: no trace of them
        links.append(("coding:suggestions", _("Suggestions"), name.startswith("suggestion")))
    if membership.can_review:
        links.append(("coding:review_queue", _("Review"), name == "review_queue"))
    if membership.role == membership.Role.RESEARCHER:
        links.append(("coding:review_feedback", _("Feedback"), name == "review_feedback"))
    links.append(("coding:memo_list", _("Memos"), "memo" in name))
    return links


def _more_links(name: str, membership) -> list[tuple[str, str, bool]]:
    links = [
        (
            "coding:exchange",
            _("Exchange"),
            name == "exchange" or "import" in name or "export" in name,
        ),
        ("interviews:member_list", _("Members"), "member" in name),
    ]
    if membership.is_admin:
        links.append(("interviews:project_edit", _("Settings"), name == "project_edit"))
    return links


def _links(links, slug: str) -> SafeString:
    return SafeString(
        "\n".join(
            format_html(CURRENT if current else LINK, reverse(view, args=[slug]), label)
            for view, label, current in links
        )
    )


LINK = '<a href="{}">{}</a>'
CURRENT = '<a href="{}" aria-current="page">{}</a>'


@register.simple_tag(takes_context=True)
def project_nav(context) -> str:
    project, membership, request = context["project"], context["membership"], context["request"]
    match = request.resolver_match
    name = (match.url_name or "") if match else ""
    query = request.GET.get("q", "") if name == "search" else ""
    search = format_html(
        '<form class="nav-search" role="search" method="get" action="{}">'
        '<label class="visually-hidden" for="nav-search-q">{}</label>'
        '<input id="nav-search-q" type="search" name="q" placeholder="{}" value="{}"></form>',
        reverse("coding:search", args=[project.slug]),
        _("Search the sources"),
        _("Search…"),
        query,
    )
    return format_html(
        '<nav class="projectnav" aria-label="{}">\n{}\n{}\n<span class="nav-more">\n{}\n'
        '<span class="role-badge role-{}">{}</span>\n</span>\n</nav>',
        _("Project"),
        _links(_main_links(name, membership), project.slug),
        search,
        _links(_more_links(name, membership), project.slug),
        membership.role,
        membership.get_role_display(),
    )
