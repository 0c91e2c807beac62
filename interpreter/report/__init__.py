"""A run's journal for people: the timeline and the post-mortem."""
