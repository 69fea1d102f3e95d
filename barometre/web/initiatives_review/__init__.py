"""Web review queue of the initiatives classifier: list, correct, retrain (operators only)."""
