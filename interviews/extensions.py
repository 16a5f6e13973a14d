"""Where apps built on `interviews` add to its pages, so that `interviews` imports none of them.

Dependencies point one way (`coding` imports `interviews`, never the reverse), yet
the study's pages show what the coding side knows: coding progress on the project
page, a link from a source to its coding page. An app registers its additions in
its `AppConfig.ready()`:

- `add_fragment(place, template, context=fn)`: a template included at a named place
  of an interviews page (`{% slot "project_detail" %}`), rendered with that page's
  context plus `fn(request, membership)` when given;
- `set_link(kind, url_name)`: the URL name behind a named kind of link
  (`{% link "source_work" project.slug source.pk %}`); without one, the link
  falls back to the interviews page given here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

ContextProvider = Callable[..., dict]


@dataclass(frozen=True)
class Fragment:
    template: str
    context: ContextProvider | None = None


_fragments: dict[str, list[Fragment]] = {}
_links: dict[str, str] = {"source_work": "interviews:source_detail"}


def add_fragment(place: str, template: str, *, context: ContextProvider | None = None) -> None:
    fragments = _fragments.setdefault(place, [])
    if all(fragment.template != template for fragment in fragments):
        fragments.append(Fragment(template, context))


def fragments(place: str) -> list[Fragment]:
    return list(_fragments.get(place, ()))


def set_link(kind: str, url_name: str) -> None:
    _links[kind] = url_name


def link(kind: str, *args) -> str:
    return reverse(_links[kind], args=args)
