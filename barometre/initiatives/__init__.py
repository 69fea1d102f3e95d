"""barometre.initiatives."""
