"""Recipes with ingredient quantities, scaled to the number of people cooked for."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ingredient:
    name: str
    quantity: float
    unit: str  # 'g', 'ml', 'pcs', ...

    def describe(self) -> str:
        """'200 g flour', '1.5 pcs onion' (whole numbers without decimals)."""
        qty = int(self.quantity) if float(self.quantity).is_integer() else self.quantity
        return f"{qty} {self.unit} {self.name}"


@dataclass
class Recipe:
    title: str
    servings: int
    ingredients: list[Ingredient] = field(default_factory=list)

    def add(self, name: str, quantity: float, unit: str) -> Recipe:
        if quantity <= 0:
            raise ValueError(f"{name}: quantity must be positive")
        self.ingredients.append(Ingredient(name, quantity, unit))
        return self

    def scaled(self, servings: int) -> Recipe:
        """The same recipe for a different number of people (quantities rounded to 2 decimals)."""
        if servings < 1:
            raise ValueError("servings must be at least 1")
        factor = servings / self.servings
        return Recipe(
            self.title,
            servings,
            [Ingredient(i.name, round(i.quantity * factor, 2), i.unit) for i in self.ingredients],
        )


def parse_ingredient(text: str) -> Ingredient:
    """'200 g flour' -> Ingredient('flour', 200.0, 'g')."""
    parts = text.split(maxsplit=2)
    if len(parts) != 3:
        raise ValueError(f"expected 'quantity unit name': {text!r}")
    quantity, unit, name = parts
    return Ingredient(name.strip(), float(quantity), unit)
