"""barometre.edition."""
