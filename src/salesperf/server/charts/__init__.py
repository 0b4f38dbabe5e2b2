"""The Vega-Lite charts of the pages (built with Altair, served offline)."""
