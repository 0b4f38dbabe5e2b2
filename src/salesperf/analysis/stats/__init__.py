"""Statistics the analyses share: shrinkage and intervals, the count model's solver."""
