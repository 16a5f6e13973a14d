"""Word frequencies (reduction stage): top words and phrases, a word cloud, stop words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coding.models import StopWords
from coding.tabular import csv_response, xlsx_response
from interviews.access import get_membership

from ..forms import StopWordsForm, words_form
from ..stopwords import LANGUAGES, stop_lists, stop_words
from ..words import CLOUD_HEIGHT, CLOUD_WIDTH, cloud, word_table


def _download(table, fmt: str, which: str, project):
    header = [_("Rank"), _("Word"), _("Count"), _("Sources")]
    words = [[n, word, count, sources] for n, (word, count, sources) in enumerate(table.words, 1)]
    phrase_header = [_("Rank"), _("Phrase"), _("Count"), _("Sources")]
    phrases = [[n, *row] for n, row in enumerate(table.phrases, 1)]
    if fmt == "csv":
        if which == "phrases":
            return csv_response(f"{project.slug}-phrases", phrase_header, phrases)
        return csv_response(f"{project.slug}-words", header, words)
    return xlsx_response(
        f"{project.slug}-words",
        [(_("Words"), header, words), (_("Phrases"), phrase_header, phrases)],
    )


@login_required
@require_GET
def word_frequencies(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    form = words_form(request, membership)
    table = word_table(project, form.filters(), stop_words(project, form.languages()))
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _download(table, fmt, request.GET.get("table", "words"), project)
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "table": table,
        "cloud": cloud(table.words),
        "cloud_width": CLOUD_WIDTH,
        "cloud_height": CLOUD_HEIGHT,
    }
    return render(request, "coding/analysis/word_frequencies.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def stop_words_edit(request, slug):
    """The project's stop-word lists: every member reads them, coders change them."""
    membership = get_membership(request, slug)
    project = membership.project
    lists = stop_lists(project)
    initial = {language: " ".join(words) for language, words in lists.items()}
    form = StopWordsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not membership.can_code:
            raise PermissionDenied
        if request.POST.get("reset"):
            StopWords.objects.filter(project=project).delete()
            messages.success(request, _("The built-in stop words are back."))
            return redirect("coding:stop_words", slug)
        if form.is_valid():
            with transaction.atomic():
                for language in LANGUAGES:
                    StopWords.objects.update_or_create(
                        project=project,
                        language=language,
                        defaults={"words": form.cleaned_data[language]},
                    )
            messages.success(request, _("Stop words saved."))
            return redirect("coding:word_frequencies", slug)
    context = {"membership": membership, "project": project, "form": form}
    return render(request, "coding/analysis/stop_words.html", context)
