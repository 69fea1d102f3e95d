"""barometre.publish."""
