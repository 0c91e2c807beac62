"""Policies shared by every stage, each written once: secrets and masking, plain values, risk."""
