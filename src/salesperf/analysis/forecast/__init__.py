"""Will the quarter reach its target: history, model, drift, simulation, back-test, text."""
