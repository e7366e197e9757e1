"""Putting a written digest into a static site: a Hugo page bundle or a Jekyll post.

Reads only the files `tracker digest` wrote into reports/NAME/ (never the database), so
publishing an older digest shows exactly what was written that day.
"""
