"""Exporters: drillsim's records in the formats other tools read."""
