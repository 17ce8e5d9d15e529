"""Importers: real tools' files turned into drillsim documents, with located problems."""
