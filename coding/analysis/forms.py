"""Forms of the analysis stages: the shared filters, summaries, conclusions and evidence."""

from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _

from coding.form_html import QUICK
from coding.forms import CodeChoiceField
from coding.models import Code, Coding, Conclusion, Evidence
from coding.queries import code_paths, codebook_rows, seen_by
from coding.suggest import filters as suggest_filters
from coding.suggest.access import site_enabled as suggestions_site_enabled
from interviews.models import Attribute, Case, Membership, Source

from .queries import Filters, code_filter
from .search import MAX_QUERY, Query, QueryError, parse_query


class FilterOptions:
    """The options of the filters' case, attribute and coder fields, read together on first
    use in one query of plain SQL (three through the ORM: some 1 ms a page), in the order
    of their querysets: cases by name, attributes by order and name, coders by username.
    Checked against the querysets in tests/analysis/test_filter_options.py."""

    def __init__(self, project, visible_coders):
        self.project, self.visible_coders = project, visible_coders
        self.found: dict[str, list[tuple[int, str]]] | None = None

    def of(self, kind: str, empty_label):
        return lambda: [("", empty_label), *self.read()[kind]]

    def read(self) -> dict[str, list[tuple[int, str]]]:
        if self.found is None:
            self.found = {"case": [], "attribute": [], "coder": []}
            for kind, pk, label, _rank, _name in _fetch(*self._sql()):
                self.found[kind].append((pk, label))
        return self.found

    def _sql(self) -> tuple[str, list]:
        quote = connection.ops.quote_name
        user = get_user_model()
        username = quote(user._meta.get_field(user.USERNAME_FIELD).column)
        order, pid = quote("order"), self.project.pk
        # Our own table and column names only; every value is a parameter.
        coders = (
            f"SELECT 'coder', u.id, u.{username}, 0, u.{username} "  # noqa: S608
            f"FROM {quote(user._meta.db_table)} u JOIN {quote(Membership._meta.db_table)} m "
            "ON m.user_id = u.id WHERE m.project_id = %s"
        )
        params = [pid, pid, pid]
        if self.visible_coders is not None:
            ids = list(self.visible_coders) or [None]
            coders += f" AND u.id IN ({', '.join(['%s'] * len(ids))})"
            params += ids
        sql = (
            f"SELECT 'case', id, name, 0, name FROM {quote(Case._meta.db_table)} "  # noqa: S608
            "WHERE project_id = %s UNION ALL "
            f"SELECT 'attribute', id, name, {order}, name FROM {quote(Attribute._meta.db_table)} "
            f"WHERE project_id = %s UNION ALL {coders} ORDER BY 1, 4, 5"
        )
        return sql, params


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class AnalysisFilterForm(forms.Form):
    """The filters shared by retrieval and the displays (a GET form)."""

    default_renderer = QUICK  # its widgets written in Python (coding/form_html.py)

    code = CodeChoiceField(queryset=Code.objects.none(), required=False, label=_("Code"))
    subcodes = forms.BooleanField(required=False, label=_("with its sub-codes"))
    case = forms.ModelChoiceField(queryset=None, required=False, label=_("Case"))
    attribute = forms.ModelChoiceField(queryset=None, required=False, label=_("Attribute"))
    value = forms.CharField(required=False, label=_("is"), max_length=200)
    kind = forms.ChoiceField(required=False, label=_("Kind of source"))
    coder = forms.ModelChoiceField(queryset=None, required=False, label=_("Coder"))
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    review = forms.ChoiceField(required=False, label=_("Review"))
    suggested = forms.ChoiceField(
        required=False,
        label=_("Coded with help of suggestions"),
        choices=suggest_filters.CHOICES,
    )
    themes = forms.ChoiceField(
        required=False,
        label=_("Theme rows"),
        choices=[
            ("", _("count sub-codes into themes")),
            ("own", _("count a theme's own passages only")),
        ],
    )

    def __init__(self, *args, project, paths, visible_coders=None, codes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_coders = visible_coders
        # `paths` come in codebook order (themes, then their codes), with full paths.
        self.fields["code"].queryset = Code.objects.filter(project=project)
        if codes is not None:  # the project's codes, read already
            self.fields["code"].known = {str(code.pk): code for code in codes}
        self.fields["code"].choices = [("", _("(every code)")), *paths.items()]
        self.fields["case"].queryset = Case.objects.filter(project=project)
        self.fields["attribute"].queryset = Attribute.objects.filter(project=project)
        self.fields["kind"].choices = [("", _("(every kind)")), *Source.Kind.choices]
        coders = get_user_model().objects.filter(memberships__project=project)
        if visible_coders is not None:
            coders = coders.filter(pk__in=visible_coders)
        self.fields["coder"].queryset = coders.order_by("username")
        # The querysets check a chosen value; the options come from one query for all three.
        options = FilterOptions(project, visible_coders)
        self.fields["case"].choices = options.of("case", _("(every case)"))
        self.fields["attribute"].choices = options.of("attribute", "—")
        self.fields["coder"].choices = options.of("coder", _("(every coder)"))
        self.fields["review"].choices = [("", _("(any)")), *Coding.Review.choices]
        if not suggestions_site_enabled():  # SUGGESTIONS_ENABLED=0: no trace of them
            del self.fields["suggested"]

    def rollup(self) -> bool:
        """Whether theme rows add up their sub-codes (the default)."""
        return not (self.is_valid() and self.cleaned_data.get("themes") == "own")

    def filters(self, *, with_code: bool = True) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        code = data.get("code")
        return Filters(
            codes=code_filter(code, with_subcodes=data.get("subcodes", False))
            if code and with_code
            else None,
            case=data.get("case"),
            attribute_id=data["attribute"].pk if data.get("attribute") else None,
            attribute_value=data.get("value", ""),
            kind=data.get("kind", ""),
            coder_id=data["coder"].pk if data.get("coder") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            review=data.get("review", ""),
            suggested=data.get("suggested", ""),
            visible_coders=self.visible_coders,
        )


class SummaryForm(forms.Form):
    code = forms.ModelChoiceField(queryset=Code.objects.none())
    case = forms.ModelChoiceField(queryset=None, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, strip=True)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = Code.objects.filter(project=project)
        self.fields["case"].queryset = Case.objects.filter(project=project)


class ConclusionForm(forms.ModelForm):
    class Meta:
        model = Conclusion
        fields = ["statement", "text"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }


class EvidenceForm(forms.Form):
    conclusion = forms.ModelChoiceField(queryset=Conclusion.objects.none())
    coding = forms.ModelChoiceField(queryset=Coding.objects.none())
    stance = forms.ChoiceField(choices=Evidence.Stance.choices)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        project = membership.project
        self.fields["conclusion"].queryset = Conclusion.objects.filter(project=project)
        self.fields["coding"].queryset = seen_by(
            membership, Coding.objects.filter(source__project=project)
        )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs more work?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class SearchForm(AnalysisFilterForm):
    """The search box and its options, with the filters of retrieval (a GET form)."""

    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    mode = forms.ChoiceField(
        required=False,
        label=_("Find"),
        choices=[
            ("all", _("paragraphs with every word")),
            ("any", _("paragraphs with any word")),
            ("regex", _("a regular expression")),
        ],
    )
    exact = forms.BooleanField(required=False, label=_("match case and accents"))
    where = forms.ChoiceField(
        required=False,
        label=_("Hits"),
        choices=[
            ("inside", _("inside passages coded so")),
            ("outside", _("outside passages coded so")),
        ],
        help_text=_("Applies when a code, coder or review is chosen."),
    )
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("source", _("source")),
            ("left", _("left context")),
            ("right", _("right context")),
        ],
    )

    field_order = ["q", "mode", "exact", "code", "subcodes", "where"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", _("(no code)")), *self.fields["code"].choices[1:]]

    def query(self) -> Query | None:
        """The parsed query, or None (with the form's error) when it cannot be searched."""
        if not self.is_valid() or not self.cleaned_data["q"].strip():
            return None
        data = self.cleaned_data
        try:
            return parse_query(data["q"], mode=data["mode"] or "all", exact=data["exact"])
        except QueryError as error:
            self.add_error("q", str(error))
            return None


class HitKeysField(forms.Field):
    """Ticked hits, each posted as "source:start:end"; cleaned to (source, start, end)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        keys = []
        for key in value or []:
            parts = str(key).split(":")
            if len(parts) != 3 or not all(part.isdigit() for part in parts):
                raise forms.ValidationError(_("A ticked hit could not be read."))
            keys.append(tuple(int(part) for part in parts))
        if len(keys) > MAX_TICKED:
            raise forms.ValidationError(
                _("Tick at most %(n)d hits, or code all of them.") % {"n": MAX_TICKED}
            )
        return keys


class CodeHitsForm(forms.Form):
    """Code the ticked hits, or all of them, as hits, sentences or paragraphs."""

    code = forms.ModelChoiceField(queryset=Code.objects.none(), label=_("Code"))
    unit = forms.ChoiceField(
        label=_("Code"),
        choices=[
            ("hit", _("the hit itself")),
            ("sentence", _("its sentence")),
            ("paragraph", _("its paragraph or speaker turn")),
        ],
        initial="sentence",
    )
    hit = HitKeysField(required=False)
    all = forms.BooleanField(required=False)
    confirm = forms.CharField(required=False, max_length=64)

    def __init__(self, *args, project, paths, **kwargs):
        # Its own ids: the search form on the same page has a "code" field too.
        kwargs.setdefault("auto_id", "hits-%s")
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = Code.objects.filter(project=project)
        self.fields["code"].choices = [("", "—"), *paths.items()]

    def clean(self):
        data = super().clean()
        if not data.get("all") and not data.get("hit"):
            raise forms.ValidationError(_("Tick the hits to code, or choose all of them."))
        return data


MAX_TICKED = 500


class WordsForm(AnalysisFilterForm):
    """Word frequencies: the filters of retrieval, and which stop words to leave out."""

    stop = forms.ChoiceField(
        required=False,
        label=_("Leave out stop words"),
        choices=[
            ("id en", _("Indonesian and English")),
            ("id", _("Indonesian")),
            ("en", _("English")),
            ("", _("none")),
        ],
        initial="id en",
    )

    field_order = ["stop", "code", "subcodes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", _("(whole texts)")), *self.fields["code"].choices[1:]]

    def languages(self) -> list[str]:
        if not self.is_bound:
            return ["id", "en"]
        return (self.cleaned_data.get("stop", "") if self.is_valid() else "id en").split()


class StopWordsForm(forms.Form):
    id = forms.CharField(
        label=_("Indonesian"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    en = forms.CharField(
        label=_("English"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


def filter_form(request, membership, rows=None) -> AnalysisFilterForm:
    """The shared filter form, bound to the query string; `rows` from codebook_rows if known.

    Its filters keep to the codings `membership` may see (blind coding).
    """
    project = membership.project
    rows = rows if rows is not None else codebook_rows(project)
    return AnalysisFilterForm(
        request.GET or None,
        project=project,
        paths=code_paths(rows),
        visible_coders=membership.visible_coder_ids(),
        codes=[code for code, _depth in rows],
    )


def search_form(request, membership, rows=None) -> SearchForm:
    project = membership.project
    rows = rows if rows is not None else codebook_rows(project)
    return SearchForm(
        request.GET or None,
        project=project,
        paths=code_paths(rows),
        visible_coders=membership.visible_coder_ids(),
    )


def words_form(request, membership, rows=None) -> WordsForm:
    project = membership.project
    rows = rows if rows is not None else codebook_rows(project)
    data = request.GET.copy()
    for name in ("format", "table"):
        data.pop(name, None)
    return WordsForm(
        data or None,
        project=project,
        paths=code_paths(rows),
        visible_coders=membership.visible_coder_ids(),
    )
