"""barometre — baromètres de maturité numérique des administrations publiques françaises."""

__version__ = "0.1.0"
