"""barometre.collection."""
