"""What activity a target requires: rates, simulation, paths and text."""
