"""Meal planner: recipes, scaling and the weekly shopping list."""
