"""The duplicate stage's pure core: near copies grouped into stories, stories into events."""
