import pytest

from templ import FILTERS, Template, TemplateError, UndefinedError, render


def test_missing_variable_uses_default():
    assert render('Hello {{ nick|default:"friend" }}!') == "Hello friend!"
    assert render('Hello {{ user.nickname|default:"friend" }}!', user={"name": "Al"}) == "Hello friend!"


def test_none_and_empty_replaced_falsy_kept():
    t = Template('{{ x|default:"none" }}')
    assert t.render(x=None) == "none"
    assert t.render(x="") == "none"
    assert t.render(x=0) == "0"
    assert t.render(x=False) == "False"
    assert t.render(x="val") == "val"


def test_no_argument_and_numeric_argument():
    assert render("[{{ x|default }}]") == "[]"
    assert render("{{ n|default:0 }}") == "0"
    assert render('{{ x|default:"a, b" }}') == "a, b"


def test_chained_filters():
    assert render('{{ name|default:"anon"|upper }}') == "ANON"
    assert render('{{ name|default:"anon"|upper }}', name="bo") == "BO"


def test_default_not_first_still_raises():
    with pytest.raises(UndefinedError):
        render('{{ x|upper|default:"y" }}')
    with pytest.raises(UndefinedError):
        render("{{ x }}")
    with pytest.raises(UndefinedError):
        render("{% if flag %}a{% endif %}")


def test_filter_registered():
    assert FILTERS["default"](None, "z") == "z"
    assert FILTERS["default"]("", "z") == "z"
    assert FILTERS["default"]("a", "z") == "a"
    assert FILTERS["default"](None) == ""


def test_existing_behaviour_unchanged():
    out = render(
        "{% for u in users %}{{ u.name|title }}{% if u.admin %}*{% endif %};{% endfor %}",
        users=[{"name": "ann", "admin": True}, {"name": "bob", "admin": False}],
    )
    assert out == "Ann*;Bob;"
    assert render('{{ xs|join:" - " }}', xs=[1, 2]) == "1 - 2"
    with pytest.raises(TemplateError):
        Template("{{ x|nope }}")
    with pytest.raises(TemplateError):
        Template("{% if x %}")
