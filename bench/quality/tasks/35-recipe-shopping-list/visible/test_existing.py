"""Existing behaviour's tests for recipes, ingredients and scaling."""

import pytest

from recipes.recipe import Ingredient, Recipe, parse_ingredient


def pancakes():
    return Recipe("Pancakes", 2).add("Flour", 200, "g").add("egg", 2, "pcs").add("milk", 300, "ml")


def test_ingredient_describe():
    assert Ingredient("flour", 200.0, "g").describe() == "200 g flour"
    assert Ingredient("onion", 1.5, "pcs").describe() == "1.5 pcs onion"
    assert Ingredient("salt", 3, "g").describe() == "3 g salt"


def test_ingredient_is_frozen():
    item = Ingredient("flour", 200.0, "g")
    with pytest.raises(Exception):
        item.quantity = 100.0  # type: ignore[misc]


def test_add_chains_and_validates():
    recipe = pancakes()
    assert recipe.ingredients == [
        Ingredient("Flour", 200, "g"), Ingredient("egg", 2, "pcs"), Ingredient("milk", 300, "ml"),
    ]
    with pytest.raises(ValueError, match="sugar: quantity must be positive"):
        recipe.add("sugar", 0, "g")
    assert len(recipe.ingredients) == 3


def test_scaled_returns_a_new_recipe():
    recipe = pancakes()
    bigger = recipe.scaled(3)
    assert (bigger.title, bigger.servings) == ("Pancakes", 3)
    assert bigger.ingredients == [
        Ingredient("Flour", 300.0, "g"), Ingredient("egg", 3.0, "pcs"), Ingredient("milk", 450.0, "ml"),
    ]
    assert recipe.servings == 2 and recipe.ingredients[0].quantity == 200
    assert Recipe("Soup", 3).add("stock", 1, "l").scaled(1).ingredients[0].quantity == 0.33
    with pytest.raises(ValueError, match="servings must be at least 1"):
        recipe.scaled(0)


def test_parse_ingredient():
    assert parse_ingredient("200 g flour") == Ingredient("flour", 200.0, "g")
    assert parse_ingredient("1.5 pcs red onion") == Ingredient("red onion", 1.5, "pcs")
    with pytest.raises(ValueError, match="expected 'quantity unit name'"):
        parse_ingredient("flour")
