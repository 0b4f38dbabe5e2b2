"""Who is busy but not effective: the quadrant, its evidence, breaks and text."""
