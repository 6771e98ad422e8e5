"""Existing behaviour of the templ engine (tests that pass before the planned change)."""

import pytest

from templ import FILTERS, Template, TemplateError, UndefinedError, render
from templ.engine import resolve


class User:
    def __init__(self, name):
        self.name = name


def test_variables_and_dotted_lookup():
    assert render("Hello {{ name }}!", name="Ann") == "Hello Ann!"
    assert render("{{ user.name }}", user={"name": "Bo"}) == "Bo"
    assert render("{{ user.name }}", user=User("Cy")) == "Cy"
    assert render("[{{ x }}]", x=None) == "[]"
    assert render("{{ n }}", {"n": 0}) == "0"


def test_filters_and_arguments():
    assert render("{{ s|strip|upper }}", s="  hi ") == "HI"
    assert render("{{ s|title }}", s="hello world") == "Hello World"
    assert render("{{ items|join:\" | \" }}", items=[1, 2, 3]) == "1 | 2 | 3"
    assert render("{{ items|join }}", items=["a", "b"]) == "a, b"
    assert render("{{ t|truncate:5 }}", t="abcdefgh") == "abcd…"
    assert render("{{ t|truncate:5 }}", t="abc") == "abc"
    assert render("{{ items|length }}", items=[1, 2]) == "2"
    assert render("{{ h|escape }}", h="<b>&") == "&lt;b&gt;&amp;"


def test_undefined_variables_raise():
    with pytest.raises(UndefinedError, match="undefined: missing"):
        render("{{ missing }}")
    with pytest.raises(UndefinedError, match="undefined: user.nickname"):
        render("{{ user.nickname|upper }}", user={"name": "x"})
    with pytest.raises(UndefinedError):
        render("{% if flag %}x{% endif %}")
    with pytest.raises(UndefinedError):
        render("{% for i in items %}{{ i }}{% endfor %}")
    assert issubclass(UndefinedError, TemplateError)


def test_if_else_and_for():
    source = "{% for u in users %}{% if u.admin %}*{% else %}-{% endif %}{{ u.name }} {% endfor %}"
    users = [{"name": "a", "admin": True}, {"name": "b", "admin": False}]
    assert render(source, users=users) == "*a -b "
    assert render("{% for i in items %}{{ i }}{% endfor %}", items=[]) == ""


def test_parse_errors():
    with pytest.raises(TemplateError, match="unknown filter: bogus"):
        Template("{{ x|bogus }}")
    with pytest.raises(TemplateError, match="unclosed block"):
        Template("{% if x %}yes")
    with pytest.raises(TemplateError, match="unexpected tag"):
        Template("{% endfor %}")
    with pytest.raises(TemplateError, match="bad expression"):
        Template("{{ 1x }}")
    with pytest.raises(TemplateError, match="empty tag"):
        Template("{%  %}")


def test_custom_filters_and_render_context():
    tpl = Template("{{ n|double }}", filters={"double": lambda v: v * 2})
    assert tpl.render({"n": 2}) == "4"
    assert tpl.render({"n": 2}, n=5) == "10"  # keyword values win
    assert "double" not in FILTERS
    assert FILTERS["upper"]("a") == "A"


def test_quoted_arguments_keep_commas_and_pipes():
    extra = {"wrap": lambda v, left, right: f"{left}{v}{right}"}
    tpl = Template('{{ x|wrap:"<, ",">|" }}', filters=extra)
    assert tpl.render(x="mid") == "<, mid>|"


def test_resolve():
    assert resolve("a.b.c", {"a": {"b": {"c": 3}}}) == 3
    with pytest.raises(UndefinedError):
        resolve("a.z", {"a": {}})
