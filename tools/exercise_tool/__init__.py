"""The exercise tool behind ./course exercises and ./course check (tools/exercises.py is its command line)."""
