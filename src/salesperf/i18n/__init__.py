"""Words and numbers for people, in English and Dutch: one catalogue, one formatter."""
