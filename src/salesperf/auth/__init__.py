"""Users, their sessions and API tokens, and what each may see."""
