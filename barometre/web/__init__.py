"""barometre.web."""
