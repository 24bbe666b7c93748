"""Text utilities shared by every stage: the matching key, light stems, Arabic proclitics."""
