"""The timeline of a run: its events, the folds over them, and the stores that keep them."""
