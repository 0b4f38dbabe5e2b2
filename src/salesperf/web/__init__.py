"""The web pages: their data functions, templates, charts and the forms behind them."""
