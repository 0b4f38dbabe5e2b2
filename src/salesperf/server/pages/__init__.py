"""The web pages: declared once, their data functions and the forms behind them."""
