"""The code picker's options written in Python are what its template loop wrote."""

from django.template import Context, Template

from coding.templatetags.coding_tags import picker_items

LOOP = (
    "{% for code, path, definition in picker %}"
    '<li role="option" id="opt-{{ code }}" data-id="{{ code }}"'
    '{% if code in recent %} data-recent="1"{% endif %}>'
    '<i class="swatch m{{ code }}"></i><span class="key"></span>'
    '<span class="name">{{ path }}</span>'
    "{% if definition %}<small>{{ definition|truncatechars:140 }}</small>{% endif %}</li>"
    "{% endfor %}"
)


def test_the_options_are_the_template_loops_escaped_and_cut():
    picker = [
        (3, "Tema › <b>Anak</b> & co", "Kata “kunci” <script>x</script> " + "panjang " * 30),
        (7, "Forum", ""),
        (11, 'Data "penerima"', "Pendek & jelas"),
    ]
    recent = [7, 3]
    expected = Template(LOOP).render(Context({"picker": picker, "recent": recent}))
    written = picker_items(picker, recent)
    assert written == expected
    assert "&lt;b&gt;Anak&lt;/b&gt; &amp; co" in written and "<script>" not in written
    assert written.count('data-recent="1"') == 2
    assert "…</small>" in written  # the long definition is cut at 140 characters
