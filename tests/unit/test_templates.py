"""Site templates rendered as the generators render them: Jekyll's Liquid from the post's
front matter and _config.yml, Hugo's shortcodes; code shown as written; what cannot be
rendered left out with a problem naming its text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qlabbook.markdown.templates import render_templates
from qlabbook.source.model import EssaySource
from qlabbook.source.templating import TemplateValues, site_configuration, template_values

JEKYLL = TemplateValues(
    "jekyll", {"title": "Allotment", "author": {"name": "Sam"}, "email": "sam@example.org"},
    {"title": "The dig", "date": dt.datetime(2019, 5, 14, 10, 30), "tags": ["soil", "clay"],
     "comments": False}, "/blog", "https://sam.example.org")
HUGO = TemplateValues("hugo", {"baseURL": "https://river.example.org/",
                               "params": {"Author": "Rita", "river": "the Wyre"}},
                      {"title": "Source", "params": {"mood": "wet"}}, "",
                      "https://river.example.org")


def rendered(text: str, values: TemplateValues = JEKYLL) -> str:
    return render_templates(text, values)[0]


def problems(text: str, values: TemplateValues = JEKYLL) -> list[tuple[str, str]]:
    return [(code, needle) for code, _, needle in render_templates(text, values)[1]]


@pytest.mark.parametrize(("text", "expected"), [
    ("# {{ page.title }}", "# The dig"),
    ("by {{ site.author.name }}, {{ page.date | date: '%B %-d, %Y' }}", "by Sam, May 14, 2019"),
    ("{{ page.date | date_to_string }} {{ page.title | upcase }}", "14 May 2019 THE DIG"),
    ("![x]({{ site.baseurl }}/images/a.png)", "![x](/blog/images/a.png)"),
    ("![x]({{ '/a b.png' | relative_url }}) {{ '/x' | absolute_url }}",
     "![x](/blog/a%20b.png) https://sam.example.org/blog/x"),
    ("{{ page.tags | join: ', ' }}; {{ page.tags | array_to_sentence_string }}",
     "soil, clay; soil and clay"),
    ("{{ page.missing | default: 'none' }}", "none"),
    ("{% if page.comments %}open{% else %}mail {{ site.email }}{% endif %}",
     "mail sam@example.org"),
    ("{% unless page.comments %}closed{% endunless %}", "closed"),
    ("{% if page.layout %}never{% endif %}after", "after"),  # an unset field is nil
    ("{% case page.title %}{% when 'x', 'The dig' %}dig{% else %}other{% endcase %}", "dig"),
    ("{% for t in page.tags %}- {{ t }}\n{% endfor %}", "- soil\n- clay\n"),
    ("{% for i in (1..3) %}{{ i }}{% unless forloop.last %},{% endunless %}{% endfor %}",
     "1,2,3"),
    ("{% assign n = page.tags | size %}{{ n }} tags", "2 tags"),
    ("{% capture who %}{{ site.author.name }}!{% endcapture %}Hi {{ who }}", "Hi Sam!"),
    ("{%- if true -%}  tight  {%- endif -%}|", "tight|"),
    ("a\n{% comment %}\nhidden {{ page.x }}\n{% endcomment %}\nb", "a\n\n\n\nb"),
    ("Write {% raw %}{{ page.title }}{% endraw %}.", "Write {{ page.title }}."),
    ("{% # a comment %}x", "x"),
    ("{% gist parkr/931c1c %}", "Code: <https://gist.github.com/parkr/931c1c>"),  # jekyll-gist
    # Code is shown as written, without the raw markers the generator removes there too.
    ("```\n{{ page.title }} {% raw %}{% x %}{% endraw %}\n```\n{{ page.title }}",
     "```\n{{ page.title }} {% x %}\n```\nThe dig"),
    ("`{{ page.title }}` {{ page.title }}", "`{{ page.title }}` The dig"),
    # Not Liquid: TeX's braces, Hugo's templates.
    ("$x^{{2}}$", "$x^{{2}}$"),
])
def test_liquid_renders_as_jekyll_does(text: str, expected: str) -> None:
    assert rendered(text) == expected
    assert problems(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("{% highlight python linenos %}\ndef f():\n    return 1\n{% endhighlight %}",
     "```python\ndef f():\n    return 1\n```"),
    ("Text:\n{% highlight ruby %}heap.turn!{% endhighlight %}", "Text:\n```ruby\nheap.turn!\n```"),
    ("1. item\n\n   {% highlight go %}\n   x := 1\n   {% endhighlight %}\n",
     "1. item\n\n   ```go\n   x := 1\n   ```\n"),
    ("{% highlight md %}\n```\n{{ page.title }}\n```\n{% endhighlight %}",
     "````md\n```\n{{ page.title }}\n```\n````"),
    ('{{< highlight go "linenos=table,hl_lines=2" >}}\nfunc f() {}\n{{< /highlight >}}',
     "```go\nfunc f() {}\n```"),
])
def test_highlight_blocks_are_fenced_code_in_their_language(text: str, expected: str) -> None:
    assert rendered(text, JEKYLL if "{%" in text else HUGO) == expected


def test_what_jekyll_knows_only_while_building_is_left_out_and_said() -> None:
    text = ("{% include note.html content='Gloves' %}\n{% include note.html %}\n"
            "{{ page.nowhere }} {{ content }}\n{% for p in site.posts %}{{ p.title }}{% endfor %}\n"
            "{% if site.posts.size > 2 %}many{% endif %}\n{% seo %}\n"
            "{% marginnote %}kept{% endmarginnote %}")
    assert rendered(text) == "\n\n \n\n\n\nkept"
    assert problems(text) == [
        ("M502", "{% include note.html content='Gloves' %}"),  # once for each template
        ("M501", "{{ page.nowhere }}"), ("M501", "{{ content }}"),
        ("M502", "{% for p in site.posts %}"), ("M502", "{% if site.posts.size > 2 %}"),
        ("M502", "{% seo %}"), ("M502", "{% marginnote %}")]


def test_a_liquid_address_in_a_link_is_kept_for_the_link_stage() -> None:
    """`{% post_url %}` names an essay: percent-encoded, so a reference definition (where
    an address has no spaces) reads it whole; sitelinks.py finds the essay."""
    text = ("[a]({{ site.baseurl }}{% post_url 2019-06-02-x %})\n"
            "[b]: {% post_url 2019-06-02-x %}\n")
    assert rendered(text) == "[a](/blog%7B%25%20post_url%202019-06-02-x%20%25%7D)\n" \
        "[b]: %7B%25%20post_url%202019-06-02-x%20%25%7D\n"
    assert problems("See {% post_url 2019-06-02-x %}.") == [
        ("M502", "{% post_url 2019-06-02-x %}")]


@pytest.mark.parametrize(("text", "expected"), [
    ('{{< figure src="/images/a.png" title="The spring" caption="In *March*" attr="Rita" '
     'attrlink="https://r.org" >}}',
     '![In March](</images/a.png> "The spring. In March"){ credit="Rita" source="https://r.org" }'),
    ('{{< figure src="a.png" alt="A \\"quoted\\" [thing]" >}}',
     '![A "quoted" \\[thing\\]](<a.png>)'),
    ("{{% note %}}\nThe path is **muddy**.\n{{% /note %}}\nAfter.",
     "::: {.callout-note}\nThe path is **muddy**.\n:::\nAfter."),
    ('{{% notice warning "Keep off" %}}\nSlippery.\n{{% /notice %}}',
     '::: {.callout-warning title="Keep off"}\nSlippery.\n:::'),
    ('{{< details summary="More" >}}\nHidden.\n{{< /details >}}',
     '::: {.callout-note title="More"}\nHidden.\n:::'),
    ("{{< tabs >}}\n{{% tab \"A\" %}}One.{{% /tab %}}\n{{< /tabs >}}",
     '\n::: {.callout-note title="A"}\nOne.\n:::\n'),
    ("Marsh.{{< sidenote >}}Samphire\ngrows here.{{< /sidenote >}}",
     "Marsh.^[Samphire grows here.]"),
    ('{{< param "river" >}} and {{< param mood >}} by {{< param author >}}',
     "the Wyre and wet by Rita"),
    ("{{< youtube w7Ft2ymGmfc >}}", "Video: <https://www.youtube.com/watch?v=w7Ft2ymGmfc>"),
    ('{{< tweet user="rita" id="12" >}} {{< gist rita 78 >}}',
     "Post: <https://x.com/rita/status/12> Code: <https://gist.github.com/rita/78>"),
    ("{{< rawhtml >}}\n<b>raw</b>\n{{< /rawhtml >}}", "\n<b>raw</b>\n"),
    ("{{< katex >}}a^2{{< /katex >}} {{< kbd Ctrl C >}}", "$a^2$ <kbd>Ctrl+C</kbd>"),
    ("{{< comment >}}secret{{< /comment >}}shown {{< pagebreak >}}", "shown "),
    ("[next]({{< ref \"weir.md\" >}})\n[sea]: {{< baseurl >}}walks/sea/",
     "[next](%7B%7B%3C%20ref%20%22weir.md%22%20%3E%7D%7D)\n"
     "[sea]: https://river.example.org/walks/sea/"),
    # Hugo shows an escaped shortcode as written, and Go templates in content as text.
    ('`{{</* figure src="x" */>}}`', '`{{< figure src="x" >}}`'),
    ("{{ .Site.Title }}", "{{ .Site.Title }}"),
])
def test_hugo_shortcodes_render_as_what_the_site_showed(text: str, expected: str) -> None:
    assert rendered(text, HUGO) == expected
    assert problems(text, HUGO) == []


def test_a_theme_shortcode_is_said_once_and_a_missing_value_at_its_place() -> None:
    text = ('{{< osm-map lat="54" >}} {{< osm-map lat="55" >}}\n{{< columns >}}x{{< /columns >}}'
            '\n{{< cards >}}\nkept\n{{< /cards >}}\n{{< param nowhere >}} see {{< ref "a.md" >}}')
    assert rendered(text, HUGO) == " \nx\n\nkept\n\n see "
    assert problems(text, HUGO) == [("M503", '{{< osm-map lat="54" >}}'), ("M503", "{{< cards >}}"),
                                    ("M501", "{{< param nowhere >}}"),
                                    ("M503", '{{< ref "a.md" >}}')]


def test_values_come_from_the_site_configuration_and_the_posts_own_front_matter(
        tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: Site\nurl: https://x.org\nbaseurl: /blog\n")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "a.md").write_text("---\ntitle: A\nmood: sunny\n---\nBody\n")
    source = EssaySource(path=Path("_posts/a.md"), number=1, slug="a", title="A", body="Body",
                         body_line=5, date=dt.date(2019, 5, 14))
    values = template_values(tmp_path, source, site_configuration(tmp_path))
    assert (values.generator, values.base, values.url) == ("jekyll", "/blog", "https://x.org")
    assert values.page == {"title": "A", "mood": "sunny", "date": dt.date(2019, 5, 14),
                           "slug": "a"}
    assert rendered("{{ site.title }}: {{ page.mood }}", values) == "Site: sunny"
    (tmp_path / "_config.yml").unlink()
    (tmp_path / "hugo.toml").write_text('baseURL = "https://r.org/sub/"\n[params]\nx = 1\n')
    values = template_values(tmp_path, source, site_configuration(tmp_path))
    assert (values.generator, values.base, values.site["params"]) == ("hugo", "/sub", {"x": 1})


def test_zolas_shortcodes_are_shortcodes_not_liquid() -> None:
    zola = TemplateValues("", {}, {"title": "Garden"})
    text = ('{{ youtube(id="w7Ft2ymGmfc", autoplay=true) }}\n'
            '{% note(title="Careful") %}\nThe *path* is muddy.\n{% end %}\n'
            '{{ gist(url="https://gist.github.com/Keats/e5fb6aad409f28721c0ba14161644c57") }}')
    assert rendered(text, zola) == (
        "Video: <https://www.youtube.com/watch?v=w7Ft2ymGmfc>\n"
        '::: {.callout-note title="Careful"}\nThe *path* is muddy.\n:::\n'
        "Code: <https://gist.github.com/Keats/e5fb6aad409f28721c0ba14161644c57>")
    assert problems(text, zola) == []
