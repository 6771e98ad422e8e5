import pytest

from recipes import recipe as R
from recipes.recipe import Ingredient, Recipe, parse_ingredient


def week():
    pancakes = Recipe("Pancakes", 2).add("Flour", 200, "g").add("egg", 2, "pcs").add("milk", 300, "ml")
    omelette = Recipe("Omelette", 1).add("Egg", 3, "pcs").add("milk", 50, "ml")
    bread = Recipe("Bread", 4).add("flour", 1, "kg")
    return [pancakes, omelette, bread]


def test_example_from_the_plan():
    got = R.shopping_list(week())
    assert [(i.name, i.quantity, i.unit) for i in got] == [
        ("egg", 5, "pcs"), ("Flour", 200, "g"), ("flour", 1, "kg"), ("milk", 350, "ml")]
    assert all(isinstance(i, Ingredient) for i in got)
    assert [i.describe() for i in got] == ["5 pcs egg", "200 g Flour", "1 kg flour", "350 ml milk"]


def test_rounding_after_adding():
    a = Recipe("A", 1).add("salt", 0.1, "tsp")
    b = Recipe("B", 1).add("Salt", 0.2, "tsp").add("salt", 0.333, "tsp")
    got = R.shopping_list([a, b])
    assert [(i.name, i.quantity, i.unit) for i in got] == [("salt", 0.63, "tsp")]


def test_sorted_ignoring_case():
    r = Recipe("R", 1).add("basil", 1, "pcs").add("Apple", 2, "pcs").add("carrot", 3, "pcs")
    assert [i.name for i in R.shopping_list([r])] == ["Apple", "basil", "carrot"]


def test_empty_and_recipes_unchanged():
    assert R.shopping_list([]) == []
    recipes = week()
    before = [list(r.ingredients) for r in recipes]
    R.shopping_list(recipes)
    assert [list(r.ingredients) for r in recipes] == before


def test_existing_scaling_and_parsing():
    r = Recipe("Soup", 2).add("water", 500, "ml").add("onion", 1, "pcs")
    half = r.scaled(3)
    assert [(i.quantity, i.unit) for i in half.ingredients] == [(750.0, "ml"), (1.5, "pcs")]
    assert parse_ingredient("200 g plain flour") == Ingredient("plain flour", 200.0, "g")
    with pytest.raises(ValueError, match="servings must be at least 1"):
        r.scaled(0)
