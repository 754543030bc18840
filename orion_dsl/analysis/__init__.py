"""Derived facts every backend shares, computed once from the resolved model."""
