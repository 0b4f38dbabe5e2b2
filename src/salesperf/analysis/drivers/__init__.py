"""Which activities go with results, and at what lag: panel, model, touches."""
